import ArgumentParser
import Foundation
import Generate
import ScalefitCore

/// `scalefit generate SCENARIO [parameters] --out DIR --seed S`: data with known ground truth.
///
/// Every scenario writes `DIR/data.csv` in the normal form (or `DIR/data.json` with
/// `--json`) and `DIR/truth.json`, atomically, and only after every parameter was checked
/// and every value computed: a bad parameter exits 2 and writes nothing.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate scaling-law and model-collapse data whose true law is known.",
        subcommands: [
            HutterCommand.self, RidgeCommand.self, MultinomialCommand.self, GaussianCommand.self,
            KDECommand.self, ZipfSampleCommand.self,
        ]
    )
}

/// Options every scenario shares.
struct OutputOptions: ParsableArguments {
    @Option(help: "The folder to write data.csv and truth.json into (created if missing).")
    var out: String

    @Option(help: "The random seed; the same seed gives byte-identical files.")
    var seed: UInt64 = 1

    @Flag(help: "Write data.json instead of data.csv.")
    var json = false

    func write(_ data: GeneratedData) throws {
        try data.write(to: out, json: json)
        FileHandle.standardError.write(Data("scalefit: wrote \(out)/\(json ? "data.json" : "data.csv") and \(out)/truth.json\n".utf8))
    }
}

/// Parsing helpers for counts written as `1e9`, lists and log-spaced ranges.
enum ArgumentValues {
    /// An integer count, accepting `1000`, `1e9`, `2.5e6`.
    static func count(_ text: String, _ name: String) throws -> Int {
        if let v = Int(text) { return v }
        guard let d = Double(text), d.isFinite, d.rounded() == d, abs(d) < 9.2e18 else {
            throw UsageError("\(name) expects an integer (e.g. 1000 or 1e9), got \"\(text)\"")
        }
        return Int(d)
    }

    /// `1e3,1e4` → [1000, 10000].
    static func list(_ text: String, _ name: String) throws -> [Double] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        return try parts.map { part in
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let v = Double(trimmed), v.isFinite else {
                throw UsageError("\(name) expects comma-separated numbers, got \"\(trimmed)\"")
            }
            return v
        }
    }

    /// `FROM:TO:COUNT` → COUNT log-spaced values from FROM to TO.
    static func logRange(_ text: String, _ name: String) throws -> [Double] {
        let parts = text.split(separator: ":").map(String.init)
        guard parts.count == 3, let from = Double(parts[0]), let to = Double(parts[1]),
              let count = Int(parts[2]), from > 0, to >= from, from.isFinite, to.isFinite, count >= 1, count <= 100_000
        else { throw UsageError("\(name) expects FROM:TO:COUNT with 0 < FROM ≤ TO and 1 ≤ COUNT ≤ 100000, got \"\(text)\"") }
        if count == 1 { return [from] }
        // Powers of ten in log10 space, so 1e2:1e10:5 gives exactly 1e2, 1e4, …, 1e10.
        let a = log10(from), b = log10(to)
        return (0..<count).map { k in k == count - 1 ? to : (k == 0 ? from : pow(10, a + (b - a) * Double(k) / Double(count - 1))) }
    }

    /// Exactly one of a list and a range.
    static func grid(list: String?, range: String?, listName: String, rangeName: String) throws -> [Double] {
        switch (list, range) {
        case let (l?, nil): return try self.list(l, listName)
        case let (nil, r?): return try logRange(r, rangeName)
        case (nil, nil): throw UsageError("give \(listName) LIST or \(rangeName) FROM:TO:COUNT")
        default: throw UsageError("give only one of \(listName) and \(rangeName)")
        }
    }
}

extension HutterMode: ExpressibleByArgument {}

