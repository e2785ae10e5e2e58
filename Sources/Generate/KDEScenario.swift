import Foundation
import ScalefitCore

/// The 2-D data sets of the KDE setting (docs/collapse-models.md §4.2; shapes as scikit-learn's
/// generators describe them, re-implemented here).
public enum KDEDataset: String, CaseIterable, Sendable, Codable {
    /// Three isotropic Gaussian blobs (std 1) with centres drawn once, uniformly in [−10, 10]².
    case blobs
    /// Two interleaving half circles, Gaussian noise 0.05.
    case moons
    /// Two concentric circles, radii 1 and 0.8, Gaussian noise 0.05.
    case circles
    /// The Swiss roll seen from its axis: (t cos t, t sin t) with t = 1.5π(1 + 2u), u uniform,
    /// Gaussian noise 0.05 (the (x, z) plane of scikit-learn's 3-D roll).
    case swissRoll = "swiss-roll"
}

/// Iterated kernel density estimation (docs/collapse-models.md §4.2, [CT]): a Gaussian-kernel
/// KDE with fixed bandwidth h is fitted on the workflow's training set, and n new points
/// are drawn from it (a training point plus N(0, h²I)). Metric per iteration:
/// `test_nll`, the mean negative log-likelihood of 500 fresh real test points.
public struct KDESetting: Sendable, Hashable, Codable {
    public var dataset: KDEDataset
    public var n: Int
    public var bandwidth: Double
    public var iterations: Int
    public var workflow: Workflow
    public var replicates: Int
    public var testPoints: Int

    public init(dataset: KDEDataset, n: Int, bandwidth: Double, iterations: Int, workflow: Workflow,
                replicates: Int = 10, testPoints: Int = 500) {
        self.dataset = dataset
        self.n = n
        self.bandwidth = bandwidth
        self.iterations = iterations
        self.workflow = workflow
        self.replicates = replicates
        self.testPoints = testPoints
    }

    public func validate() throws {
        try require(n >= 1 && n <= 100_000, "--n must be between 1 and 1e5")
        try require(bandwidth.isFinite && bandwidth > 0, "--bandwidth must be > 0")
        try require(iterations >= 1 && iterations <= 1000, "--iterations must be between 1 and 1000")
        try require(replicates >= 1 && replicates <= 10_000, "--replicates must be between 1 and 1e4")
        let pool = workflow == .accumulate ? Double(iterations) * Double(n) / 2 : Double(n)
        let work = Double(replicates) * Double(iterations) * Double(testPoints) * pool
        try require(work <= 5e9, "replicates·iterations·500·pool is too large (\(work)); lower one of them")
    }

