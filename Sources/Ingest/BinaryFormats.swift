import Foundation
import ScalefitCore

/// Binary files told apart by their first bytes (docs/log-formats.md, "Binary files").
///
/// Two are read: an MLflow SQLite store and a W&B run log. The others (Parquet, Arrow /
/// Feather, other SQLite databases, zip, gzip, bzip2, xz, zstd, HDF5, NumPy) are refused
/// with an error that names the format and gives the one command that turns the file into
/// something scalefit reads.
enum BinaryFormats {
    /// The format of a binary file that scalefit reads, `nil` for a file that is not one of
    /// the known binary formats; throws for a known binary format that it does not read.
    static func classify(head: [UInt8], path: String) throws -> LogFormat? {
        if WandbOfflineReader.looksLikeLog(head) { return .wandbOffline }
        if head.starts(with: SQLiteDatabase.magic) {
            if path != "-", MLflowSQLiteReader.isStore(path) { return .mlflowDB }
        }
        if let (name, command) = known(head: head, path: path) {
            throw InputError(file: path, message: "this is \(name), not a text log; scalefit reads text, tfevents, mlflow.db and W&B run files. Convert it first:\n  \(command)")
        }
        return nil
    }

    /// Refuses a file that is binary when a text format was asked for (`--format csv`):
    /// a known binary format (as ``classify(head:path:)``) or a NUL byte in the first 8 KiB.
    static func requireText(head: [UInt8], path: String, format: LogFormat) throws {
        if let found = try classify(head: head, path: path) {
            throw InputError(file: path, message: "this is \(found == .mlflowDB ? "an MLflow SQLite store" : "a W&B run log"), not \(format.rawValue) text; use --format \(found.rawValue) or leave --format out")
        }
        if let zero = head.prefix(8192).firstIndex(of: 0) {
            throw InputError(file: path, message: "expected \(format.rawValue) text, found binary data (a NUL byte at byte \(zero))")
        }
    }

    /// The name of a known binary format and the command that converts it.
    static func known(head: [UInt8], path: String) -> (String, String)? {
        let file = path == "-" ? "FILE" : path
        let quoted = "'" + file.replacingOccurrences(of: "'", with: "'\\''") + "'"
        let name = (file as NSString).lastPathComponent
        let stem = name.contains(".") && !name.hasPrefix(".") ? (file as NSString).deletingPathExtension : file
        func python(_ code: String) -> String { "python -c \"\(code)\"" }
        let csv = "'" + (path == "-" ? "FILE" : stem).replacingOccurrences(of: "'", with: "'\\''") + ".csv'"
        func starts(_ bytes: [UInt8]) -> Bool { head.starts(with: bytes) }
        if starts(Array("PAR1".utf8)) {
            return ("a Parquet file", python("import pandas as pd; pd.read_parquet(\(quoted)).to_csv(\(csv), index=False)"))
        }
        if starts(Array("ARROW1".utf8)) {
            return ("an Arrow IPC (Feather v2) file", python("import pandas as pd; pd.read_feather(\(quoted)).to_csv(\(csv), index=False)"))
        }
        if starts(Array("FEA1".utf8)) {
            return ("a Feather (v1) file", python("import pandas as pd; pd.read_feather(\(quoted)).to_csv(\(csv), index=False)"))
        }
        if starts(SQLiteDatabase.magic) {
            var tables: [String] = []
            if path != "-", let database = try? SQLiteDatabase(path: path), let names = try? database.tables() {
                tables = names.filter { !$0.hasPrefix("sqlite_") }.sorted()
            }
            let table = tables.first ?? "TABLE"
            let which = tables.isEmpty ? "" : " (tables: \(tables.prefix(8).joined(separator: ", "))\(tables.count > 8 ? ", …" : ""))"
            return ("an SQLite database without MLflow's tables\(which)",
                    "sqlite3 -header -csv \(quoted) 'SELECT * FROM \"\(table)\"' > \(csv)")
        }
        if starts([0x50, 0x4B, 0x03, 0x04]) || starts([0x50, 0x4B, 0x05, 0x06]) {
            let lower = file.lowercased()
            if lower.hasSuffix(".xlsx") {
                return ("an Excel workbook (zip)", python("import pandas as pd; pd.read_excel(\(quoted)).to_csv(\(csv), index=False)"))
            }
            if lower.hasSuffix(".npz") {
                return ("a NumPy .npz archive (zip)", python("import numpy as np; d = np.load(\(quoted)); [np.savetxt(k + '.csv', d[k], delimiter=',') for k in d.files]"))
            }
            return ("a zip archive", "unzip \(quoted) -d '\((stem as NSString).lastPathComponent)'   # then give scalefit the files inside")
        }
        if starts([0x1F, 0x8B]) {
            return ("a gzip-compressed file", "gzip -dc \(quoted) > \(decompressed(file, ".gz"))")
        }
        if starts(Array("BZh".utf8)) && head.count > 3 && (0x31...0x39).contains(head[3]) {
            return ("a bzip2-compressed file", "bzip2 -dc \(quoted) > \(decompressed(file, ".bz2"))")
        }
        if starts([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) {
            return ("an xz-compressed file", "xz -dc \(quoted) > \(decompressed(file, ".xz"))")
        }
        if starts([0x28, 0xB5, 0x2F, 0xFD]) {
            return ("a zstd-compressed file", "zstd -dc \(quoted) > \(decompressed(file, ".zst"))")
        }
        if starts([0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return ("an HDF5 file", python("import pandas as pd; pd.read_hdf(\(quoted)).to_csv(\(csv), index=False)")
                        + "   # pandas' HDFStore; other HDF5 (h5py) datasets: np.savetxt of the dataset")
        }
        if starts([0x93] + Array("NUMPY".utf8)) {
            return ("a NumPy .npy array", python("import numpy as np; np.savetxt(\(csv), np.load(\(quoted)), delimiter=',')"))
        }
        return nil
    }

    /// The name a decompressed file gets: without `suffix`, or with `.txt` added.
    private static func decompressed(_ file: String, _ suffix: String) -> String {
        let out = file.lowercased().hasSuffix(suffix) ? String(file.dropLast(suffix.count)) : file + ".txt"
        return "'" + out.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
