// Generate benchmark: the Swift side. Prints one JSON object per task with the median
// wall time over repeats. Run through benchmarks/generate/run.sh (release build).
import Foundation
import Generate

/// CPU time of this thread (the machine is shared: wall time would count other jobs).
func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

var wallTimes: [String: [Double]] = [:]
var currentTask = ""

/// Thread CPU seconds of `body`; its wall time is kept in `wallTimes[currentTask]`.
@MainActor func seconds(_ body: () throws -> Void) rethrows -> Double {
    let wall = DispatchTime.now().uptimeNanoseconds
    let start = cpuSeconds()
    try body()
    let cpu = cpuSeconds() - start
    wallTimes[currentTask, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - wall) / 1e9)
    return cpu
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

@MainActor func report(_ task: String, _ times: [Double], _ extra: [String: Double] = [:]) {
    var fields = ["\"task\": \"\(task)\"", "\"median_s\": \(median(times))", "\"median_wall_s\": \(median(wallTimes[currentTask] ?? [0]))", "\"repeats\": \(times.count)"]
    for (k, v) in extra.sorted(by: { $0.key < $1.key }) { fields.append("\"\(k)\": \(v)") }
    print("{" + fields.joined(separator: ", ") + "}")
}

func logSpace(_ from: Double, _ to: Double, _ count: Int) -> [Double] {
    (0..<count).map { pow(10, log10(from) + (log10(to) - log10(from)) * Double($0) / Double(count - 1)) }
}

var sink = 0.0

// 1. Exact curve, N = 1e6 ranks, 50 values of T (set-up included).
do {
    currentTask = "exact_n1e6_t50"
    let setting = HutterSetting(beta: 1.5, ranks: 1_000_000, t: logSpace(1e2, 1e12, 50))
    let times = try (0..<21).map { _ in try seconds { sink += try setting.generate(seed: 1).series[0].values.reduce(0, +) } }
    report("exact_n1e6_t50", times)
}

// 2. Exact curve, N = 1e9 ranks, 100 values of T.
do {
    currentTask = "exact_n1e9_t100"
    let setting = HutterSetting(beta: 1.5, ranks: 1_000_000_000, t: logSpace(1e2, 1e15, 100))
    let times = try (0..<21).map { _ in try seconds { sink += try setting.generate(seed: 1).series[0].values.reduce(0, +) } }
    report("exact_n1e9_t100", times)
}

// 3. Monte Carlo, T = 1e12 tokens, Zipf(2) on 1e6 ranks (one draw of the unseen mass).
do {
    currentTask = "montecarlo_t1e12_n1e6"
    let setting = HutterSetting(beta: 2, ranks: 1_000_000, mode: .monteCarlo, t: [1e12])
    var seed: UInt64 = 0
    let times = try (0..<7).map { _ in try seconds { seed += 1; sink += try setting.generate(seed: seed).series[0].values[0] } }
    report("montecarlo_t1e12_n1e6", times)
}

// 3b. The same with an unbounded support (numpy cannot hold the array).
do {
    currentTask = "montecarlo_t1e12_ninf"
    let setting = HutterSetting(beta: 2, ranks: nil, mode: .monteCarlo, t: [1e12])
    var seed: UInt64 = 100
    let times = try (0..<7).map { _ in try seconds { seed += 1; sink += try setting.generate(seed: seed).series[0].values[0] } }
    report("montecarlo_t1e12_ninf", times)
}

// 4. Token emission, Zipf(β) on 1e6 ranks, 2e7 tokens per repeat, one core.
for beta in [1.5, 1.1] {
    currentTask = "emit_n1e6_beta\(beta)"
    var sampler = try ZipfTokenSampler(beta: beta, ranks: 1_000_000, seed: 3)
    var tokens = [Int](repeating: 0, count: 20_000_000)
    let times = (0..<7).map { _ in seconds { sampler.fill(&tokens) } }
    sink += Double(tokens[12345])
    report("emit_n1e6_beta\(beta)", times, ["tokens_per_s": Double(tokens.count) / median(times)])
}

// 5. GSL's alias table (gsl_ran_discrete) on the same law, for reference (table build included).
do {
    currentTask = "gsl_ran_discrete_n1e6_beta1.5"
    let weights = (1...1_000_000).map { pow(Double($0), -1.5) }
    let rng = try GSLRandom(seed: 4)
    let count = 10_000_000
    let times = try (0..<5).map { _ in try seconds { sink += Double(try rng.discreteSamples(weights: weights, count: count)[7]) } }
    report("gsl_ran_discrete_n1e6_beta1.5", times, ["tokens_per_s": Double(count) / median(times)])
}

FileHandle.standardError.write(Data("checksum \(sink)\n".utf8))
