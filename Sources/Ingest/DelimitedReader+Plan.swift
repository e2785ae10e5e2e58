import Foundation
import ScalefitCore

/// The plan of a delimited file (see ``DelimitedReader``): which cell is x, which are
/// values and bands, which split rows into runs; decided once from the header (and, for
/// a table without a header's hints, a sample of its first rows).
extension DelimitedReader {
    // MARK: Plan

    enum BandRole { case none, lower, upper }

    struct ValueColumn {
        var index: Int
        var run: String?
        var metric: String
        var band: BandRole = .none
        /// For a band column, the position (in `valueColumns`) of its main column.
        var main: Int?
        var numbers = 0
        var texts = 0
    }

    enum Mode { case wide, long }

    struct Plan {
        var mode: Mode = .wide
        var xIndex: Int?
        var xScale = 1.0
        var x2Index: Int?
        var x2Scale = 1.0
        var wallIndex: Int?
        var groupIndices: [Int] = []
        var runIndex: Int?
        var metricIndex: Int?
        var valueIndex: Int?
        var extraIndices: [Int] = []
        var valueColumns: [ValueColumn] = []
        var labelCandidates: [Int] = []
        var labelAnyCell = false
        var statusIndex: Int?
        var quantities = false
        var sweep: SweepColumns?
        var derive: (n: Int?, d: Int?, c: Int?, target: Character)?
    }

    /// Bookkeeping columns that are never a metric unless asked for.
    static let bookkeeping: Set<String> = [
        "step", "_step", "global_step", "iter", "iteration", "epoch", "_runtime", "_timestamp", "wall time",
        "wall_time", "walltime", "time", "timestamp", "created", "runtime", "trainer/global_step", "train/global_step",
    ]
    static let xPreference = ["step", "_step", "global_step", "trainer/global_step", "train/global_step", "iter",
                              "iteration", "x", "tokens", "epoch"]

    static func find(_ name: String, in header: [String]) -> Int? {
        header.firstIndex(of: name) ?? header.firstIndex { $0.lowercased() == name.lowercased() }
    }

