import Foundation
import Testing
@testable import Tail

/// The four data sets of Clauset, Shalizi & Newman (2009), as shipped with the `powerlaw`
/// package (fixtures/reference-data/zipf-csn2009/PROVENANCE.md).
enum ReferenceData {
    /// `<repo>/fixtures/reference-data/zipf-csn2009`, found from this file's path.
    static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TailTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("fixtures/reference-data/zipf-csn2009")

    static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("words.txt").path)
    }

    static func sample(_ name: String, scale: Double = 1) throws -> TailSample {
        let text = try String(contentsOf: folder.appendingPathComponent(name + ".txt"), encoding: .utf8)
        let parsed = try TailInput.parse(text, file: name + ".txt", format: .samples)
        return scale == 1 ? parsed.sample : parsed.sample.scaled(by: scale)
    }
}

/// One row of Clauset et al. 2009, Table 6.1.
struct PublishedFit: Sendable, CustomStringConvertible {
    var name: String
    var kind: TailKind
    var scale: Double
    var xmin: Double
    var alpha: Double
    var alphaUncertainty: Double
    var description: String { name }
}

@Suite("Clauset–Shalizi–Newman 2009 reference data", .enabled(if: ReferenceData.isAvailable, "fixtures/reference-data/zipf-csn2009 is missing; these tests need it"))
struct ReferenceDataTests {
    /// Clauset, Shalizi & Newman, SIAM Review 51 (2009), Table 6.1.
    static let table61: [PublishedFit] = [
        PublishedFit(name: "words", kind: .discrete, scale: 1, xmin: 7, alpha: 1.95, alphaUncertainty: 0.02),
        PublishedFit(name: "terrorism", kind: .discrete, scale: 1, xmin: 12, alpha: 2.4, alphaUncertainty: 0.2),
        PublishedFit(name: "blackouts", kind: .continuous, scale: 1e-3, xmin: 230, alpha: 2.3, alphaUncertainty: 0.3),
        PublishedFit(name: "cities", kind: .continuous, scale: 1e-3, xmin: 52.46, alpha: 2.37, alphaUncertainty: 0.08),
    ]

    @Test("x_min and alpha as in Table 6.1", arguments: table61)
    func table61Fit(_ published: PublishedFit) throws {
        let sample = try ReferenceData.sample(published.name, scale: published.scale)
        let fit = try PowerLawEstimator(kind: published.kind).fit(sample)
        // Table 6.1 prints x_min to the digits shown (cities: 52.46 thousand = 52,457 people).
        #expect(abs(fit.xmin - published.xmin) <= 0.005, "x_min \(fit.xmin)")
        #expect(abs(fit.alpha - published.alpha) <= published.alphaUncertainty, "alpha \(fit.alpha)")
        #expect(fit.xminPosition == .interior)
    }

    /// PROVENANCE.md, "Independent check": with the published x_min held fixed the
    /// continuous closed form gives blackouts 2.273 (n_tail 59); the discrete exact MLE
    /// for words agrees with the approximation 1.950 (n_tail 2958) to within 0.005.
    @Test("fixed x_min reproduces the independent check")
    func fixedXmin() throws {
        let blackouts = try PowerLawEstimator(kind: .continuous, fixedXmin: 230).fit(try ReferenceData.sample("blackouts", scale: 1e-3))
        #expect(blackouts.tailCount == 59)
        #expect(abs(blackouts.alpha - 2.273) < 0.0005)
        let words = try PowerLawEstimator(kind: .discrete, fixedXmin: 7).fit(try ReferenceData.sample("words"))
        #expect(words.tailCount == 2958)
        #expect(abs(words.alpha - 1.950) < 0.005)
    }

    /// One data set's rows of Clauset et al. 2009, Table 6.3: the exponential's normalised
    /// LR and p, and the cut-off power law's LR and p. (Their stretched exponential and
    /// lognormal rows use other discrete normalisations, so they are not compared here.)
    struct Table63Row: Sendable, CustomStringConvertible {
        var name: String
        var exponentialR: Double
        var exponentialP: Double
        var cutoffR: Double
        var cutoffP: Double
        var description: String { name }
    }

    static let table63: [Table63Row] = [
        Table63Row(name: "words", exponentialR: 9.09, exponentialP: 0.00, cutoffR: -0.899, cutoffP: 0.18),
        Table63Row(name: "terrorism", exponentialR: 2.457, exponentialP: 0.01, cutoffR: -0.077, cutoffP: 0.70),
    ]

    @Test("likelihood ratios as in Table 6.3", arguments: table63)
    func likelihoodRatios(_ row: Table63Row) throws {
        let sample = try ReferenceData.sample(row.name)
        let fit = try PowerLawEstimator(kind: .discrete).fit(sample)
        let results = AlternativeTests.compare(fit, sample: sample, against: [.exponential, .truncatedPowerLaw])
        let exponential = try #require(results.first { $0.alternative == .exponential })
        // The table prints two or three digits; 0.1 and 0.01 cover its rounding and α's.
        #expect(abs(exponential.normalizedRatio - row.exponentialR) < 0.1)
        #expect(abs(exponential.pValue - row.exponentialP) < 0.01)
        #expect(exponential.favoured == .powerLaw)
        let cutoff = try #require(results.first { $0.alternative == .truncatedPowerLaw })
        #expect(abs(cutoff.logLikelihoodRatio - row.cutoffR) < 0.02)
        #expect(abs(cutoff.pValue - row.cutoffP) < 0.01)
        #expect(cutoff.favoured == .inconclusive)
    }
}