    /// Draws `count` real points (x, y interleaved); `centres` are the blob centres.
    static func real(_ dataset: KDEDataset, _ count: Int, centres: [Double], rng: GSLRandom) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(2 * count)
        for _ in 0..<count {
            switch dataset {
            case .blobs:
                let c = rng.uniformInt(below: centres.count / 2)
                out += [centres[2 * c] + rng.gaussian(), centres[2 * c + 1] + rng.gaussian()]
            case .moons:
                let t = Double.pi * rng.uniform()
                if rng.uniform() < 0.5 {
                    out += [cos(t) + rng.gaussian(sigma: 0.05), sin(t) + rng.gaussian(sigma: 0.05)]
                } else {
                    out += [1 - cos(t) + rng.gaussian(sigma: 0.05), 0.5 - sin(t) + rng.gaussian(sigma: 0.05)]
                }
            case .circles:
                let t = 2 * Double.pi * rng.uniform()
                let radius = rng.uniform() < 0.5 ? 1 : 0.8
                out += [radius * cos(t) + rng.gaussian(sigma: 0.05), radius * sin(t) + rng.gaussian(sigma: 0.05)]
            case .swissRoll:
                let t = 1.5 * Double.pi * (1 + 2 * rng.uniform())
                out += [t * cos(t) + rng.gaussian(sigma: 0.05), t * sin(t) + rng.gaussian(sigma: 0.05)]
            }
        }
        return out
    }

    /// Mean −log KDE(y) over the test points (log-sum-exp over the kernel centres).
    static func meanNLL(test: [Double], centres: [Double], bandwidth h: Double) -> Double {
        let m = centres.count / 2
        let logNorm = log(Double(m)) + log(2 * Double.pi * h * h)
        let scale = -0.5 / (h * h)
        var total = 0.0
        var exponents = [Double](repeating: 0, count: m)
        for i in 0..<(test.count / 2) {
            let x = test[2 * i], y = test[2 * i + 1]
            var top = -Double.infinity
            for j in 0..<m {
                let dx = x - centres[2 * j], dy = y - centres[2 * j + 1]
                let e = scale * (dx * dx + dy * dy)
                exponents[j] = e
                if e > top { top = e }
            }
            var s = 0.0
            for j in 0..<m { s += exp(exponents[j] - top) }
            total += -(top + log(s) - logNorm)
        }
        return total / Double(test.count / 2)
    }

    func simulate(seed: UInt64) throws -> ReplicateAverages {
        try validate()
        var averages = ReplicateAverages(metrics: 1, steps: iterations)
        for r in 0..<replicates {
            let rng = try GSLRandom(seed: GSLRandom.subseed(seed, UInt64(r)))
            let blobCentres = (0..<6).map { _ in -10 + 20 * rng.uniform() }
            let test = Self.real(dataset, testPoints, centres: blobCentres, rng: rng)
            var latest = Self.real(dataset, n, centres: blobCentres, rng: rng)
            var pool = PointPool(dimension: 2)
            pool.points = latest
            var row = [Double](repeating: 0, count: iterations)
            for t in 0..<iterations {
                let training = t == 0 ? latest : pool.trainingSet(workflow, latest: latest, n: n, rng: rng)
                row[t] = Self.meanNLL(test: test, centres: training, bandwidth: bandwidth)
                if t == iterations - 1 { break }
                let m = training.count / 2
                latest = []
                latest.reserveCapacity(2 * n)
                for _ in 0..<n {
                    let j = rng.uniformInt(below: m)
                    latest += [training[2 * j] + rng.gaussian(sigma: bandwidth), training[2 * j + 1] + rng.gaussian(sigma: bandwidth)]
                }
                if workflow != .replace { pool.points += latest }
            }
            averages.add([row])
        }
        return averages
    }

    public var runName: String { "kde-\(dataset.rawValue)-\(workflow.rawValue)" }

    public func generate(seed: UInt64, toolVersion: String = GroundTruth.defaultToolVersion) throws -> GeneratedData {
        let averages = try simulate(seed: seed)
        let x = (1...iterations).map(Double.init)
        let labels = ["workflow": workflow.rawValue, "dataset": dataset.rawValue]
        var series = [Series(run: runName, metric: "test_nll", x: x, values: averages.mean(0), labels: labels)]
        if replicates > 1 {
            series.append(Series(run: runName, metric: "test_nll_stderr", x: x, values: averages.standardError(0), labels: labels))
        }
        let truth = GroundTruth(
            scenario: "kde", reference: "docs/collapse-models.md §4.1–4.2 (Collapse or Thrive?, arXiv 2410.16713)",
            seed: seed,
            parameters: [
                "dataset": .text(dataset.rawValue), "n": .integer(n), "bandwidth": .number(bandwidth),
                "iterations": .integer(iterations), "workflow": .text(workflow.rawValue),
                "replicates": .integer(replicates), "test_points": .integer(testPoints),
            ],
            law: [
                "expected_behaviour": .text(workflow == .replace
                    ? "test NLL grows without bound (collapse)"
                    : workflow == .accumulate ? "test NLL stays bounded" : "test NLL degrades slowly"),
                "metric": "mean negative log-likelihood of fresh real test points under the fitted KDE",
            ],
            toolVersion: toolVersion)
        return GeneratedData(series: series, truth: truth)
    }
}
