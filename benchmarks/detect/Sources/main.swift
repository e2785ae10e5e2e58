// Detect validation (benchmarks/detect/run.sh): at least 500 curves from the generator across
// regimes (clean, tail-cut, narrowed, mixed, multi-generation, ridge mixture), with 0.5–5%
// noise and varied ranges and point counts. Prints the confusion matrix, the false-collapse
// rate on clean curves, the median breakpoint error (decades), and the wall and CPU time
// of the detection (the generation of the curves is not timed).
import GSL
import Detect
import Fit
import Foundation
import Generate
import ScalefitCore

struct Case: Sendable {
    var seed: UInt64
    var regime: String
    var series: Series
    var truth: VerdictKind
    /// The true crossover where the decreasing part equals the floor (collapse), if any.
    var breakpoint: Double?
    /// The longest flat stretch (decades) of the exact curve between descents (mixed only).
    var trueFlat: Double? = nil
    var detail: String = ""
    /// The noise-free curve (for the diagnosis).
    var exact: Series? = nil
    /// The ridge class's label under the rule used before 2026-12-05 (within 10% of the
    /// floor for the last 0.5 decades), to report recall under both.
    var previousTruth: VerdictKind? = nil
}

func logGrid(_ lo: Double, _ hi: Double, _ count: Int) -> [Double] {
    (0..<count).map { Foundation.exp(Foundation.log(lo) + (Foundation.log(hi) - Foundation.log(lo)) * Double($0) / Double(count - 1)) }
}

func gaussian(_ rng: inout SeededRandom) -> Double {
    let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng), u2 = Double.random(in: 0..<1, using: &rng)
    return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
}

/// The true verdict of an exact curve with floor P: collapsed when it stays within 10% of P
/// for at least 0.5 decades before the end; saturating when a floor is approached but not
/// for that long; otherwise as given.
func crossover(x: [Double], exact: [Double], floor: Double) -> Double? {
    zip(x, exact).first { $0.1 <= 2 * floor }?.0
}

/// Whether a curve has a stretch of at least 0.5 decades whose local log–log slope is at most
/// 0.1 of its steepest descent, followed by descent (steeper than that) before the end.
func hasPlateauThenDescent(x: [Double], y: [Double]) -> Bool { longestFlatBetweenDescents(x: x, y: y) >= 0.5 }

/// log10 x, and the local descent −d ln y/d ln x between neighbouring points.
func localDescents(x: [Double], y: [Double]) -> (u: [Double], descents: [Double]) {
    let u = x.map { Foundation.log10($0) }, v = y.map { Foundation.log($0) }
    let ln10: Double = Foundation.log(10)
    return (u, (1..<u.count).map { i in -(v[i] - v[i - 1]) / ((u[i] - u[i - 1]) * ln10) })
}

/// The longest stretch (decades) whose local log–log slope is at most 0.1 of the steepest
/// descent, with descent before it and after it (0 if none).
func longestFlatBetweenDescents(x: [Double], y: [Double]) -> Double {
    let (u, slopes) = localDescents(x: x, y: y)
    let band = 0.1 * (slopes.max() ?? 0)
    var start: Int? = nil
    var longest = 0.0
    for i in slopes.indices {
        if abs(slopes[i]) <= band {
            if start == nil { start = i }
        } else {
            if let s = start, slopes[i] > band, slopes[0..<s].contains(where: { $0 > band }) { longest = max(longest, u[i] - u[s]) }
            start = nil
        }
    }
    return longest
}

/// How many decades at the end of the curve its local log–log slope stays within 0.1 of its
/// steepest descent, counted only after a descent (0 if none).
func flatTailDecades(x: [Double], y: [Double]) -> Double {
    let (u, slopes) = localDescents(x: x, y: y)
    let band = 0.1 * (slopes.max() ?? 0)
    var i = slopes.count
    while i > 0, abs(slopes[i - 1]) <= band { i -= 1 }
    guard i < slopes.count, slopes[0..<i].contains(where: { $0 > band }) else { return 0 }
    return u.last! - u[i]
}

