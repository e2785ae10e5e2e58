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

    @Test("Chinchilla on a sweep grid: powers once per distinct N and D, the same numbers as point by point")
    func chinchillaGridEvaluation() {
        let law = ChinchillaLaw()
        let p = [1.82, 482, 2085, 0.348, 0.366]
        var n: [Double] = [], d: [Double] = []
        for a in [7e7, 4e8, 2.1e9, 1.6e10] { for b in [5e9, 2e10, 8e10, 2e11, 5e11] { n.append(a); d.append(b) } }
        let inputs = LawInputs(x: n, x2: d)
        #expect(inputs.distinctX?.values.count == 4)
        #expect(inputs.distinctX2?.values.count == 5)
        // A resample keeps the tables, with each point's slot carried along.
        let indices = [3, 3, 0, 19, 7, 12, 12, 5, 1, 18, 2, 2, 9, 16, 4, 11, 0, 13, 6, 8]
        for (sample, rows) in [(inputs, Array(0..<20)), (inputs.resampled(indices), indices)] {
            var values = [Double](repeating: 0, count: 20), gradients = [Double](repeating: 0, count: 100)
            law.evaluate(sample, parameters: p, values: &values, gradients: &gradients)
            for (i, row) in rows.enumerated() {
                // Bit for bit what the point-by-point path computes: the same exp of the same
                // logarithm.
                let ln = Double.log(n[row]), ld = Double.log(d[row])
                let pn = Double.exp(-p[3] * ln), pd = Double.exp(-p[4] * ld)
                let value = p[0] + p[1] * pn + p[2] * pd
                #expect(values[i] == value, "point \(i): \(values[i]) vs \(value)")
                #expect(Array(gradients[5 * i ..< 5 * i + 5]) == [1, pn, pd, -p[1] * pn * ln, -p[2] * pd * ld], "gradient at point \(i)")
                // And the law's own formula to rounding.
                #expect(abs(values[i] - law.value(n[row], d[row], parameters: p)) <= 1e-13 * value)
            }
        }
        // Mostly distinct inputs keep no tables.
        let spread = LawInputs(x: (1...20).map { 1e8 * Double($0) }, x2: (1...20).map { 1e10 * Double($0) })
        #expect(spread.distinctX == nil && spread.distinctX2 == nil)
    }
}

