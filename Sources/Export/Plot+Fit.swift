import Fit
import Foundation
import ScalefitCore

/// Builds plot layers from series and fits: the curve on a grid with its confidence band,
/// the fitted values at the data (for residuals) and the held-out points.
///
/// The fitting engine computes confidence bands only at the x values it is asked to
/// predict at (``FitOptions/predictX``), so a caller that wants a curve adds
/// ``curveGrid(for:)`` to the options before fitting and separates the predictions after it
/// with ``splitCurve(from:requested:)``.
public enum FitPlotting {
    /// Points on which to draw a fitted curve: `count` log-spaced values from the smallest x
    /// to `decadesBeyond` decades past the largest (the dashed extrapolation).
    public static func curveGrid(for series: Series, decadesBeyond: Double = 0.3, count: Int = 120) -> [Double] {
        let xs = series.x.filter { $0 > 0 && $0.isFinite }
        guard let lo = xs.min(), let hi = xs.max() else { return [] }
        let a = Foundation.log10(lo), b = Foundation.log10(hi) + (hi > lo ? decadesBeyond : 1)
        return (0..<count).map { Foundation.pow(10, a + (b - a) * Double($0) / Double(count - 1)) }
    }

    /// Options that also predict on the curve grid (single-input laws only).
    public static func addingCurve(to options: FitOptions, for series: Series) -> FitOptions {
        guard series.x2 == nil else { return options }
        var extended = options
        extended.predictX += curveGrid(for: series)
        return extended
    }

    /// The fit with only the predictions the user asked for, and the curve predictions.
    public static func splitCurve(from fit: FitResult, requested: Int) -> (fit: FitResult, curve: [Prediction]) {
        var trimmed = fit
        let keep = min(requested, fit.predictions.count)
        trimmed.predictions = Array(fit.predictions.prefix(keep))
        return (trimmed, Array(fit.predictions.dropFirst(keep)))
    }

    /// A layer for `series`, with the fitted curve when there is a fit.
    ///
    /// - Parameters:
    ///   - bandLower, bandUpper: the W&B min/max band, per point (NaN where absent).
    ///   - curve: predictions on the curve grid (from ``splitCurve(from:requested:)``).
    ///   - familyValue: the series' place on a family colour scale (e.g. its generation).
    public static func layer(
        series: Series, bandLower: [Double]? = nil, bandUpper: [Double]? = nil, fit: FitResult?, curve: [Prediction] = [],
        familyValue: Double? = nil, markers: [PlotMarker] = []
    ) -> PlotLayer {
        var layer = PlotLayer(
            name: series.name, x: series.x, y: series.values, bandLower: bandLower, bandUpper: bandUpper,
            familyValue: familyValue, markers: markers)
        guard let fit else { return layer }
        let heldX = Set(fit.holdout?.points.map(\.x) ?? [])
        layer.heldOut = Set(series.x.indices.filter { heldX.contains(series.x[$0]) })
        let trainingX = series.x.indices.filter { !layer.heldOut.contains($0) }.map { series.x[$0] }
        if let law = LawCatalog.law(for: fit) {
            let p = fit.values
            layer.fitted = series.x.indices.map { i in law.value(series.x[i], series.x2?[i] ?? .nan, parameters: p) }
            if series.x2 == nil {
                // The curve on the grid; where the fit had no band, the law's value alone.
                let xs = curve.isEmpty ? curveGrid(for: series) : curve.map(\.x)
                let values = curve.isEmpty ? xs.map { law.value($0, .nan, parameters: p) } : curve.map(\.value)
                let hasBand = curve.contains { $0.confidenceBand != nil }
                let hasPrediction = curve.contains { $0.predictionInterval != nil }
                layer.curve = PlotCurve(
                    label: "\(fit.model) fit", x: xs, value: values,
                    lower: hasBand ? curve.map { $0.confidenceBand?.lower ?? .nan } : nil,
                    upper: hasBand ? curve.map { $0.confidenceBand?.upper ?? .nan } : nil,
                    predictionLower: hasPrediction ? curve.map { $0.predictionInterval?.lower ?? .nan } : nil,
                    predictionUpper: hasPrediction ? curve.map { $0.predictionInterval?.upper ?? .nan } : nil,
                    fittedUpTo: trainingX.max() ?? (series.x.max() ?? 0))
            } else {
                (layer.profiles, layer.frontier) = twoInputCurves(series: series, law: law, parameters: p)
            }
        }
        return layer
    }

    /// A readable name for a family key (`generation` → `generation`), and each series' value
    /// of it, when every series carries the key as a number; nil otherwise.
    public static func family(of series: [Series], keys: [String] = ["generation", "synthetic_fraction", "fraction", "pi", "k"]) -> (key: String, values: [Double])? {
        guard series.count > 1 else { return nil }
        for key in keys {
            let present = series.compactMap { $0.labels[key].flatMap(Double.init) }
            if present.count == series.count, Set(present).count > 1 { return (key, present) }
            // Clean data carries no generation or synthetic fraction: it is generation 0, fraction 0.
            if ["generation", "synthetic_fraction"].contains(key), present.count >= 1 {
                let values = series.map { $0.labels[key].flatMap(Double.init) ?? 0 }
                if Set(values).count > 1 { return (key, values) }
            }
        }
        return nil
    }
}
