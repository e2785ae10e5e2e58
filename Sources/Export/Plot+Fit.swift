import Analysis
import Fit
import Foundation
import ScalefitCore

/// Builds plot layers from series and fits: the curve on a grid with its confidence band,
/// the fitted values at the data (for residuals) and the held-out points.
///
/// The fit draws its own curve (``SeriesFit/curve(at:)``, from the covariance it holds) on
/// ``SeriesFit/curveGrid(for:decadesBeyond:count:)``: nothing about the plot goes into the
/// fit's options, and the law is the fit's own, not one looked up by name.
public enum FitPlotting {
    /// A layer for `series`, with the fitted curve when there is a fit.
    ///
    /// - Parameters:
    ///   - bandLower, bandUpper: the W&B min/max band, per point (NaN where absent).
    ///   - confidenceBand: whether the curve carries its 95% confidence band (detect's
    ///     plot draws the verdict's law alone).
    ///   - familyValue: the series' place on a family colour scale (e.g. its generation).
    public static func layer(
        series: Series, bandLower: [Double]? = nil, bandUpper: [Double]? = nil, fit: SeriesFit?, confidenceBand: Bool = true,
        familyValue: Double? = nil, markers: [PlotMarker] = []
    ) -> PlotLayer {
        var layer = PlotLayer(
            name: series.name, x: series.x, y: series.values, bandLower: bandLower, bandUpper: bandUpper,
            familyValue: familyValue, markers: markers)
        guard let fit else { return layer }
        let result = fit.result
        let heldX = Set(result.holdout?.points.map(\.x) ?? [])
        layer.heldOut = Set(series.x.indices.filter { heldX.contains(series.x[$0]) })
        let trainingX = series.x.indices.filter { !layer.heldOut.contains($0) }.map { series.x[$0] }
        layer.fitted = fit.values(at: series)
        if series.x2 == nil {
            // The fit's own curve on the grid with its 95% confidence band and prediction
            // interval; detect's plot draws the verdict's law alone.
            let xs = SeriesFit.curveGrid(for: series)
            let curve = confidenceBand ? fit.curve(at: xs) : []
            let values = confidenceBand ? curve.map(\.value) : xs.map { fit.law.value($0, .nan, parameters: fit.fitted.values) }
            let hasBand = curve.contains { $0.confidenceBand != nil }
            let hasPrediction = curve.contains { $0.predictionInterval != nil }
            layer.curve = PlotCurve(
                label: "\(result.model) fit", x: xs, value: values,
                lower: hasBand ? curve.map { $0.confidenceBand?.lower ?? .nan } : nil,
                upper: hasBand ? curve.map { $0.confidenceBand?.upper ?? .nan } : nil,
                predictionLower: hasPrediction ? curve.map { $0.predictionInterval?.lower ?? .nan } : nil,
                predictionUpper: hasPrediction ? curve.map { $0.predictionInterval?.upper ?? .nan } : nil,
                fittedUpTo: trainingX.max() ?? (series.x.max() ?? 0))
        } else {
            (layer.profiles, layer.frontier) = twoInputCurves(series: series, law: fit.law, parameters: fit.fitted.values)
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
