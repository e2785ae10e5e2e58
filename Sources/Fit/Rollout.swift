import RealModule
import ScalefitCore

/// A rollout backtest (`fit --rollout`): the points grouped into rungs of a ladder (equal x
/// for one-input laws; equal compute C ∝ N·D, within 1e-3, for two-input ones, or by `--holdout-by`),
/// the law fitted on the smallest k rungs and the next rung predicted, for every k from the
/// first that leaves a degree of freedom. Each prediction carries the fit's 95% confidence
/// band and prediction interval (``FittedLaw/predict(x:x2:)``); the summary says how far
/// the predictions were off (RMS of ln(predicted/observed)) and how often each interval
/// held the observed value. Steps whose fit did not converge are counted and left out of
/// the summary, never used as results.
public struct RolloutResult: Sendable {
    public struct Point: Sendable {
        public var x: Double
        public var x2: Double?
        public var observed: Double
        public var predicted: Double
        /// ln(predicted) − ln(observed).
        public var logError: Double
        public var confidenceBand: (lower: Double, upper: Double)?
        public var predictionInterval: (lower: Double, upper: Double)?
        public var inConfidenceBand: Bool? {
            confidenceBand.map { $0.lower <= observed && observed <= $0.upper }
        }
        public var inPredictionInterval: Bool? {
            predictionInterval.map { $0.lower <= observed && observed <= $0.upper }
        }
    }

    public struct Step: Sendable {
        /// Rungs fitted (the smallest k), and the next rung: its x, or for a ladder ordered by
        /// compute its C = 6·N·D (of its first point).
        public var k: Int
        public var rung: Double
        public var trainingPoints: Int
        public var converged: Bool
        public var points: [Point]
    }

    /// `x` or `compute`: what orders the rungs.
    public var order: String
    public var rungs: Int
    public var steps: [Step]

    var counted: [Point] { steps.filter(\.converged).flatMap(\.points) }
    /// RMS of the log errors over the converged steps' predictions.
    public var rmsle: Double? {
        let errors = counted.map(\.logError)
        guard !errors.isEmpty else { return nil }
        return (errors.map { $0 * $0 }.reduce(0, +) / Double(errors.count)).squareRoot()
    }
    /// Fraction of the predicted points inside their 95% prediction interval (nil without any).
    public var predictionCoverage: Double? { Self.fraction(counted.compactMap(\.inPredictionInterval)) }
    /// Fraction inside the 95% confidence band of the mean curve.
    public var confidenceCoverage: Double? { Self.fraction(counted.compactMap(\.inConfidenceBand)) }
    public var unconverged: Int { steps.filter { !$0.converged }.count }

    static func fraction(_ flags: [Bool]) -> Double? {
        flags.isEmpty ? nil : Double(flags.filter { $0 }.count) / Double(flags.count)
    }
}

extension ScalingLaw {
    /// The rollout backtest of this law on `series` (see ``RolloutResult``). `options`
    /// shape every fit (starts, loss, space, fixes); its hold-out, bootstrap and predictions
    /// are replaced.
    public func rollout(on series: Series, options: FitOptions) throws -> RolloutResult {
        let usable = series.subset(series.x.indices.filter { series.x[$0] > 0 && (series.x2?[$0] ?? 1) > 0 })
        let byCompute = inputCount == 2 && usable.x2 != nil && options.holdoutBy != .x
        let sorted = Self.holdoutOrder(usable, byCompute ? .compute : .x)
        func key(_ i: Int) -> Double { byCompute ? sorted.x[i] * sorted.x2![i] : sorted.x[i] }
        func rung(_ i: Int) -> Double { byCompute ? ComputeOptimal.flopsPerParameterToken * key(i) : key(i) }
        // Rungs: runs of equal key in the sorted order. A budget's N·D is equal only up to
        // the rounding of N and D as written: keys within 1e-3 relative of the rung's first
        // are one rung (ladders step by factors, not by tenths of a percent).
        var starts: [Int] = []
        for i in sorted.x.indices {
            if let first = starts.last {
                let same = byCompute ? abs(key(i) - key(first)) <= 1e-3 * abs(key(first)) : key(i) == key(first)
                if same { continue }
            }
            starts.append(i)
        }
        let rungs = starts.count
        let held = Set(options.fixed.keys).union(options.tied.keys)
        let free = parameters.filter { !held.contains($0.name) }.count
        var steps: [RolloutResult.Step] = []
        var fitOptions = options
        fitOptions.holdout = 0
        fitOptions.bootstrap = 0
        for k in 1..<max(rungs, 1) {
            let end = starts[k]
            guard end > free else { continue }  // at least one degree of freedom
            let next = starts[k]..<(k + 1 < rungs ? starts[k + 1] : sorted.count)
            let training = sorted.subset(Array(0..<end))
            var stepOptions = fitOptions
            stepOptions.predictX = next.map { sorted.x[$0] }
            stepOptions.predictX2 = sorted.x2.map { x2 in next.map { x2[$0] } } ?? []
            let fit: FitResult
            do {
                fit = try self.fit(to: training, options: stepOptions)
            } catch {
                steps.append(.init(k: k, rung: rung(starts[k]), trainingPoints: end, converged: false, points: []))
                continue
            }
            let points = zip(next, fit.predictions).map { i, prediction in
                RolloutResult.Point(
                    x: sorted.x[i], x2: sorted.x2?[i], observed: sorted.values[i], predicted: prediction.value,
                    logError: Double.log(prediction.value) - Double.log(sorted.values[i]),
                    confidenceBand: prediction.confidenceBand, predictionInterval: prediction.predictionInterval)
            }
            steps.append(.init(k: k, rung: rung(starts[k]), trainingPoints: end, converged: fit.converged, points: points))
        }
        guard !steps.isEmpty else {
            throw FitError("\(series.name): \(name) has \(free) free parameters; \(rungs) rungs leave no fit with a degree of freedom and a rung to predict")
        }
        return RolloutResult(order: byCompute ? "compute" : "x", rungs: rungs, steps: steps)
    }
}
