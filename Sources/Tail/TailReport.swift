/// Everything `scalefit tail` reports.
public struct TailReport: Sendable {
    public var options: TailOptions
    public var fit: PowerLawFit
    /// Rank–frequency exponent β = 1/(α − 1).
    public var zipf: ZipfView
    public var bootstrap: BootstrapResult?
    public var comparisons: [AlternativeComparison]
    public var prediction: CollapsePrediction?
    public var warnings: [TailWarning]
}
