import Foundation
import ScalefitCore

extension LogFormat {
    /// Formats that are not text: `--format` with one of these skips the text check.
    static let binary: Set<LogFormat> = [.tfevents, .mlflow, .mlflowDB, .wandbOffline]
}

/// The stores a project folder holds where the tools put them by default: `mlflow.db`
/// (MLflow 3), `mlruns/` (MLflow's file store) and `wandb/` (W&B offline runs).
///
/// Detection is per path, so a folder walker finds them too: a `.wandb` or `mlflow.db`
/// file is detected by its first bytes, a `wandb/` or `offline-run-*` folder by the run
/// files in it, and a project folder by these names.
enum ProjectStores {
    /// The MLflow SQLite stores directly in `folder` (`mlflow.db`, or any `*.db` with MLflow's tables).
    static func mlflowDatabases(in folder: String) -> [String] {
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return entries.filter { $0.hasSuffix(".db") }
            .map { (folder as NSString).appendingPathComponent($0) }
            .filter { !Ingest.isFolder($0) && MLflowSQLiteReader.isStore($0) }
    }

    /// `folder/mlruns` when it is an MLflow file store.
    static func mlruns(in folder: String) -> String? {
        let path = (folder as NSString).appendingPathComponent("mlruns")
        return Ingest.isFolder(path) && MLflowReader.looksLikeStore(path) ? path : nil
    }

    /// The format of the first store found in `folder`: mlflow.db, mlruns/, then W&B runs.
    static func find(in folder: String) -> LogFormat? {
        if !mlflowDatabases(in: folder).isEmpty { return .mlflowDB }
        if mlruns(in: folder) != nil { return .mlflow }
        if !WandbOfflineReader.runFiles(folder).isEmpty { return .wandbOffline }
        return nil
    }

    /// Reads the `format` store of `folder`, and warns about other stores beside it.
    static func read(folder: String, format: LogFormat, options: IngestOptions, into collector: SeriesCollector) throws -> SourceInfo {
        var others: [String] = []
        let databases = mlflowDatabases(in: folder)
        if format != .mlflowDB, let first = databases.first { others.append((first as NSString).lastPathComponent) }
        if format != .mlflow, mlruns(in: folder) != nil { others.append("mlruns/") }
        if format != .wandbOffline, !WandbOfflineReader.runFiles(folder).isEmpty,
           Ingest.isFolder((folder as NSString).appendingPathComponent("wandb")) { others.append("wandb/") }
        if !others.isEmpty {
            collector.warn("\(folder): also holds \(others.joined(separator: ", ")), not read; give \(others.count == 1 ? "it" : "each") as an input of its own to read \(others.count == 1 ? "it" : "them")")
        }
        switch format {
        case .wandbOffline:
            return try WandbOfflineReader.read(folder: folder, options: options, into: collector)
        case .mlflowDB:
            guard let database = databases.first else {
                throw InputError(file: folder, message: "no MLflow SQLite store (mlflow.db) in this folder")
            }
            if databases.count > 1 {
                collector.warn("\(folder): \(databases.count) MLflow stores; read \((database as NSString).lastPathComponent) only")
            }
            let source = try ByteSource(path: database, digest: options.digest)
            try MLflowSQLiteReader.read(source: source, options: options, into: collector)
            return SourceInfo(path: folder, format: .mlflowDB, sha256: try source.finish(), bytes: source.byteCount)
        default:
            throw InputError(file: folder, message: "is a folder; --format \(format.rawValue) reads a file")
        }
    }
}
