import Foundation
import ScalefitCore

/// i.i.d. discrete power-law samples for the tail-exponent tools (``zipfSamples(exponent:xmin:count:seed:)``).
public struct ZipfSampleSetting: Sendable, Hashable, Codable {
    /// α > 1 in p(x) ∝ x^(−α).
    public var alpha: Double
    public var xmin: Int
    public var count: Int

    public init(alpha: Double, xmin: Int = 1, count: Int) {
        self.alpha = alpha
        self.xmin = xmin
        self.count = count
    }

    public func validate() throws {
        try require(alpha.isFinite && alpha > 1, "--alpha must be > 1, got \(alpha)")
        try require(xmin >= 1, "--xmin must be ≥ 1, got \(xmin)")
        try require(count >= 1 && count <= 100_000_000, "--count must be between 1 and 1e8, got \(count)")
    }

    /// The samples (one per line in `samples.txt`) and their truth.
    public func generate(seed: UInt64, toolVersion: String = GroundTruth.defaultToolVersion) throws -> GeneratedData {
        try validate()
        let samples = zipfSamples(exponent: alpha, xmin: xmin, count: count, seed: seed)
        let normaliser = try ZipfMath.hurwitz(alpha, Double(xmin))
        let truth = GroundTruth(
            scenario: "zipf-sample",
            reference: "Clauset, Shalizi & Newman, SIAM Review 51 (2009), eq. (2.4): discrete power law",
            seed: seed,
            parameters: ["alpha": .number(alpha), "xmin": .integer(xmin), "count": .integer(count)],
            law: [
                "pmf": "p(x) = x^-alpha / zeta(alpha, xmin), integer x >= xmin",
                "zeta_alpha_xmin": .number(normaliser),
                "alpha": .number(alpha),
            ],
            toolVersion: toolVersion)
        return GeneratedData(series: [], truth: truth, extraFiles: ["samples.txt": TokenStream.lines(samples)])
    }
}