func makeCases(count: Int, seed: UInt64) throws -> [Case] {
    var rng = SeededRandom(seed: seed)
    var cases: [Case] = []
    let regimes = ["clean", "saturating", "tailcut", "narrowed", "mixed", "generations", "ridge"]
    var index = 0
    while cases.count < count {
        let regime = regimes[index % regimes.count]
        index += 1
        let sigma = Double.random(in: 0.005...0.05, using: &rng)
        let points = Int.random(in: 15...60, using: &rng)
        let beta = Double.random(in: 1.5...3.0, using: &rng)
        var exact: Series
        var truth: VerdictKind
        var breakpoint: Double? = nil
        var trueFlat: Double? = nil
        var detail = ""
        var previousTruth: VerdictKind? = nil
        switch regime {
        case "clean":
            let lo = Foundation.pow(10, Double.random(in: 1...3, using: &rng))
            exact = try HutterSetting(beta: beta, t: logGrid(lo, lo * Foundation.pow(10, Double.random(in: 4...6, using: &rng)), points)).generate(seed: 1).series[0]
            truth = .scaling
        case "saturating":
            // E + A·x^(−α) still clearly descending at the end: the reducible part is
            // 0.3–3 times the floor at the last point.
            let alpha = Double.random(in: 0.2...0.8, using: &rng)
            let lo = Foundation.pow(10, Double.random(in: 1...3, using: &rng))
            let hi = lo * Foundation.pow(10, Double.random(in: 2.5...5, using: &rng))
            let floor = 1.0
            let a = Double.random(in: 0.3...3, using: &rng) * floor * Foundation.pow(hi, alpha)
            let x = logGrid(lo, hi, points)
            exact = Series(run: "saturating", metric: "loss", x: x, values: x.map { floor + a * Foundation.pow($0, -alpha) })
            truth = .saturating
        case "narrowed":
            let lo = Foundation.pow(10, Double.random(in: 1...3, using: &rng))
            exact = try HutterSetting(beta: beta, narrow: beta * Double.random(in: 1.3...2.0, using: &rng), t: logGrid(lo, lo * 1e5, points)).generate(seed: 1).series[0]
            truth = .scaling
        case "tailcut":
            // Onset k^β/A placed 2.5–4 decades above the start, data 2–3 decades beyond it.
            let lo = 10.0
            let onsetDecades = Double.random(in: 2.5...4, using: &rng)
            let k = max(3, Int(Foundation.pow(Foundation.pow(10, onsetDecades) * lo / 1.6, 1 / beta)))
            let hi = Foundation.pow(Double(k), beta) * 1.6 * Foundation.pow(10, Double.random(in: 2...3, using: &rng))
            let setting = HutterSetting(beta: beta, cut: k, t: logGrid(lo, hi, points))
            exact = try setting.generate(seed: 1).series[0]
            let floor = try SpecialFunctions.hurwitzZeta(beta, Double(k) + 1)! / SpecialFunctions.riemannZeta(beta)!
            let fine = try HutterSetting(beta: beta, cut: k, t: logGrid(lo, hi, 400)).generate(seed: 1).series[0]
            breakpoint = crossover(x: fine.x, exact: fine.values, floor: floor)
            truth = .plateaued
        case "mixed":
            // π log-uniform in [0.001, 0.3]. The plateau lasts about log10(1/π) decades, so
            // for large π the exact curve may show no flat stretch: its truth is read off the
            // exact curve (a stretch of ≥ 0.5 decades whose local slope is ≤ 0.1 of the
            // steepest descent, with descent after it: grokking; otherwise scaling).
            let pi = Foundation.pow(10, Double.random(in: Foundation.log10(0.001)...Foundation.log10(0.3), using: &rng))
            let k = Int.random(in: 10...40, using: &rng)
            let onset = Foundation.pow(Double(k), beta) * 1.6
            let t = logGrid(max(2, onset / 1e2), onset / pi * 1e2, points + 10)
            exact = try HutterSetting(beta: beta, cut: k, mix: pi, t: t).generate(seed: 1).series[0]
            let fine = try HutterSetting(beta: beta, cut: k, mix: pi, t: logGrid(t.first!, t.last!, 400)).generate(seed: 1).series[0]
            let flat = longestFlatBetweenDescents(x: fine.x, y: fine.values)
            truth = flat >= 0.5 ? .grokking : .scaling
            trueFlat = flat
            detail = "pi=\(String(format: "%.4f", pi)) beta=\(String(format: "%.2f", beta)) k=\(k) sigma=\(String(format: "%.3f", sigma)) n=\(points + 10)"
        case "generations":
            let t0 = Int.random(in: 1_000...20_000, using: &rng)
            let g = Int.random(in: 2...6, using: &rng)
            let lo = 10.0
            let setting = HutterSetting(beta: beta, generations: g, t0: t0, t: logGrid(lo, Double(t0) * 1e4, points))
            let data = try setting.generate(seed: UInt64(index))
            exact = data.series[0]
            truth = .plateaued
        default:  // ridge mixture, isotropic closed form E(n) = σ²φ/(1−φ) + p2²c² + p1p2c²φ/(1−φ), φ = d/n
            let d = 100.0, p2 = Double.random(in: 0.05...0.3, using: &rng), c2 = 1.0, s2 = 1.0
            let n = logGrid(2 * d, 2 * d * Foundation.pow(10, Double.random(in: 3...5, using: &rng)), points)
            let ridge = { (nn: Double) -> Double in
                let phi = d / nn
                return s2 * phi / (1 - phi) + p2 * p2 * c2 + (1 - p2) * p2 * c2 * phi / (1 - phi)
            }
            let values = n.map(ridge)
            exact = Series(run: "ridge-p2_\(p2)", metric: "test_error", x: n, values: values)
            let floor = p2 * p2 * c2
            // The detector's own rule on the exact curve: flat (local slope within 0.1 of the
            // steepest descent) for at least the last 0.5 decades, after a descent.
            let fine = logGrid(n.first!, n.last!, 400)
            truth = flatTailDecades(x: fine, y: fine.map(ridge)) >= 0.5 ? .plateaued : .saturating
            // The rule used before (within 10% of the floor for ≥ 0.5 decades before the end),
            // kept to report recall under both.
            let within = zip(n, values).first { $0.1 - floor <= 0.1 * floor }?.0
            previousTruth = within.map { Foundation.log10(n.last! / $0) >= 0.5 } == true ? .plateaued : .saturating
            breakpoint = crossover(x: n, exact: values, floor: floor)
        }
        var series = exact
        series.run = seed == 2026 ? "\(regime)-\(cases.count)" : "s\(seed)-\(regime)-\(cases.count)"
        series.values = exact.values.map { $0 * Foundation.exp(sigma * gaussian(&rng)) }
        cases.append(Case(seed: seed, regime: regime, series: series, truth: truth, breakpoint: breakpoint, trueFlat: trueFlat, detail: detail, exact: exact, previousTruth: previousTruth))
    }
    return cases
}

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 1200
// An optional second argument draws other sets of curves: one seed, or several separated by
// commas, each giving `count` curves, reported per seed and pooled (the default set is 2026).
let seeds = (CommandLine.arguments.count > 2 ? CommandLine.arguments[2] : "2026").split(separator: ",").map { UInt64($0)! }
let cases = try seeds.flatMap { try makeCases(count: count, seed: $0) }
let detector = CurveDetector(criteria: DetectionCriteria(), threads: 1)
let workers = ProcessInfo.processInfo.activeProcessorCount

