import Foundation
import ScalefitCore

/// The MLflow file store: `mlruns/<experiment>/<run>/metrics/<key>` (docs/log-formats.md §7).
///
/// Each metric line is `<timestamp ms> <value> [<step>]` (a missing step is 0, as MLflow's
/// own reader has it); keys with `/` are nested folders. The run is named by
/// `tags/mlflow.runName`, else `run_name` in `meta.yaml`, else its id. Runs whose
/// `meta.yaml` says `lifecycle_stage: deleted`, and anything under `.trash`, are skipped.
/// Wall time is the timestamp in seconds.
enum MLflowReader {
    /// True when `path` holds at least one run folder (`meta.yaml` beside `metrics/`).
    static func looksLikeStore(_ path: String) -> Bool { !runFolders(path).isEmpty }

    /// Run folders under `path` (or `path` itself), sorted.
    static func runFolders(_ path: String) -> [String] {
        let manager = FileManager.default
        func isRun(_ folder: String) -> Bool {
            var isFolder: ObjCBool = false
            return manager.fileExists(atPath: (folder as NSString).appendingPathComponent("meta.yaml"))
                && manager.fileExists(atPath: (folder as NSString).appendingPathComponent("metrics"), isDirectory: &isFolder) && isFolder.boolValue
        }
        if isRun(path) { return [path] }
        var out: [String] = []
        for level1 in ((try? manager.contentsOfDirectory(atPath: path)) ?? []).sorted() where !level1.hasPrefix(".") {
            let one = (path as NSString).appendingPathComponent(level1)
            if isRun(one) { out.append(one); continue }
            for level2 in ((try? manager.contentsOfDirectory(atPath: one)) ?? []).sorted() where !level2.hasPrefix(".") {
                let two = (one as NSString).appendingPathComponent(level2)
                if isRun(two) { out.append(two) }
            }
        }
        return out
    }

    static func read(folder: String, options: IngestOptions, into collector: SeriesCollector) throws -> SourceInfo {
        let runs = runFolders(folder)
        guard !runs.isEmpty else { throw InputError(file: folder, message: "no MLflow runs (meta.yaml beside metrics/) in this folder") }
        var lines: [String] = []
        var bytes = 0
        // Runs of one name in different experiments (a sweep: lr-3e-4/70M, lr-1e-3/70M)
        // stay apart: each run is its own identity (its id), and where names clash the
        // experiment's name tells them apart (SeriesCollector.uniqueNames).
        let baseOrigin = collector.origin
        for runFolder in runs {
            let experimentFolder = (runFolder as NSString).deletingLastPathComponent
            collector.origin = baseOrigin + [experimentName(experimentFolder)]
            collector.identity = URL(fileURLWithPath: runFolder).lastPathComponent
            let meta = (try? String(contentsOfFile: (runFolder as NSString).appendingPathComponent("meta.yaml"), encoding: .utf8)) ?? ""
            var name = URL(fileURLWithPath: runFolder).lastPathComponent
            var deleted = false
            for line in meta.split(separator: "\n") {
                let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { continue }
                if parts[0] == "run_name", !parts[1].isEmpty { name = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
                if parts[0] == "lifecycle_stage", parts[1] == "deleted" { deleted = true }
            }
            if let tag = try? String(contentsOfFile: (runFolder as NSString).appendingPathComponent("tags/mlflow.runName"), encoding: .utf8),
               !tag.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                name = tag.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if deleted {
                collector.report.add(.unfinishedRun, "\(runFolder) (lifecycle_stage: deleted)")
                continue
            }
            let metrics = (runFolder as NSString).appendingPathComponent("metrics")
            for key in FolderFiles.list(metrics, include: { _ in true }) {
                let path = (metrics as NSString).appendingPathComponent(key)
                if let metric = options.yColumn, metric != key { continue }
                let source = try ByteSource(path: path)
                let reader = try LineReader(source: source)
                let index = collector.index(run: options.run ?? name, metric: key)
                while let line = try reader.next() {
                    if line.isEmpty { continue }
                    let text = String(decoding: line, as: UTF8.self)
                    let fields = text.split(separator: " ", omittingEmptySubsequences: false)
                    func fail(_ field: Int, _ message: String) -> InputError {
                        let column = fields.prefix(field).reduce(1) { $0 + $1.count + 1 }
                        return InputError(file: path, line: reader.lineNumber, column: column, message: message, sourceLine: text)
                    }
                    guard fields.count == 2 || fields.count == 3 else {
                        throw fail(0, "expected \"<timestamp ms> <value> [<step>]\" (2 or 3 fields separated by one space), found \(fields.count) fields")
                    }
                    guard let timestamp = NumberParser.parse(String(fields[0])) else { throw fail(0, "expected a timestamp in milliseconds, found \"\(fields[0])\"") }
                    guard let value = NumberParser.parse(String(fields[1])) else { throw fail(1, "expected a number, found \"\(fields[1])\"") }
                    var step = 0.0
                    if fields.count == 3 {
                        guard let parsed = NumberParser.parse(String(fields[2])) else { throw fail(2, "expected a step, found \"\(fields[2])\"") }
                        step = parsed
                    }
                    collector.append(index, x: step, value: value, wallTime: timestamp / 1000)
                }
                let relative = String(path.dropFirst(folder.count).drop { $0 == "/" })
                lines.append("\(try source.finish())  \(relative)")
                bytes += source.byteCount
            }
        }
        collector.origin = baseOrigin
        collector.identity = ""
        return SourceInfo(path: folder, format: .mlflow, sha256: FolderFiles.digest(lines), bytes: bytes)
    }

    /// An experiment's `name` from its `meta.yaml`, else its folder's name (the id).
    static func experimentName(_ folder: String) -> String {
        let meta = (try? String(contentsOfFile: (folder as NSString).appendingPathComponent("meta.yaml"), encoding: .utf8)) ?? ""
        for line in meta.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == "name", !parts[1].isEmpty { return parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "'\"")) }
        }
        return URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
    }
}
