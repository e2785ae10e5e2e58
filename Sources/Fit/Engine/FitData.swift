import RealModule
import ScalefitCore

// The data of one fit in the form the problems read, checked once, and resampled for
// the bootstrap.

/// The data of one fit, prepared for the residual space.
struct FitData: Sendable {
    var x: [Double]
    var x2: [Double]?
    var y: [Double]
    var logY: [Double]
    var weights: [Double]?
    /// x and x₂ with their logarithms, for ``ScalingLaw/evaluate(_:parameters:values:gradients:)``.
    var inputs: LawInputs

    init(series: Series, space: ResidualSpace, law: any ScalingLaw) throws {
        try Self.check(series, space: space, law: law)
        x = series.x
        x2 = series.x2
        y = series.values
        logY = space == .log ? y.map { Double.log($0) } : []
        weights = series.weights
        inputs = LawInputs(x: x, x2: x2)
    }

    /// Refuses a series the law cannot be fitted to in this space: no points, a missing
    /// second input, non-finite or non-positive inputs, values without a logarithm, bad weights.
    static func check(_ series: Series, space: ResidualSpace, law: any ScalingLaw) throws {
        // The name is built only for an error message.
        var name: String { series.name }
        guard series.count > 0 else { throw FitError("\(name): no points to fit") }
        if law.inputCount == 2 && series.x2 == nil {
            throw FitError("\(name): \(law.name) needs two inputs (--x N,D)")
        }
        let needsPositiveX = law.needsPositiveInputs
        for i in 0..<series.count {
            guard series.x[i].isFinite, series.values[i].isFinite, series.x2?[i].isFinite ?? true else {
                throw FitError("\(name): point \(i + 1) is not finite (x = \(series.x[i]), value = \(series.values[i]))")
            }
            if needsPositiveX, series.x[i] <= 0 || (series.x2?[i] ?? 1) <= 0 {
                throw FitError("\(name): point \(i + 1) has x = \(series.x[i]) ≤ 0; scaling laws need positive inputs")
            }
            if space == .log && series.values[i] <= 0 {
                throw FitError("\(name): point \(i + 1) has value \(series.values[i]) ≤ 0, which has no logarithm; use --space linear")
            }
        }
        if let w = series.weights, let bad = w.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            throw FitError("\(name): weight \(bad + 1) is \(w[bad]); weights must be finite and ≥ 0")
        }
    }

    var count: Int { x.count }

    func resampled(_ indices: [Int]) -> FitData {
        var copy = self
        copy.x = indices.map { x[$0] }
        copy.x2 = x2.map { all in indices.map { all[$0] } }
        copy.y = indices.map { y[$0] }
        copy.logY = logY.isEmpty ? [] : indices.map { logY[$0] }
        copy.weights = weights.map { all in indices.map { all[$0] } }
        copy.inputs = inputs.resampled(indices)
        return copy
    }
}
