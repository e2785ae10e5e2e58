// Fit benchmarks: times scalefit's fits on data files written by benchmarks/fit/run.sh and
// prints one JSON object per case (median of repeated runs). The Python peers run on the
// same files in benchmarks/fit/peers.py. Never part of the test suite.
import Fit
import Ingest
import Foundation
import ScalefitCore

func readColumns(_ path: String) -> [[Double]] {
    let text = try! String(contentsOfFile: path, encoding: .utf8)
    let lines = text.split(separator: "\n").dropFirst()
    let rows = lines.map { $0.split(separator: ",").map { Double($0)! } }
    return (0..<(rows.first?.count ?? 0)).map { c in rows.map { $0[c] } }
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : 0.5 * (s[s.count / 2 - 1] + s[s.count / 2])
}

/// The clock of the single-threaded single-fit cases: wall time by default; with
/// SCALEFIT_BENCH_CLOCK=cpu, the calling thread's CPU time, as peers.py then uses for the
/// same cases (on a machine shared with other work). Multi-threaded cases (grids,
/// bootstraps) always use the wall clock.
let useThreadClock = ProcessInfo.processInfo.environment["SCALEFIT_BENCH_CLOCK"] == "cpu"

func now(cpu: Bool) -> UInt64 {
    guard cpu else { return DispatchTime.now().uptimeNanoseconds }
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
}

/// Seconds taken by `body`, median over `repeats` runs (`singleThreaded`: may use the
/// thread's CPU clock, see `useThreadClock`).
func time(repeats: Int, singleThreaded: Bool = false, _ body: () throws -> Void) rethrows -> Double {
    let cpu = singleThreaded && useThreadClock
    var samples: [Double] = []
    for _ in 0..<repeats {
        let start = now(cpu: cpu)
        try body()
        samples.append(Double(now(cpu: cpu) - start) / 1e9)
    }
    return median(samples)
}

