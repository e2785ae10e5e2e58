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
    var regime: String
    var series: Series
    var truth: VerdictKind
    /// The true crossover where the decreasing part equals the floor (collapse), if any.
    var breakpoint: Double?
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
func hasPlateauThenDescent(x: [Double], y: [Double]) -> Bool {
    let u = x.map { Foundation.log10($0) }, v = y.map { Foundation.log($0) }
    let ln10: Double = Foundation.log(10)
    var slopes: [Double] = []
    for i in 1..<u.count {
        let rise: Double = v[i] - v[i - 1]
        let run: Double = (u[i] - u[i - 1]) * ln10
        slopes.append(-rise / run)
    }
    let band = 0.1 * (slopes.max() ?? 0)
    var start: Int? = nil
    for i in slopes.indices {
        if abs(slopes[i]) <= band {
            if start == nil { start = i }
        } else {
            if let s = start, u[i] - u[s] >= 0.5, slopes[i] > band, slopes[0..<s].contains(where: { $0 > band }) { return true }
            start = nil
        }
    }
    return false
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
            truth = hasPlateauThenDescent(x: fine.x, y: fine.values) ? .grokking : .scaling
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
            let values = n.map { nn -> Double in
                let phi = d / nn
                return s2 * phi / (1 - phi) + p2 * p2 * c2 + (1 - p2) * p2 * c2 * phi / (1 - phi)
            }
            exact = Series(run: "ridge-p2_\(p2)", metric: "test_error", x: n, values: values)
            let floor = p2 * p2 * c2
            // Within 10% of the floor for ≥ 0.5 decades before the end?
            let within = zip(n, values).first { $0.1 - floor <= 0.1 * floor }?.0
            truth = within.map { Foundation.log10(n.last! / $0) >= 0.5 } == true ? .plateaued : .saturating
            breakpoint = crossover(x: n, exact: values, floor: floor)
        }
        var series = exact
        series.run = "\(regime)-\(cases.count)"
        series.values = exact.values.map { $0 * Foundation.exp(sigma * gaussian(&rng)) }
        if regime == "tailcut" || regime == "generations" {
            // A curve whose plateau is reached only at the very end is not a collapse in range.
            _ = 0
        }
        cases.append(Case(regime: regime, series: series, truth: truth, breakpoint: breakpoint))
    }
    return cases
}

let count = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 1200
// An optional second argument draws another set of curves (the default set is seed 2026).
let seed = CommandLine.arguments.count > 2 ? UInt64(CommandLine.arguments[2])! : 2026
let cases = try makeCases(count: count, seed: seed)
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
