import Foundation

/// Settings of a full tail analysis (what `scalefit tail` runs).
public struct TailOptions: Sendable, Hashable {
    /// Discrete or continuous; `nil` picks discrete when every value is a whole number.
    public var kind: TailKind?
    /// A fixed x_min, or `nil` to choose it by the KS criterion.
    public var xmin: Double?
    /// Where to search x_min (`nil`: every distinct value but the largest).
    public var xminSearchRange: ClosedRange<Double>?
    /// Bootstrap replicates for the goodness-of-fit p-value and the spread; 0 skips it.
    /// CSN recommend ≥ 2500 for p to be good to ±0.01; 1000 gives about ±0.015.
    public var bootstrapReplicates: Int
    /// The bootstrap seed.
    public var seed: UInt64
    /// Worker threads for the bootstrap (results do not depend on it); `nil` = all cores.
    public var threads: Int?
    /// The alternatives to test against.
    public var alternatives: [TailAlternative]
    /// Collapse predictions (`--predict`) and the cut rank / generator sample size.
    public var predict: Bool
    public var cut: Int?
    public var t0: Double?

    public init(
        kind: TailKind? = nil, xmin: Double? = nil, xminSearchRange: ClosedRange<Double>? = nil, bootstrapReplicates: Int = 0, seed: UInt64 = 0,
        threads: Int? = nil, alternatives: [TailAlternative] = TailAlternative.allCases,
        predict: Bool = false, cut: Int? = nil, t0: Double? = nil
    ) {
        self.kind = kind
        self.xmin = xmin
        self.xminSearchRange = xminSearchRange
        self.bootstrapReplicates = bootstrapReplicates
        self.seed = seed
        self.threads = threads
        self.alternatives = alternatives
        self.predict = predict
        self.cut = cut
        self.t0 = t0
    }
}