func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
/// The 1-minute load average before the run (other work on the machine).
let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"

// Curves run in parallel, one per core, each curve's fits on one thread. Curves are handed
// out one at a time (costs differ by regime), so neither core idles while the other works.
let start = DispatchTime.now().uptimeNanoseconds
let cpuStart = processCPUSeconds()
let box = UnsafeMutableBufferPointer<Verdict?>.allocate(capacity: cases.count)
box.initialize(repeating: nil)
nonisolated(unsafe) let slots = box
DispatchQueue.concurrentPerform(iterations: cases.count) { i in
    slots[i] = try? detector.verdict(on: cases[i].series)
}
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
let cpuSeconds = processCPUSeconds() - cpuStart
let verdicts = Array(box)

var matrix: [String: [String: Int]] = [:]
var correct = 0
var perRegime: [String: (Int, Int)] = [:]
var breakpointErrors: [Double] = []
var falseCollapse = 0, cleanCount = 0
var misses: [String] = []
for (c, v) in zip(cases, verdicts) {
    let got = v?.kind.rawValue ?? "error"
    matrix[c.truth.rawValue, default: [:]][got, default: 0] += 1
    let ok = got == c.truth.rawValue
    if ok { correct += 1 } else if misses.count < 12 { misses.append("\(c.series.run): truth \(c.truth.rawValue), got \(got): \(v?.reasons.first ?? "")") }
    perRegime[c.regime, default: (0, 0)].0 += ok ? 1 : 0
    perRegime[c.regime, default: (0, 0)].1 += 1
    if c.regime == "clean" || c.regime == "narrowed" || c.regime == "saturating" {
        cleanCount += 1
        if got == "collapsed" || got == "plateaued" { falseCollapse += 1 }
    }
    // The breakpoint compared with the true crossover: the one the verdict names as the
    // plateau's beginning, else the first inside the data.
    let named = v?.breakpoints.first { $0.meaning.hasPrefix("plateau begins") } ?? v?.breakpoints.first { $0.insideData }
    if ok, let truthX = c.breakpoint, let estimate = named?.x {
        breakpointErrors.append(abs(Foundation.log10(estimate / truthX)))
    }
}
breakpointErrors.sort()
let medianError = breakpointErrors.isEmpty ? Double.nan : breakpointErrors[breakpointErrors.count / 2]
print("curves: \(cases.count), correct: \(correct) (\(String(format: "%.1f", 100 * Double(correct) / Double(cases.count)))%), wall time \(String(format: "%.2f", seconds)) s on \(workers) threads")
print("detection: \(String(format: "%.2f", seconds)) s wall, \(String(format: "%.2f", cpuSeconds)) s CPU (\(String(format: "%.1f", 1000 * cpuSeconds / Double(cases.count))) ms a curve), load average \(load) before the run")
print("collapse or plateau called on clean, narrowed and saturating curves: \(falseCollapse) of \(cleanCount) (\(String(format: "%.1f", 100 * Double(falseCollapse) / Double(max(cleanCount, 1))))%)")
print("median breakpoint error: \(String(format: "%.3f", medianError)) decades over \(breakpointErrors.count) curves")
for (regime, counts) in perRegime.sorted(by: { $0.key < $1.key }) {
    print("recall \(regime): \(counts.0)/\(counts.1) = \(String(format: "%.1f", 100 * Double(counts.0) / Double(counts.1)))%")
}
let ridgePrevious = zip(cases, verdicts).filter { $0.0.previousTruth != nil }
print("recall ridge under the previous label rule (within 10% of the floor): \(ridgePrevious.filter { $0.1?.kind == $0.0.previousTruth }.count)/\(ridgePrevious.count)")
if seeds.count > 1 {
    for seed in seeds {
        var row: [String: (Int, Int)] = [:]
        for (c, v) in zip(cases, verdicts) where c.seed == seed {
            row[c.regime, default: (0, 0)].0 += v?.kind == c.truth ? 1 : 0
            row[c.regime, default: (0, 0)].1 += 1
        }
        print("seed \(seed) recall: " + row.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0)/\($0.value.1) = \(String(format: "%.1f", 100 * Double($0.value.0) / Double($0.value.1)))%" }.joined(separator: ", "))
    }
}
print("per regime (correct/total): " + perRegime.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0)/\($0.value.1)" }.joined(separator: ", "))
let kinds = VerdictKind.allCases.map(\.rawValue) + ["error"]
print("confusion matrix (rows: truth, columns: verdict)")
print("truth\\got".padding(toLength: 12, withPad: " ", startingAt: 0) + kinds.map { $0.padding(toLength: 11, withPad: " ", startingAt: 0) }.joined())
for truth in VerdictKind.allCases.map(\.rawValue) where matrix[truth] != nil {
    print(truth.padding(toLength: 12, withPad: " ", startingAt: 0) + kinds.map { String(matrix[truth]?[$0] ?? 0).padding(toLength: 11, withPad: " ", startingAt: 0) }.joined())
}
for m in misses { print("miss: \(m)") }
// Per regime and verdict (the generating class against what the detector said).
print("regime\\got".padding(toLength: 12, withPad: " ", startingAt: 0) + kinds.map { $0.padding(toLength: 11, withPad: " ", startingAt: 0) }.joined())
for regime in perRegime.keys.sorted() {
    var row: [String: Int] = [:]
    for (c, v) in zip(cases, verdicts) where c.regime == regime { row[v?.kind.rawValue ?? "error", default: 0] += 1 }
    print(regime.padding(toLength: 12, withPad: " ", startingAt: 0) + kinds.map { String(row[$0] ?? 0).padding(toLength: 11, withPad: " ", startingAt: 0) }.joined())
}
// DETECT_DIAGNOSE=1: per mixed curve, the exact curve's flat stretch against the fitted one's
// (the same rule on 400 points of each over the data's range).
if ProcessInfo.processInfo.environment["DETECT_DIAGNOSE"] == "1" {
    print("diagnose: run truth got model trueFlat fittedFlat exactFitFlat detail")
    func fittedFlat(_ v: Verdict?, _ s: Series) -> Double {
        guard let law = v?.law, let fit = v?.fit else { return .nan }
        let x = logGrid(s.x.first!, s.x.last!, 400)
        return longestFlatBetweenDescents(x: x, y: x.map { law.value($0, .nan, parameters: fit.values) })
    }
    for (c, v) in zip(cases, verdicts) where c.regime == "mixed" {
        let onExact = c.exact.flatMap { try? detector.verdict(on: $0) }
        var extra = ""
        if v?.chosenModel == "broken2" || v?.chosenModel == "broken1", let fit = v?.fit {
            let law = BrokenPowerLaw(breaks: 2)
            var options = FitOptions()
            options.fixed = ["E": 0]
            options.solver.maxIterations = 2000
            var fromExact = options
            fromExact.starts = [onExact?.fit?.values].compactMap { $0 }.filter { $0.count == 9 }
            let a = fromExact.starts!.isEmpty ? nil : try? law.fit(to: c.series, options: fromExact)
            let b = try? law.fit(to: c.series, options: options)
            func flat(_ r: FitResult?) -> String {
                guard let r else { return "-" }
                let x = logGrid(c.series.x.first!, c.series.x.last!, 400)
                return String(format: "%.3f", longestFlatBetweenDescents(x: x, y: x.map { law.value($0, .nan, parameters: r.values) }))
            }
            let fs = { (r: FitResult?) -> String in
                guard let v = r?.values, v.count == 9 else { return "-" }
                return String(format: "f=%.3f,%.3f c=%.3f,%.3f,%.3f d=%.3g,%.3g", v[5], v[8], v[2], v[3], v[6], v[4], v[7])
            }
            extra = "noisy[\(fs(fit))] exact[\(fs(onExact?.fit))] chosenObj=\(String(format: "%.5g", fit.objective)) fromExact=\(a.map { String(format: "%.5g/%@", $0.objective, $0.converged ? "c" : "n") } ?? "-") flat=\(flat(a)) grid=\(b.map { String(format: "%.5g/%@", $0.objective, $0.converged ? "c" : "n") } ?? "-") flat=\(flat(b))"
        }
        print("diagnose: \(c.series.run) \(c.truth.rawValue) \(v?.kind.rawValue ?? "error") \(v?.chosenModel ?? "-") \(String(format: "%.3f", c.trueFlat ?? .nan)) \(String(format: "%.3f", fittedFlat(v, c.series))) \(String(format: "%.3f", c.exact.map { fittedFlat(onExact, $0) } ?? .nan)) \(c.detail) \(extra)")
    }
}
if ProcessInfo.processInfo.environment["DETECT_DIAGNOSE"] == "1" {
    for (c, v) in zip(cases, verdicts) where v?.kind != c.truth {
        print("miss: \(c.series.run) truth \(c.truth.rawValue) got \(v?.kind.rawValue ?? "error") n=\(c.series.count) x=\(String(format: "%.3g", c.series.x.first!))..\(String(format: "%.3g", c.series.x.last!)) | " + (v?.reasons ?? []).joined(separator: " | ") + " || " + (v?.warnings ?? []).joined(separator: " | "))
    }
}
// DETECT_DUMP=NAME writes that curve's points to /dev/stdout as CSV (x,y).
if let name = ProcessInfo.processInfo.environment["DETECT_DUMP"], let c = cases.first(where: { $0.series.run == name }) {
    print("x,y")
    for (x, y) in zip(c.series.x, c.series.values) { print("\(x),\(y)") }
}
