import Foundation
import ScalefitCore

/// MLflow's SQLite store, `mlflow.db` (MLflow 3's default tracking store; docs/log-formats.md).
///
/// Read through SQLite itself. Tables used: `experiments(experiment_id, name, lifecycle_stage)`,
/// `runs(run_uuid, name, experiment_id, lifecycle_stage)`, `tags(key, value, run_uuid)` for
/// `mlflow.runName`, and `metrics(key, value, timestamp, run_uuid, step, is_nan)`.
///
/// As the file store (``MLflowReader``) is read: the run is named by its `mlflow.runName`
/// tag, else `runs.name`, else its id; a metric's series is its key; x is the step, the wall
/// time the timestamp in seconds. Runs whose `lifecycle_stage` (or whose experiment's) is
/// `deleted` are skipped and counted. MLflow stores NaN as `value = 0, is_nan = 1` and ±∞
/// as ±1.7976931348623157e308 (SQL has no infinities): both are turned back into the
/// non-finite value the run logged, which the collector then counts as dropped. Each
/// series carries the labels `experiment` (its name) and `run_id`, so runs of the same name
/// in two experiments (a sweep) stay apart.
enum MLflowSQLiteReader {
    /// The tables (and their columns) an MLflow store has.
    static let required: [String: Set<String>] = [
        "metrics": ["key", "value", "timestamp", "run_uuid", "step", "is_nan"],
        "runs": ["run_uuid", "experiment_id", "lifecycle_stage"],
        "experiments": ["experiment_id", "name"],
    ]

    /// True when the SQLite database at `path` has MLflow's tables.
    static func isStore(_ path: String) -> Bool {
        guard let database = try? SQLiteDatabase(path: path), let tables = try? database.tables() else { return false }
        return required.keys.allSatisfy(tables.contains)
    }

    static func read(source: ByteSource, options: IngestOptions, into collector: SeriesCollector) throws {
        let path = source.path
        guard path != "-" else { throw InputError(file: path, message: "an MLflow SQLite store is read from a file, not standard input") }
        let database = try SQLiteDatabase(path: path)
        let tables = try database.tables()
        for (table, columns) in required.sorted(by: { $0.key < $1.key }) {
            guard tables.contains(table) else {
                throw InputError(file: path, message: "an SQLite database without MLflow's \"\(table)\" table; expected an MLflow store (mlflow.db)")
            }
            let missing = columns.subtracting(try database.columns(table))
            guard missing.isEmpty else {
                throw InputError(file: path, message: "MLflow table \"\(table)\" lacks the columns \(missing.sorted().joined(separator: ", "))")
            }
        }

        var experiments: [String: (name: String, deleted: Bool)] = [:]
        let experimentColumns = try database.columns("experiments")
        let stage = experimentColumns.contains("lifecycle_stage") ? "lifecycle_stage" : "''"
        try database.query("SELECT CAST(experiment_id AS TEXT), name, \(stage) FROM experiments") { row in
            let id = row.text(0) ?? ""
            experiments[id] = (row.text(1) ?? id, row.text(2) == "deleted")
        }

        struct Run { var name: String; var experiment: String; var deleted: Bool }
        var runs: [String: Run] = [:]
        let runName = try database.columns("runs").contains("name") ? "name" : "NULL"
        try database.query("SELECT run_uuid, \(runName), CAST(experiment_id AS TEXT), lifecycle_stage FROM runs") { row in
            let id = row.text(0) ?? ""
            let experiment = experiments[row.text(2) ?? ""]
            let name = row.text(1).flatMap { $0.isEmpty ? nil : $0 } ?? id
            runs[id] = Run(name: name, experiment: experiment?.name ?? row.text(2) ?? "",
                           deleted: row.text(3) == "deleted" || experiment?.deleted == true)
        }
        if tables.contains("tags") {
            try database.query("SELECT run_uuid, value FROM tags WHERE key = 'mlflow.runName'") { row in
                guard let id = row.text(0), let value = row.text(1)?.trimmingCharacters(in: .whitespacesAndNewlines),
                      !value.isEmpty, runs[id] != nil else { return }
                runs[id]?.name = value
            }
        }

        var deletedPoints: [String: Int] = [:]
        var unknownRun = 0
        var current: (run: String, key: String, index: Int)?
        // Logged order within a series: by timestamp, then step (the file store's line order).
        let sql = "SELECT run_uuid, key, value, timestamp, step, is_nan FROM metrics ORDER BY run_uuid, key, timestamp, step"
        try database.query(sql) { row in
            let id = row.text(0) ?? ""
            let key = row.text(1) ?? ""
            guard let run = runs[id] else { unknownRun += 1; return }
            if run.deleted {
                deletedPoints[id, default: 0] += 1
                return
            }
            if let metric = options.yColumn, metric != key { return }
            let index: Int
            if let current, current.run == id, current.key == key { index = current.index } else {
                index = collector.index(run: options.run ?? run.name, metric: key,
                                        labels: ["experiment": run.experiment, "run_id": id])
                current = (id, key, index)
            }
            let isNaN = row.number(5).map { $0 != 0 } ?? false
            var value = row.number(2) ?? .nan
            if isNaN {
                value = .nan
            } else if value == Double.greatestFiniteMagnitude {
                value = .infinity
            } else if value == -Double.greatestFiniteMagnitude {
                value = -.infinity
            }
            let timestamp = row.number(3)
            collector.append(index, x: row.number(4) ?? 0, value: value, wallTime: timestamp.map { $0 / 1000 })
        }
        for (id, count) in deletedPoints.sorted(by: { $0.key < $1.key }) {
            let run = runs[id]!
            collector.report.add(.unfinishedRun, "\(path): run \(run.name) (\(id)) in \(run.experiment) (lifecycle_stage: deleted)", count: count)
        }
        if unknownRun > 0 {
            collector.warn("\(path): \(unknownRun) metric rows name a run that the runs table lacks; they were skipped")
        }
    }
}
