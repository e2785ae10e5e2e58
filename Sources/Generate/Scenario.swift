/// A generator setting of docs/collapse-models.md: one case per scenario of
/// `scalefit generate`, each carrying its parameters.
///
/// ```swift
/// let data = try Scenario.hutter(HutterSetting(beta: 2, cut: 1000, t: [1e3, 1e6])).generate(seed: 7)
/// data.series      // the curve, as Ingest would produce it
/// data.truth.law   // plateau, onsets, exponents
/// ```
public enum Scenario: Sendable, Hashable {
    /// §1.1: the memorising learner on Zipf data.
    case hutter(HutterSetting)
    /// §2: ridge regression on real + synthetic rows.
    case ridge(RidgeSetting)
    /// §3: recursive estimation of a categorical distribution.
    case multinomial(MultinomialSetting)
    /// §4: iterated Gaussian fitting.
    case gaussian(GaussianSetting)
    /// §4: iterated kernel density estimation.
    case kde(KDESetting)
    /// i.i.d. discrete power-law samples.
    case zipfSample(ZipfSampleSetting)

    /// The scenario's command-line name.
    public var name: String {
        switch self {
        case .hutter: return "hutter"
        case .ridge: return "ridge"
        case .multinomial: return "multinomial"
        case .gaussian: return "gaussian"
        case .kde: return "kde"
        case .zipfSample: return "zipf-sample"
        }
    }

    /// Runs the scenario. The same seed always gives the same values, whatever the
    /// machine's thread count (every task draws from its own subseeded stream).
    /// - Throws: ``GenerateError`` for parameters outside their domain.
    public func generate(seed: UInt64, toolVersion: String = GroundTruth.defaultToolVersion) throws -> GeneratedData {
        switch self {
        case .hutter(let s): return try s.generate(seed: seed, toolVersion: toolVersion)
        case .ridge(let s): return try s.generate(seed: seed, toolVersion: toolVersion)
        case .multinomial(let s): return try s.generate(seed: seed, toolVersion: toolVersion)
        case .gaussian(let s): return try s.generate(seed: seed, toolVersion: toolVersion)
        case .kde(let s): return try s.generate(seed: seed, toolVersion: toolVersion)
        case .zipfSample(let s): return try s.generate(seed: seed, toolVersion: toolVersion)
        }
    }
}
