import ArgumentParser
import Fit
import ScalefitCore

/// `scalefit demo`: the main job on built-in data, end to end.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Fit a power law to a built-in learning curve and print the result."
    )

    func run() throws {
        let series = DemoData.nmtLearningCurve
        let result = try PowerLawDemo.fit(series)
        print("scalefit demo: power law L = A·n^(-alpha) fitted to \(series.name) (\(series.count) points)")
        print("  data: \(DemoData.attribution)")
        print("  status: \(result.status)  iterations: \(result.iterations)")
        for (name, value, error) in zip3(["A", "alpha"], result.parameters, result.standardErrors) {
            print("  \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) = \(value)  ± \(error)")
        }
        guard result.status.isConverged else { throw DemoFailure(status: result.status) }
    }
}

struct DemoFailure: Error, ExitStatusProviding, CustomStringConvertible {
    var status: LeastSquaresStatus
    var exitStatus: ExitStatus { .failure }
    var description: String { "the demo fit did not converge: \(status)" }
}

private func zip3<A, B, C>(_ a: [A], _ b: [B], _ c: [C]) -> [(A, B, C)] {
    (0..<min(a.count, b.count, c.count)).map { (a[$0], b[$0], c[$0]) }
}
