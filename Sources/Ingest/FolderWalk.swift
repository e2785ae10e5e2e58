import Foundation
import ScalefitCore

/// Something found inside a folder that scalefit will not read, and why.
public struct SkippedInput: Sendable, Equatable {
    /// The path, as found under the folder the user named.
    public var path: String
    public var reason: String
}

/// Turns the paths the user named into the inputs to read: a file is itself; a folder is
/// walked, and every log file or run folder scalefit knows inside it becomes an input.
///
/// A folder that is itself a run is read whole: a Hugging Face Trainer output folder
/// (`trainer_state.json`, or `checkpoint-*/trainer_state.json`), an MLflow file store (or
/// one experiment or run of it), a folder that holds tfevents files (with its sub-folders,
/// each a run, as TensorBoard shows them). Any other folder is walked: files with a log
/// extension (`.csv`, `.tsv`, `.txt`, `.log`, `.json`, `.jsonl`) and tfevents files are
/// read, sub-folders walked down to ``IngestOptions/maxDepth``; everything else is listed
/// as skipped with the reason. A symbolic link to a folder already walked (a loop, or a
/// second way to the same run) is skipped, so no walk runs forever or reads a run twice.
enum FolderWalk {
    /// One input to read: a file, or a folder read whole in one format.
    struct Item {
        var path: String
        /// The folder the user named, when the item was found by walking it.
        var root: String?
        /// A folder read whole (``LogFormat/mlflow``, ``LogFormat/tfevents``,
        /// ``LogFormat/trainerState``); `nil` for a file.
        var folderFormat: LogFormat?
    }

    static let logExtensions: Set<String> = ["csv", "tsv", "txt", "log", "json", "jsonl", "out"]

    static func expand(_ paths: [String], options: IngestOptions) throws -> (items: [Item], skipped: [SkippedInput]) {
        var items: [Item] = []
        var skipped: [SkippedInput] = []
        for path in paths {
            guard Ingest.isFolder(path) else {
                items.append(Item(path: path, root: nil, folderFormat: nil))
                continue
            }
            if let format = options.format {
                // A forced format names how to read the folder itself.
                items.append(Item(path: path, root: nil, folderFormat: format))
                continue
            }
            if let format = runFolderFormat(path) ?? (onlyEventFiles(path) ? .tfevents : nil) {
                items.append(Item(path: path, root: nil, folderFormat: format))
                continue
            }
            var visited: Set<String> = []
            let before = items.count
            walk(path, root: path, depth: 1, options: options, visited: &visited, items: &items, skipped: &skipped)
            if items.count == before {
                let listed = skipped.filter { $0.path.hasPrefix(path) }.prefix(5).map { "\($0.path) (\($0.reason))" }
                throw InputError(file: path, message: "a folder with no logs scalefit knows: expected log files (.csv, .tsv, .json, .jsonl, .txt, .log), "
                    + "tfevents files, an MLflow mlruns tree or mlflow.db, W&B offline runs (wandb/) or a Trainer output folder with trainer_state.json"
                    + (listed.isEmpty ? "; it is empty" : "; found: " + listed.joined(separator: ", ")))
            }
        }
        return (items, skipped)
    }

    /// The format of a folder read whole, or `nil` for a folder to walk.
    static func runFolderFormat(_ path: String) -> LogFormat? {
        let manager = FileManager.default
        let entries = (try? manager.contentsOfDirectory(atPath: path)) ?? []
        if entries.contains("trainer_state.json") { return .trainerState }
        if entries.contains(where: { name in
            name.hasPrefix("checkpoint-") && manager.fileExists(atPath: ((path as NSString).appendingPathComponent(name) as NSString).appendingPathComponent("trainer_state.json"))
        }) { return .trainerState }
        if MLflowReader.looksLikeStore(path) { return .mlflow }
        if entries.contains(where: { $0.contains("tfevents") && !Ingest.isFolder((path as NSString).appendingPathComponent($0)) }) { return .tfevents }
        // mlflow.db, mlruns/ or W&B offline runs where the tools put them (see ProjectStores).
        return ProjectStores.find(in: path)
    }

    /// A tree whose only logs are tfevents files (`runs/` of TensorBoard, one sub-folder a
    /// run): read whole, each sub-folder a run, as TensorBoard shows it.
    static func onlyEventFiles(_ path: String) -> Bool {
        guard let walker = FileManager.default.enumerator(atPath: path) else { return false }
        var events = false
        for case let relative as String in walker {
            let name = URL(fileURLWithPath: relative).lastPathComponent
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            if name.contains("tfevents") { events = true; continue }
            if logExtensions.contains(URL(fileURLWithPath: name).pathExtension.lowercased()) { return false }
        }
        return events
    }

    private static func walk(_ folder: String, root: String, depth: Int, options: IngestOptions, visited: inout Set<String>,
                             items: inout [Item], skipped: inout [SkippedInput]) {
        let real = URL(fileURLWithPath: folder).resolvingSymlinksInPath().standardizedFileURL.path
        guard visited.insert(real).inserted else {
            skipped.append(SkippedInput(path: folder, reason: "a link to a folder already walked (\(real))"))
            return
        }
        let manager = FileManager.default
        guard let entries = try? manager.contentsOfDirectory(atPath: folder) else {
            skipped.append(SkippedInput(path: folder, reason: "cannot list this folder"))
            return
        }
        for name in entries.sorted() {
            let path = (folder as NSString).appendingPathComponent(name)
            if name.hasPrefix(".") {
                skipped.append(SkippedInput(path: path, reason: "hidden"))
                continue
            }
            if Ingest.isFolder(path) {
                if let format = runFolderFormat(path) {
                    let realRun = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
                    if !visited.insert(realRun).inserted {
                        skipped.append(SkippedInput(path: path, reason: "a link to a folder already read (\(realRun))"))
                        continue
                    }
                    items.append(Item(path: path, root: root, folderFormat: format))
                } else if depth >= options.maxDepth {
                    skipped.append(SkippedInput(path: path, reason: "deeper than the walk's limit of \(options.maxDepth) folders"))
                } else {
                    walk(path, root: root, depth: depth + 1, options: options, visited: &visited, items: &items, skipped: &skipped)
                }
                continue
            }
            guard manager.fileExists(atPath: path) else {
                skipped.append(SkippedInput(path: path, reason: "a broken link"))
                continue
            }
            let ext = URL(fileURLWithPath: name).pathExtension.lowercased()
            if name.contains("tfevents") || logExtensions.contains(ext) || ext == "wandb"
                || (ext == "db" && MLflowSQLiteReader.isStore(path)) {
                items.append(Item(path: path, root: root, folderFormat: nil))
            } else {
                skipped.append(SkippedInput(path: path, reason: ext.isEmpty ? "no extension scalefit reads as a log"
                                                : "a .\(ext) file, not a log format scalefit reads"))
            }
        }
    }
}
