import Foundation
import RealModule
import ScalefitCore
import Testing
@testable import Fit

@Suite("fit --rollout: fit on the smallest k rungs, predict the next")
struct RolloutTests {
    @Test("on a generated curve: every step is the fit of the first k rungs; errors and coverage as computed by hand")
    func generatedCurve() throws {
        let series = CustomLawTests.generatedPowerLaw(e: 1.8, a: 60, alpha: 0.35, seed: 4)
        var options = FitOptions()
        options.startLimit = 4
        let result = try SaturatingLaw().rollout(on: series, options: options)
        #expect(result.order == "x" && result.rungs == 40)
        // Three free parameters: the first fit takes four rungs, the last predicts rung 40.
        #expect(result.steps.map(\.k) == Array(4...39))
        #expect(result.unconverged == 0)
        // Step k is the fit of the k smallest x, predicting the next one.
        let step = result.steps[10]
        var direct = options
        direct.predictX = [series.x[step.k]]
        let fit = try SaturatingLaw().fit(to: series.subset(Array(0..<step.k)), options: direct)
        #expect(step.points.count == 1 && step.points[0].predicted == fit.predictions[0].value)
        #expect(step.points[0].observed == series.values[step.k])
        // The summary from the points.
        let errors = result.steps.flatMap(\.points).map(\.logError)
        let rms = (errors.map { $0 * $0 }.reduce(0, +) / Double(errors.count)).squareRoot()
        #expect(result.rmsle == rms)
        let inside = result.steps.flatMap(\.points).filter { $0.inPredictionInterval == true }.count
        #expect(result.predictionCoverage == Double(inside) / Double(errors.count))
        print("rollout on a generated curve (1% noise): RMS log error \(rms), prediction-interval coverage \(result.predictionCoverage!), confidence-band coverage \(result.confidenceCoverage!)")
        // 1% noise: the one-step-ahead errors are of that size, and the 95% prediction
        // intervals hold most observations (one-step-ahead, so near nominal).
        #expect(rms < 0.03)
        #expect(result.predictionCoverage! >= 0.8)
        #expect(result.confidenceCoverage! <= result.predictionCoverage!)
    }

    @Test("on the Chinchilla sweep: rungs are the compute budgets")
    func sweep() throws {
        let series = try CustomLawTests.sweepSeries()
        var options = FitOptions()
        options.startLimit = 20
        let result = try ChinchillaLaw().rollout(on: series, options: options)
        #expect(result.order == "compute")
        let budgets = Set(try AllocationReference.sweep().c).count
        #expect(result.rungs == budgets)
        for step in result.steps {
            #expect(step.points.allSatisfy { relativeError(6 * $0.x * $0.x2!, step.rung) < 1e-3 })
        }
        print("rollout on the sweep: \(result.steps.count) steps, RMS log error \(result.rmsle ?? .nan), PI coverage \(result.predictionCoverage ?? .nan)")
        #expect(result.rmsle! < 0.05)
    }

    @Test("too few rungs is an error")
    func tooFew() throws {
        let series = Series(run: "r", metric: "m", x: [1, 2, 3], values: [3, 2, 1.5])
        #expect(throws: FitError.self) { try SaturatingLaw().rollout(on: series, options: FitOptions()) }
    }
}