/// `scalefit generate hutter`: the memorising learner on Zipf data (docs/collapse-models.md §1.1).
struct HutterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hutter",
        abstract: "Test error of a memorising learner on Zipf(β) data: clean, tail-cut, narrowed, mixed or after generations.",
        discussion: """
            E(T) = Σ_i p_i (1 − q_i)^T with p = Zipf(β) on N ranks and q the training law.
            Example: scalefit generate hutter --beta 2 --cut 1000 --mix 0.01 --t-range 1e2:1e12:50 --out runs/mix
            """
    )

    @Option(help: "Zipf exponent β > 1 of the real (test) distribution.")
    var beta: Double

    @Option(help: "Support size N, or inf.")
    var ranks: String = "inf"

    @Option(help: "Tail cut: the synthetic part keeps ranks 1...K.")
    var cut: String?

    @Option(help: "Tail narrowing: the synthetic part is Zipf(B2).")
    var narrow: Double?

    @Option(help: "Clean fraction π mixed with the part --cut/--narrow describes.")
    var mix: Double?

    @Option(help: "Number of generations G (each generator trained on --t0 samples).")
    var generations: Int = 0

    @Option(help: "Samples T0 each generation's generator is trained on.")
    var t0: String?

    @Option(help: "exact (the expectation) or monte-carlo (seeded draws).")
    var mode: HutterMode = .exact

    @Option(name: .customLong("t"), parsing: .upToNextOption, help: "Training sizes: `--t 1e3,1e4`, `--t 1e3 1e4` or repeated.")
    var tList: [String] = []

    @Option(name: .customLong("t-range"), help: "FROM:TO:COUNT, log-spaced training sizes.")
    var tRange: String?

    @Option(help: "Monte Carlo replicates per T (mean and standard error are written).")
    var replicates: Int = 1

    @Option(name: .customLong("emit-tokens"), help: "Also write the first N tokens of a training stream to tokens.txt.")
    var emitTokens: String?

    @Option(help: "Multiplicative noise: each value times exp(SIGMA·z), z standard normal (seeded); 0 writes the expectation.")
    var noise: Double = 0

    @OptionGroup var output: OutputOptions

    func run() throws {
        // 2^-β is the weight of rank 2 relative to rank 1: past β = 1022 it is below the
        // smallest normal double (2.2e-308), every rank after the first weighs 0 and the
        // error curve comes out as exactly 0 (β = 1e4) or NaN (β = 1e300).
        if beta.isFinite, beta > 1022 {
            throw UsageError("--beta \(beta): rank 2 would weigh 2^-β, below the smallest double (2.2e-308), and the curve would be 0 or NaN; use β ≤ 1022")
        }
        let ranksValue: Int? = ranks.lowercased() == "inf" ? nil : try ArgumentValues.count(ranks, "--ranks")
        var setting = HutterSetting(
            beta: beta, ranks: ranksValue,
            cut: try cut.map { try ArgumentValues.count($0, "--cut") },
            narrow: narrow, mix: mix, generations: generations,
            t0: try t0.map { try ArgumentValues.count($0, "--t0") },
            mode: mode,
            t: try ArgumentValues.grid(list: tList.isEmpty ? nil : ListArgument.split(tList).joined(separator: ","), range: tRange, listName: "--t", rangeName: "--t-range"),
            replicates: replicates,
            emitTokens: try emitTokens.map { try ArgumentValues.count($0, "--emit-tokens") })
        setting.noise = noise
        try output.write(try Scenario.hutter(setting).generate(seed: output.seed, toolVersion: ScalefitCommand.version))
    }
}

/// `scalefit generate zipf-sample`: i.i.d. discrete power-law samples, one per line.
struct ZipfSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zipf-sample",
        abstract: "i.i.d. samples of p(x) ∝ x^(−α), integer x ≥ xmin (Clauset–Shalizi–Newman), one per line.",
        discussion: "Writes DIR/samples.txt and DIR/truth.json; without --out, prints the samples."
    )

    @Option(help: "Exponent α > 1.")
    var alpha: Double

    @Option(help: "Smallest value xmin ≥ 1.")
    var xmin: Int = 1

    @Option(help: "Number of samples.")
    var count: String

    @Option(help: "The folder to write samples.txt and truth.json into; standard output when omitted.")
    var out: String?

    @Option(help: "The random seed.")
    var seed: UInt64 = 1

    func run() throws {
        let setting = ZipfSampleSetting(alpha: alpha, xmin: xmin, count: try ArgumentValues.count(count, "--count"))
        let data = try Scenario.zipfSample(setting).generate(seed: seed, toolVersion: ScalefitCommand.version)
        if let out {
            try data.write(to: out)
        } else {
            FileHandle.standardOutput.write(Data(data.extraFiles["samples.txt", default: ""].utf8))
        }
    }
}

extension Workflow: ExpressibleByArgument {}
extension RealSample: ExpressibleByArgument {}
extension KDEDataset: ExpressibleByArgument {}

