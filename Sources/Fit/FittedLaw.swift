import RealModule
import ScalefitCore

/// A fitted law on its own, without the data: what `fit --json` saves and `scalefit predict`
/// and `scalefit optimal` read back.
///
/// It holds the law, the estimates (every parameter, natural scale, law order), their
/// covariance (natural scale, already multiplied by the residual variance; fixed parameters
/// have zero rows, tied ones copy their source), the residual variance and degrees of
/// freedom, the residual space, and the bootstrap replicates when the fit drew any.
/// ``FitResult/predictions`` are computed by ``predict(x:x2:)`` of the same value, so a
/// saved fit predicts exactly what the fit itself predicted.
public struct FittedLaw: Sendable {
    public var law: any ScalingLaw
    public var values: [Double]
    public var covariance: [[Double]]?
    public var residualVariance: Double
    public var degreesOfFreedom: Int
    public var space: ResidualSpace
    /// Bootstrap replicates of the parameters (each in law order), or nil.
    public var bootstrapReplicates: [[Double]]?

    public init(
        law: any ScalingLaw, values: [Double], covariance: [[Double]]?, residualVariance: Double,
        degreesOfFreedom: Int, space: ResidualSpace, bootstrapReplicates: [[Double]]? = nil
    ) throws {
        guard values.count == law.parameters.count else {
            throw FitError("\(law.name) takes \(law.parameters.count) parameters (\(law.parameterNames.joined(separator: ", "))), got \(values.count)")
        }
        if let covariance {
            guard covariance.count == values.count, covariance.allSatisfy({ $0.count == values.count }) else {
                throw FitError("the covariance of a \(law.name) fit must be \(values.count)×\(values.count)")
            }
        }
        if let bootstrapReplicates, let bad = bootstrapReplicates.firstIndex(where: { $0.count != values.count }) {
            throw FitError("bootstrap replicate \(bad) has \(bootstrapReplicates[bad].count) values; \(law.name) has \(values.count) parameters")
        }
        self.law = law
        self.values = values
        self.covariance = covariance
        self.residualVariance = residualVariance
        self.degreesOfFreedom = degreesOfFreedom
        self.space = space
        self.bootstrapReplicates = bootstrapReplicates
    }

    /// The fitted law of a fit result (its law looked up by name unless given).
    public init(_ result: FitResult, law: (any ScalingLaw)? = nil) throws {
        guard let law = law ?? LawCatalog.law(for: result) else {
            throw FitError("unknown model \"\(result.model)\"")
        }
        try self.init(
            law: law, values: result.values, covariance: result.covariance, residualVariance: result.residualVariance,
            degreesOfFreedom: result.degreesOfFreedom, space: result.space, bootstrapReplicates: result.bootstrapReplicates)
    }

    /// The index of the parameter called `name`.
    public func index(of name: String) -> Int? { law.index(of: name) }

    /// The value and 95% bands at (x, x2): a confidence band for the mean curve from the
    /// covariance (delta method, gᵀ·Σ·g with g = ∂L/∂p, or ∂ln L/∂p in log space), and a
    /// prediction interval for a new run adding the residual variance; Student's t with the
    /// fit's degrees of freedom. In log space the bands are symmetric in ln L.
    public func predict(x: Double, x2: Double? = nil) -> Prediction {
        let second = law.inputCount == 2 ? (x2 ?? .nan) : .nan
        let value = law.value(x, second, parameters: values)
        var prediction = Prediction(x: x, x2: law.inputCount == 2 ? second : nil, value: value)
        let t = studentT95(degreesOfFreedom: degreesOfFreedom)
        guard let covariance, residualVariance.isFinite, t.isFinite, value.isFinite else { return prediction }
        var g = [Double](repeating: 0, count: values.count)
        law.gradient(x, second, parameters: values, into: &g)
        let scale = space == .log ? 1 / value : 1
        for j in g.indices { g[j] *= scale }
        var meanVariance = 0.0
        for k in g.indices where g[k] != 0 {
            var row = 0.0
            for l in g.indices where g[l] != 0 { row += covariance[k][l] * g[l] }
            meanVariance += g[k] * row
        }
        meanVariance = max(meanVariance, 0)
        let se = meanVariance.squareRoot(), sePrediction = (meanVariance + residualVariance).squareRoot()
        if space == .log {
            prediction.confidenceBand = (value * Double.exp(-t * se), value * Double.exp(t * se))
            prediction.predictionInterval = (value * Double.exp(-t * sePrediction), value * Double.exp(t * sePrediction))
        } else {
            prediction.confidenceBand = (value - t * se, value + t * se)
            prediction.predictionInterval = (value - t * sePrediction, value + t * sePrediction)
        }
        return prediction
    }

    /// The two-sided 95% quantile of Student's t with the fit's degrees of freedom.
    public var t95: Double { studentT95(degreesOfFreedom: degreesOfFreedom) }
}