    static func columnError(_ name: String, role: String, header: [String], path: String) -> UsageError {
        UsageError("\(path): no column \"\(name)\" for \(role); the columns are: \(header.map { "\"\($0)\"" }.joined(separator: ", "))")
    }

    /// Key (metric) and run column names of long tables: `run,metric,x,value` (the normal
    /// form), MLflow's history export `key,value,step,timestamp,run_id`, TensorBoard's
    /// `tag`, and the like.
    static let keyColumnNames = ["metric", "key", "tag", "metric_name", "metric_key", "name", "series"]
    static let runColumnNames = ["run", "run_id", "run_name", "run_uuid", "runid", "run id"]

    /// The long-table columns of `header`: the key (metric) and value columns, when both are there.
    static func longColumns(_ lowered: [String]) -> (metric: Int, value: Int)? {
        guard let value = lowered.firstIndex(of: "value") else { return nil }
        guard let metric = keyColumnNames.lazy.compactMap({ lowered.firstIndex(of: $0) }).first else { return nil }
        return (metric, value)
    }

    static func makePlan(header: [String], format: LogFormat, options: IngestOptions, path: String,
                         collector: SeriesCollector, shape: SampleShape? = nil) throws -> Plan {
        var plan = Plan()
        let defaultRun = Ingest.runName(for: path, options: options)
        for name in options.groupColumns {
            guard let k = find(name, in: header) else { throw columnError(name, role: "--group", header: header, path: path) }
            plan.groupIndices.append(k)
        }
        // Sweep tables and W&B runs tables: one point per row.
        if format == .sweep || format == .wandbRuns {
            let sweep = SweepColumns(header: header)
            plan.sweep = sweep
            plan.quantities = true
            plan.statusIndex = sweep.status
            func resolve(_ name: String, role: String) throws -> (Int?, Double, Character?) {
                switch name.lowercased() {
                case "n": if let k = sweep.n { return (k, sweep.scale(k), nil) } else { return (nil, 1, "N") }
                case "d": if let k = sweep.d { return (k, sweep.scale(k), nil) } else { return (nil, 1, "D") }
                case "c": if let k = sweep.c { return (k, sweep.scale(k), nil) } else { return (nil, 1, "C") }
                default:
                    guard let k = find(name, in: header) else { throw columnError(name, role: role, header: header, path: path) }
                    return (k, sweep.scale(k), nil)
                }
            }
            let xName = options.xColumn ?? (sweep.n != nil ? "N" : sweep.c != nil ? "C" : sweep.d != nil ? "D" : nil)
            guard let xName else {
                throw UsageError("\(path): cannot tell which column is x (N, D or C); say it with --x")
            }
            let (x, xScale, xMissing) = try resolve(xName, role: "--x")
            plan.xIndex = x; plan.xScale = xScale
            var missing = xMissing
            if let x2Name = options.x2Column {
                let (x2, x2Scale, x2Missing) = try resolve(x2Name, role: "--x")
                plan.x2Index = x2; plan.x2Scale = x2Scale
                if x2Missing != nil {
                    if missing != nil { throw UsageError("\(path): only one of N, D, C can be derived") }
                    missing = x2Missing
                }
            }
            if let missing {
                let have = [sweep.n, sweep.d, sweep.c].compactMap { $0 }.count
                guard options.deriveFromCompute, have == 2 else {
                    throw UsageError("\(path): no \(missing) column; with two of N, D, C present, --derive computes it from C ≈ 6·N·D")
                }
                plan.derive = (sweep.n, sweep.d, sweep.c, missing)
            }
            let yIndex: Int
            if let y = options.yColumn {
                guard let k = find(y, in: header) else { throw columnError(y, role: "--y", header: header, path: path) }
                yIndex = k
            } else {
                guard let k = sweep.loss else {
                    throw UsageError("\(path): no loss column (loss, final_loss, val_loss, eval_loss, …); name it with --y")
                }
                yIndex = k
            }
            plan.valueColumns = [ValueColumn(index: yIndex, run: nil, metric: header[yIndex])]
            let used = Set([plan.xIndex, plan.x2Index, yIndex].compactMap { $0} + plan.groupIndices)
            plan.labelCandidates = header.indices.filter { !used.contains($0) }
            plan.labelAnyCell = true
            return plan
        }
        // Long form: run, metric, x, value (the normal form).
        let lowered = header.map { $0.lowercased() }
        if format == .csv, options.yColumn == nil, let (metric, value) = longColumns(lowered) {
            plan.mode = .long
            plan.metricIndex = metric
            plan.valueIndex = value
            plan.runIndex = runColumnNames.lazy.compactMap { lowered.firstIndex(of: $0) }.first
            if let name = options.xColumn {
                guard let k = find(name, in: header) else { throw columnError(name, role: "--x", header: header, path: path) }
                plan.xIndex = k
            } else {
                plan.xIndex = lowered.firstIndex(of: "x") ?? xPreference.lazy.compactMap { lowered.firstIndex(of: $0) }.first
            }
            guard plan.xIndex != nil else { throw UsageError("\(path): a long table (metric, value) needs an x column: name it with --x") }
            plan.x2Index = options.x2Column.flatMap { find($0, in: header) } ?? lowered.firstIndex(of: "x2")
            plan.wallIndex = lowered.firstIndex(of: "wall_time") ?? lowered.firstIndex(of: "timestamp")
            let used = Set([plan.metricIndex, plan.valueIndex, plan.runIndex, plan.xIndex, plan.x2Index, plan.wallIndex].compactMap { $0 })
            plan.extraIndices = header.indices.filter { !used.contains($0) && !header[$0].isEmpty }
            return plan
        }
        // Wide forms.
        switch format {
        case .tensorboardCSV:
            plan.xIndex = 1
            plan.wallIndex = 0
            let (run, tag) = tensorboardNames(path: path, options: options)
            plan.valueColumns = [ValueColumn(index: 2, run: run, metric: tag)]
            return plan
        case .wandbPanel:
            plan.xIndex = options.xColumn.flatMap { find($0, in: header) } ?? 0
            for k in header.indices where k != plan.xIndex {
                var name = header[k]
                var band = BandRole.none
                if name.hasSuffix("__MIN") { band = .lower; name.removeLast(5) }
                else if name.hasSuffix("__MAX") { band = .upper; name.removeLast(5) }
                var run = defaultRun, metric = name
                if let split = name.range(of: " - ", options: .backwards) {
                    run = String(name[..<split.lowerBound]); metric = String(name[split.upperBound...])
                }
                if metric == "_step" { continue }
                plan.valueColumns.append(ValueColumn(index: k, run: run, metric: metric, band: band))
            }
            for v in plan.valueColumns.indices where plan.valueColumns[v].band != .none {
                let me = plan.valueColumns[v]
                plan.valueColumns[v].main = plan.valueColumns.firstIndex { $0.band == .none && $0.run == me.run && $0.metric == me.metric }
            }
            plan.valueColumns.sort { ($0.band == .none ? 0 : 1, $0.index) < ($1.band == .none ? 0 : 1, $1.index) }
            // Positions of mains moved with the sort: recompute.
            for v in plan.valueColumns.indices where plan.valueColumns[v].band != .none {
                let me = plan.valueColumns[v]
                plan.valueColumns[v].main = plan.valueColumns.firstIndex { $0.band == .none && $0.run == me.run && $0.metric == me.metric }
            }
            return plan
        default:
            break
        }
        // Generic wide, W&B history, Lightning.
        if let name = options.xColumn {
            if let k = find(name, in: header) {
                plan.xIndex = k
            } else if name.lowercased() == "tokens", options.tokensPerStep != nil,
                      let k = xPreference.lazy.compactMap({ find($0, in: header) }).first {
                plan.xIndex = k
            } else {
                throw columnError(name, role: "--x", header: header, path: path)
            }
        } else if format == .wandbHistory, let k = header.firstIndex(of: "_step") {
            plan.xIndex = k
        } else if let k = xPreference.lazy.compactMap({ find($0, in: header) }).first {
            plan.xIndex = k
        } else if let shape, let k = shape.firstNumeric(excluding: Set(plan.groupIndices)) {
            // No column named like an x (step, tokens…): the first column of numbers.
            plan.xIndex = k
        } else {
            plan.xIndex = header.first == "" ? 1 : 0
        }
        if let name = options.x2Column {
            guard let k = find(name, in: header) else { throw columnError(name, role: "--x", header: header, path: path) }
            plan.x2Index = k
        }
        plan.wallIndex = header.firstIndex(of: "_timestamp") ?? lowered.firstIndex(of: "wall_time") ?? lowered.firstIndex(of: "wall time")
        var excluded = Set([plan.xIndex, plan.x2Index, plan.wallIndex].compactMap { $0 } + plan.groupIndices + (shape?.flags ?? []))
        if header.first == "" { excluded.insert(0) }  // pandas index column
        if let y = options.yColumn {
            guard let k = find(y, in: header) else { throw columnError(y, role: "--y", header: header, path: path) }
            plan.valueColumns = [ValueColumn(index: k, run: nil, metric: header[k])]
            excluded.insert(k)
            plan.labelCandidates = header.indices.filter { !excluded.contains($0) }
            plan.labelAnyCell = true
        } else {
            for k in header.indices where !excluded.contains(k) && !bookkeeping.contains(lowered[k]) && !header[k].isEmpty {
                plan.valueColumns.append(ValueColumn(index: k, run: nil, metric: header[k]))
            }
            plan.labelCandidates = plan.valueColumns.map(\.index)
        }
        return plan
    }

    /// Run and tag from a TensorBoard download's name, `run_<run>-tag-<tag>.csv`.
    static func tensorboardNames(path: String, options: IngestOptions) -> (run: String, tag: String) {
        let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        if stem.hasPrefix("run_"), let split = stem.range(of: "-tag-") {
            let run = String(stem[stem.index(stem.startIndex, offsetBy: 4)..<split.lowerBound])
            return (options.run ?? run, String(stem[split.upperBound...]))
        }
        return (Ingest.runName(for: path, options: options), "value")
    }
}
