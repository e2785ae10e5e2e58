import Testing
import RealModule
import ScalefitCore
@testable import Fit

/// A law with a parameter point and an x grid where it is well behaved.
struct LawCase: CustomStringConvertible, Sendable {
    var law: any ScalingLaw
    var truth: [Double]
    var x: [Double]
    var x2: [Double]? = nil
    var fixed: [String: Double] = [:]
    var description: String { law.name }

    static func grid(_ lo: Double, _ hi: Double, _ count: Int) -> [Double] {
        (0..<count).map { Double.exp(Double.log(lo) + (Double.log(hi) - Double.log(lo)) * Double($0) / Double(count - 1)) }
    }

    static let chinchillaInputs: (n: [Double], d: [Double]) = {
        var n: [Double] = [], d: [Double] = []
        for a in grid(7e7, 1.6e10, 12) { for b in grid(5e9, 5e11, 5) { n.append(a); d.append(b) } }
        return (n, d)
    }()

    static let all: [LawCase] = [
        LawCase(law: PowerLaw(), truth: [5, 0.3], x: grid(1e3, 1e9, 20)),
        LawCase(law: SaturatingLaw(), truth: [1.8, 400, 0.35], x: grid(1e3, 1e9, 20)),
        LawCase(law: BrokenPowerLaw(breaks: 1), truth: [0.05, 10, 0.2, 0.4, 1e5, 0.5], x: grid(1e2, 1e8, 30)),
        LawCase(law: BrokenPowerLaw(breaks: 2), truth: [0.01, 10, 0.3, -0.25, 1e4, 0.3, 0.3, 1e6, 0.3], x: grid(1e1, 1e9, 40)),
        LawCase(law: M3Law(), truth: [3, 1e-4, 0.4], x: grid(1e1, 1e7, 25)),
        LawCase(law: M4Law(), truth: [0.2, 1.0, 1.0, 50, 0.5], x: grid(1, 1e6, 25)),
        LawCase(law: ChinchillaLaw(), truth: [1.82, 482, 2085, 0.348, 0.366], x: chinchillaInputs.n, x2: chinchillaInputs.d),
        LawCase(law: TailCutLaw(), truth: [2, 2, 0.01], x: grid(1e1, 1e8, 25)),
        LawCase(law: NarrowingLaw(), truth: [1, 2, 3], x: grid(1e1, 1e8, 20), fixed: ["beta": 2]),
        LawCase(law: MixingLaw(), truth: [1, 2, 0.01, 0.01], x: grid(1e1, 1e10, 40)),
        LawCase(law: GenerationLaw(.linear), truth: [0.1, 0.02], x: (1...10).map(Double.init)),
        LawCase(law: GenerationLaw(.power), truth: [0.1, 0.02, 0.7], x: (1...10).map(Double.init)),
        LawCase(law: GenerationLaw(.log), truth: [0.1, 0.02], x: (1...10).map(Double.init)),
    ]
}


@Suite("The scaling-law zoo")
struct LawTests {
    @Test("analytic gradient matches central differences", arguments: LawCase.all)
    func gradient(_ c: LawCase) {
        var analytic = [Double](repeating: 0, count: c.truth.count)
        for i in stride(from: 0, to: c.x.count, by: 3) {
            let x = c.x[i], x2 = c.x2?[i] ?? .nan
            c.law.gradient(x, x2, parameters: c.truth, into: &analytic)
            for j in c.truth.indices {
                // Central difference with a relative step (GSL manual, "Troubleshooting").
                let h = 1e-6 * max(abs(c.truth[j]), 1e-3)
                var up = c.truth, down = c.truth
                up[j] += h
                down[j] -= h
                let numeric = (c.law.value(x, x2, parameters: up) - c.law.value(x, x2, parameters: down)) / (2 * h)
                // Tolerance: truncation (relative) plus rounding, about ε·|L|/h.
                let rounding = 1e-7 * abs(c.law.value(x, x2, parameters: c.truth)) / max(abs(c.truth[j]), 1e-3)
                #expect(abs(analytic[j] - numeric) <= 1e-5 * abs(numeric) + rounding, "\(c.law.name) ∂/∂\(c.law.parameters[j].name) at x=\(x): \(analytic[j]) vs \(numeric)")
            }
        }
    }

    @Test("noiseless data: parameters recovered to 1e-6 relative", arguments: LawCase.all)
    func noiseless(_ c: LawCase) throws {
        let y = c.x.indices.map { c.law.value(c.x[$0], c.x2?[$0] ?? .nan, parameters: c.truth) }
        let series = Series(run: c.law.name, metric: "loss", x: c.x, x2: c.x2, values: y)
        var options = FitOptions()
        options.fixed = c.fixed
        if c.law is ChinchillaLaw { options.startLimit = 200 }
        let result = try c.law.fit(to: series, options: options)
        #expect(result.converged, "\(c.law.name): \(result.status)")
        for (j, estimate) in result.parameters.enumerated() {
            #expect(
                estimate.value.isApproximatelyEqual(to: c.truth[j], relativeTolerance: 1e-6),
                "\(c.law.name).\(estimate.name): \(estimate.value) vs \(c.truth[j])")
        }
    }
}