/// `scalefit generate ridge`: real + synthetic rows, ridge fit, test error vs n (§2).
struct RidgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ridge",
        abstract: "Ridge regression on real and synthetic rows: test error vs n, with the isotropic closed form.",
        discussion: "Example: scalefit generate ridge --d 200 --p2 0.1 --c2 1 --n-range 400:20000:12 --out runs/ridge"
    )

    @Option(help: "Dimension d.") var d: Int
    @Option(help: "Synthetic fraction p2 of the rows.") var p2: Double
    @Option(help: "Label quality gap c² = ‖w2* − w1*‖².") var c2: Double
    @Option(help: "Label noise σ.") var sigma: Double = 1
    @Option(help: "Ridge λ (0 = least squares; needs n > width).") var lambda: Double = 0
    @Option(help: "Random projection width m (model size).") var m: Int?
    @Option(name: .customLong("n"), help: "Comma-separated sample sizes.") var nList: String?
    @Option(name: .customLong("n-range"), help: "FROM:TO:COUNT, log-spaced sample sizes.") var nRange: String?
    @Option(help: "Designs per n.") var replicates: Int = 20
    @OptionGroup var output: OutputOptions

    func run() throws {
        let sizes = try ArgumentValues.grid(list: nList, range: nRange, listName: "--n", rangeName: "--n-range")
        guard sizes.allSatisfy({ $0 >= 1 && $0 < 1e9 }) else { throw UsageError("every n must be ≥ 1") }
        let setting = RidgeSetting(dimension: d, p2: p2, c2: c2, sigma: sigma, lambda: lambda, projection: m,
                                   sizes: sizes.map { Int($0.rounded()) }, replicates: replicates)
        try output.write(try Scenario.ridge(setting).generate(seed: output.seed, toolVersion: ScalefitCommand.version))
    }
}

/// `scalefit generate multinomial`: recursive estimation of a categorical law (§3).
struct MultinomialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "multinomial",
        abstract: "Recursive estimation of a categorical distribution: S_m, entropy, support size, drift per generation.",
        discussion: "Example: scalefit generate multinomial --vocab 100 --n 50 --generations 200 --out runs/multi"
    )

    @Option(help: "Vocabulary size V.") var vocab: Int
    @Option(help: "Zipf exponent of p⁽⁰⁾ (0 = uniform).") var beta: Double = 1.2
    @Option(help: "Synthetic samples n per generation.") var n: Int
    @Option(help: "Real samples N per generation (0 = fully synthetic).") var real: Int = 0
    @Option(name: .customLong("real-sample"), help: "fresh or fixed real sample.") var realSample: RealSample = .fresh
    @Option(help: "Generations M.") var generations: Int
    @Option(help: "Independent chains to average.") var replicates: Int = 100
    @OptionGroup var output: OutputOptions

    func run() throws {
        let setting = MultinomialSetting(vocabulary: vocab, beta: beta, n: n, real: real, realSample: realSample,
                                         generations: generations, replicates: replicates)
        try output.write(try Scenario.multinomial(setting).generate(seed: output.seed, toolVersion: ScalefitCommand.version))
    }
}

/// `scalefit generate gaussian`: iterated Gaussian fitting under a workflow (§4).
struct GaussianCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaussian",
        abstract: "Iterated multivariate Gaussian fitting: replace, accumulate or accumulate-subsample.",
        discussion: "Example: scalefit generate gaussian --d 2 --n 100 --iterations 100 --workflow replace --out runs/gauss"
    )

    @Option(help: "Dimension d.") var d: Int
    @Option(help: "True variance σ² (covariance σ²I).") var sigma2: Double = 1
    @Option(help: "Samples n per iteration.") var n: Int
    @Option(help: "Iterations T.") var iterations: Int
    @Option(help: "replace, accumulate or accumulate-subsample.") var workflow: Workflow
    @Option(help: "Independent runs to average.") var replicates: Int = 100
    @OptionGroup var output: OutputOptions

    func run() throws {
        let setting = GaussianSetting(dimension: d, sigma2: sigma2, n: n, iterations: iterations, workflow: workflow, replicates: replicates)
        try output.write(try Scenario.gaussian(setting).generate(seed: output.seed, toolVersion: ScalefitCommand.version))
    }
}

/// `scalefit generate kde`: iterated kernel density estimation under a workflow (§4).
struct KDECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kde",
        abstract: "Iterated Gaussian-kernel density estimation on 2-D data: test NLL per iteration.",
        discussion: "Example: scalefit generate kde --dataset moons --n 200 --bandwidth 0.1 --iterations 30 --workflow accumulate --out runs/kde"
    )

    @Option(help: "blobs, moons, circles or swiss-roll.") var dataset: KDEDataset = .moons
    @Option(help: "Samples n per iteration.") var n: Int
    @Option(help: "Kernel bandwidth h.") var bandwidth: Double = 0.1
    @Option(help: "Iterations T.") var iterations: Int
    @Option(help: "replace, accumulate or accumulate-subsample.") var workflow: Workflow
    @Option(help: "Independent runs to average.") var replicates: Int = 10
    @OptionGroup var output: OutputOptions

    func run() throws {
        let setting = KDESetting(dataset: dataset, n: n, bandwidth: bandwidth, iterations: iterations, workflow: workflow, replicates: replicates)
        try output.write(try Scenario.kde(setting).generate(seed: output.seed, toolVersion: ScalefitCommand.version))
    }
}