func emit(_ fields: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

let folder = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/tmp/scalefit-bench"
let cases = CommandLine.arguments.count > 2 ? Set(CommandLine.arguments[2].split(separator: ",").map(String.init)) : nil
func wanted(_ name: String) -> Bool { cases?.contains(name) ?? true }

// 1. One saturating fit, 20 points, linear least squares (curve_fit's objective), from the data-driven guess.
if wanted("chinchilla-grid") {
    let columns = readColumns("\(folder)/chinchilla.csv")
    let series = Series(run: "c", metric: "loss", x: columns[0], x2: columns[1], values: columns[2])
    var result: FitResult? = nil
    let seconds = try time(repeats: 1) { result = try ChinchillaLaw().fit(to: series, options: FitOptions()) }
    emit(["case": "chinchilla_grid_lsq", "seconds": seconds, "objective": result!.objective, "reached_best": result!.starts.reachedBest, "parameters": result!.values])
}

if wanted("chinchilla-huber-grid") {
    let columns = readColumns("\(folder)/chinchilla.csv")
    let series = Series(run: "c", metric: "loss", x: columns[0], x2: columns[1], values: columns[2])
    var options = FitOptions()
    options.loss = .huber(1e-3)
    var result: FitResult? = nil
    let seconds = try time(repeats: 1) { result = try ChinchillaLaw().fit(to: series, options: options) }
    emit(["case": "chinchilla_grid_huber", "seconds": seconds, "objective": result!.objective, "parameters": result!.values])
}

/// The single-fit setting of every saturating case: linear least squares from the data-driven
/// guess alone, on one thread (curve_fit's setting).
let singleFitOptions: FitOptions = {
    var options = FitOptions()
    options.space = .linear
    options.threads = 1
    options.startLimit = 1
    return options
}()

/// Median seconds of `repeats` saturating fits of saturating.csv.
func timeSingleFits(_ repeats: Int) throws -> Double {
    let columns = readColumns("\(folder)/saturating.csv")
    let series = Series(run: "s", metric: "loss", x: columns[0], values: columns[1])
    return try time(repeats: repeats, singleThreaded: true) { _ = try SaturatingLaw().fit(to: series, options: singleFitOptions) }
}

if wanted("saturating-only") {
    emit(["case": "saturating_fit_only", "seconds": try timeSingleFits(20000)])
}

// One round of the alternating single-fit comparison (run.sh): the saturating fit alone.
if cases == ["round"] {
    emit(["case": "round_scalefit", "seconds": try timeSingleFits(3000)])
}

// The same fit when no runner of its shape is kept (the first fit of a shape): 17 series of
// 4 to 20 points in turn, more shapes than the pool keeps, so that every fit sets up anew.
if wanted("saturating-cold") {
    let columns = readColumns("\(folder)/saturating.csv")
    let shapes = (4...20).map { count in
        Series(run: "s", metric: "loss", x: Array(columns[0].prefix(count)), values: Array(columns[1].prefix(count)))
    }
    let options = singleFitOptions
    var warm: [Double] = [], cold: [Double] = []
    for round in 0..<300 {
        for series in shapes {
            let cpu = useThreadClock
            let start = now(cpu: cpu)
            _ = try SaturatingLaw().fit(to: series, options: options)
            let seconds = Double(now(cpu: cpu) - start) / 1e9
            if series.count == 20 && round > 0 { cold.append(seconds) }
        }
        let start = now(cpu: useThreadClock)
        _ = try SaturatingLaw().fit(to: shapes.last!, options: options)  // its runner was just kept
        if round > 0 { warm.append(Double(now(cpu: useThreadClock) - start) / 1e9) }
    }
    emit(["case": "saturating_fit_setup", "seconds_new_runner": median(cold), "seconds_kept_runner": median(warm)])
}

if wanted("saturating") {
    let columns = readColumns("\(folder)/saturating.csv")
    let series = Series(run: "s", metric: "loss", x: columns[0], values: columns[1])
    let options = singleFitOptions
    var result: FitResult? = nil
    let seconds = try time(repeats: 2000, singleThreaded: true) { result = try SaturatingLaw().fit(to: series, options: options) }
    emit(["case": "saturating_fit", "seconds": seconds, "iterations": result!.iterations, "status": result!.status.code, "E": result!.values[0], "A": result!.values[1], "alpha": result!.values[2], "objective": result!.objective])
    // From the poor start (1, 1, 1) over 200 noise draws.
    let draws = readColumns("\(folder)/saturating_draws.csv")  // x, then 200 columns of y
    var converged = 0
    var agree = 0
    let peerPath = "\(folder)/saturating_draws_scipy.csv"  // E, A, alpha per draw, from peers.py run
    let peer = FileManager.default.fileExists(atPath: peerPath) ? readColumns(peerPath) : [[], [], []]
    for d in 0..<200 {
        let s = Series(run: "d", metric: "loss", x: draws[0], values: draws[1 + d])
        var poor = options
        poor.start = [1, 1, 1]
        if let r = try? SaturatingLaw().fit(to: s, options: poor), r.converged {
            converged += 1
            if d < peer[2].count, abs(r.values[2] - peer[2][d]) <= 1e-6 * abs(peer[2][d]) { agree += 1 }
        }
    }
    emit(["case": "saturating_poor_start", "converged": converged, "of": 200, "agree_with_scipy_1e-6": agree])
    // 1,000-resample bootstrap of the fit.
    var bootOptions = options
    bootOptions.bootstrap = 1000
    bootOptions.threads = nil
    let bootSeconds = try time(repeats: 5) { result = try SaturatingLaw().fit(to: series, options: bootOptions) }
    emit(["case": "saturating_bootstrap_1000", "seconds": bootSeconds])
}

// 2. Chinchilla: Epoch's 4,500-start grid on 240 points, Huber δ = 1e-3 on log residuals, then 4,000 bootstrap refits.
if wanted("chinchilla") {
    let columns = readColumns("\(folder)/chinchilla.csv")
    let series = Series(run: "c", metric: "loss", x: columns[0], x2: columns[1], values: columns[2])
    for loss in [FitLoss.leastSquares, .huber(1e-3)] {
        var options = FitOptions()
        options.loss = loss
        var result: FitResult? = nil
        let seconds = try time(repeats: 3) { result = try ChinchillaLaw().fit(to: series, options: options) }
        emit([
            "case": "chinchilla_grid_\(loss)", "seconds": seconds, "starts": result!.starts.tried,
            "objective": result!.objective, "parameters": result!.values,
        ])
        var bootOptions = options
        bootOptions.bootstrap = 4000
        bootOptions.startLimit = 1
        let bootSeconds = try time(repeats: 1) { result = try ChinchillaLaw().fit(to: series, options: bootOptions) }
        emit(["case": "chinchilla_bootstrap_4000_\(loss)", "seconds": bootSeconds, "failures": result!.bootstrapFailures ?? -1])
    }
}

// 3. One-break broken power law over its 135-start grid.
if wanted("broken") {
    let columns = readColumns("\(folder)/broken.csv")
    let series = Series(run: "b", metric: "loss", x: columns[0], values: columns[1])
    var options = FitOptions()
    options.space = .linear
    var result: FitResult? = nil
    let seconds = try time(repeats: 5) { result = try BrokenPowerLaw(breaks: 1).fit(to: series, options: options) }
    emit(["case": "broken1_grid", "seconds": seconds, "starts": result!.starts.tried, "objective": result!.objective])
}

// 4. Anatomy of one saturating fit: the bare GSL solve (workspace reused) against the whole fit.
if wanted("anatomy") {
    let columns = readColumns("\(folder)/saturating.csv")
    let x = columns[0], y = columns[1]
    let problem = LeastSquaresProblem(
        residualCount: x.count, parameterCount: 3,
        residuals: { p, r in for i in 0..<x.count { r[i] = p[0] + p[1] * Foundation.pow(x[i], -p[2]) - y[i] } },
        jacobian: { p, j in
            for i in 0..<x.count {
                let power = Foundation.pow(x[i], -p[2])
                j[i, 0] = 1
                j[i, 1] = power
                j[i, 2] = -p[1] * power * Foundation.log(x[i])
            }
        })
    let start = SaturatingLaw().initialGuesses(x: x, x2: nil, y: y)[0]
    for method in TrustRegionMethod.allCases {
        for scaling in [ParameterScaling.more, .levenberg] {
            let solver = try NonlinearLeastSquares(problem: problem, settings: .init(method: method, scaling: scaling))
            var result: LeastSquaresResult? = nil
            let seconds = try time(repeats: 2000, singleThreaded: true) { result = try solver.solve(from: start) }
            emit(["case": "bare_gsl_\(method.rawValue)_\(scaling.rawValue)", "seconds": seconds, "iterations": result!.iterations, "status": result!.status.code])
        }
    }
    let allocation = try time(repeats: 2000, singleThreaded: true) { _ = try NonlinearLeastSquares(problem: problem) }
    emit(["case": "workspace_allocation", "seconds": allocation])
}

// 5. Extrapolation on the 20 language curves of revisiting-benchmark: fit on Training == 1,
// score the RMS log error on Training == 0 (Alabdulmohsin et al. 2022, eq. 4), per domain.
if wanted("revisiting") {
    let path = CommandLine.arguments.count > 3 ? CommandLine.arguments[3] : "fixtures/reference-data/revisiting-benchmark/benchmark.lang.csv"
    let table = try Ingest.readTable(path: path)
    let c = (domain: table.column("Domain")!, task: table.column("Task")!, model: table.column("Model")!,
             x: table.column("Seen Examples")!, y: table.column("Loss")!, training: table.column("Training")!)
    var order: [String] = []
    var curves: [String: (domain: String, fit: [(Double, Double)], held: [(Double, Double)])] = [:]
    var seen = Set<[String]>()
    for row in table.rows where seen.insert(row).inserted {  // LM curves appear four times verbatim
        let key = "\(row[c.domain])|\(row[c.task])|\(row[c.model])"
        if curves[key] == nil { order.append(key); curves[key] = (row[c.domain], [], []) }
        let point = (Double(row[c.x])!, Double(row[c.y])!)
        if row[c.training] == "1" { curves[key]!.fit.append(point) } else { curves[key]!.held.append(point) }
    }
    var options = FitOptions()
    options.threads = 1
    let strategies: [(String, (Series) throws -> FitResult)] = [
        ("saturating", { try SaturatingLaw().fit(to: $0, options: options) }),
        ("m4", { try M4Law().fit(to: $0, options: options) }),
        ("auto", { series in
            let ranked = LawCatalog.compare(LawCatalog.candidates(inputCount: 1, pointCount: series.count), on: series, options: options).fits
            guard let best = ranked.first else { throw FitError("no fit") }
            return best
        }),
    ]
    for (name, strategy) in strategies {
        var perDomain: [String: [Double]] = [:]
        var chosen: [String: Int] = [:]
        for key in order {
            let curve = curves[key]!
            let series = Series(run: key, metric: "loss", x: curve.fit.map(\.0), values: curve.fit.map(\.1))
            guard let fit = try? strategy(series) else { perDomain[curve.domain, default: []].append(.nan); continue }
            chosen[fit.model, default: 0] += 1
            let law = LawCatalog.law(named: fit.model)!
            let errors = curve.held.map { Foundation.log(law.value($0.0, .nan, parameters: fit.values)) - Foundation.log($0.1) }
            perDomain[curve.domain, default: []].append((errors.map { $0 * $0 }.reduce(0, +) / Double(errors.count)).squareRoot())
        }
        var fields: [String: Any] = ["case": "revisiting_\(name)", "chosen": chosen]
        for (domain, values) in perDomain { fields["rmsle_\(domain)"] = values.reduce(0, +) / Double(values.count) }
        emit(fields)
    }
}
