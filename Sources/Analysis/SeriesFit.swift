import Fit
import Foundation
import ScalefitCore

/// A fit that keeps its law: the result to report, the comparison it won, and the fitted
/// law (estimates and covariance) that draws the curve and its bands afterwards, at any x,
/// without fitting again and without looking the law up by name.
public struct SeriesFit: Sendable {
    /// The chosen fit, with its warnings (for a comparison, the rule that chose it).
    public var result: FitResult
    /// Every law compared, best first, as they were fitted (empty when one law was asked for).
    public var comparison: [FitResult]
    /// Laws that could not take the series, with the reason, in the order tried.
    public var skipped: [LawSkipped]
    /// The law with its estimates and covariance.
    public let fitted: FittedLaw

    /// - Throws: ``FitError`` when `result` does not hold `law`'s parameters.
    public init(result: FitResult, law: any ScalingLaw, comparison: [FitResult] = [], skipped: [LawSkipped] = []) throws {
        self.result = result
        self.comparison = comparison
        self.skipped = skipped
        fitted = try FittedLaw(result, law: law)
    }

    public var law: any ScalingLaw { fitted.law }

    /// The fitted curve at `xs`, each value with its 95% confidence band and prediction
    /// interval, from the covariance the fit holds (``FittedLaw/predict(x:x2:)``: what the
    /// fit itself gives for `--predict` at the same x). Single-input laws; a two-input law
    /// gets NaN for its second input.
    public func curve(at xs: [Double]) -> [Prediction] {
        xs.map { fitted.predict(x: $0) }
    }

    /// The law's values at the series' own points (the fitted values behind residuals).
    public func values(at series: Series) -> [Double] {
        let p = fitted.values
        return series.x.indices.map { i in law.value(series.x[i], series.x2?[i] ?? .nan, parameters: p) }
    }

    /// Points on which to draw a fitted curve: `count` log-spaced values from the smallest
    /// positive x to `decadesBeyond` decades past the largest (the dashed extrapolation).
    public static func curveGrid(for series: Series, decadesBeyond: Double = 0.3, count: Int = 120) -> [Double] {
        let xs = series.x.filter { $0 > 0 && $0.isFinite }
        guard let lo = xs.min(), let hi = xs.max() else { return [] }
        let a = Foundation.log10(lo), b = Foundation.log10(hi) + (hi > lo ? decadesBeyond : 1)
        return (0..<count).map { Foundation.pow(10, a + (b - a) * Double($0) / Double(count - 1)) }
    }
}

/// A law that could not take a series, and why.
public struct LawSkipped: Sendable {
    public var law: String
    public var reason: String
    public init(law: String, reason: String) {
        self.law = law
        self.reason = reason
    }
}
