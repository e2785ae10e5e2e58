import Testing
import RealModule
@testable import Fit

/// Tests of the GSL least-squares boundary (Fit/GSLLeastSquares.swift).
@Suite("GSL least-squares boundary")
struct LeastSquaresTests {
    // MARK: Noiseless power law, every trust-region method

    /// y = A·x^(-α) with A = 5, α = 0.5 and no noise: the minimum is exact (zero residual).
    static func powerLawProblem(x: [Double], y: [Double]) -> LeastSquaresProblem {
        LeastSquaresProblem(
            residualCount: x.count, parameterCount: 2,
            residuals: { p, r in
                for i in 0..<x.count { r[i] = p[0] * Double.pow(x[i], -p[1]) - y[i] }
            },
            jacobian: { p, j in
                for i in 0..<x.count {
                    let power = Double.pow(x[i], -p[1])
                    j[i, 0] = power
                    j[i, 1] = -p[0] * power * Double.log(x[i])
                }
            },
            secondDirectional: { p, v, out in
                // r = A·x^(-α): ∂²r/∂A² = 0, ∂²r/∂A∂α = −x^(-α)·ln x, ∂²r/∂α² = A·x^(-α)·ln²x.
                for i in 0..<x.count {
                    let power = Double.pow(x[i], -p[1]), l = Double.log(x[i])
                    out[i] = 2 * v[0] * v[1] * (-power * l) + v[1] * v[1] * p[0] * power * l * l
                }
            })
    }

    @Test("noiseless power law recovered to 1e-9 relative", arguments: TrustRegionMethod.allCases)
    func noiselessPowerLaw(method: TrustRegionMethod) throws {
        let x = (0..<20).map { Double.pow(10, 0.15 * Double($0)) }  // 1 … ~700
        let y = x.map { 5 * Double.pow($0, -0.5) }
        let solver = try NonlinearLeastSquares(
            problem: Self.powerLawProblem(x: x, y: y), settings: .init(method: method))
        let result = try solver.solve(from: [3, 0.3])
        #expect(result.converged, "\(method): \(result.status)")
        #expect(result.parameters[0].isApproximatelyEqual(to: 5, relativeTolerance: 1e-9))
        #expect(result.parameters[1].isApproximatelyEqual(to: 0.5, relativeTolerance: 1e-9))
    }

    // MARK: NIST StRD DanWood (certified values: itl.nist.gov/div898/strd/nls/data/danwood.shtml)

    static let danWoodX = [1.309, 1.471, 1.490, 1.565, 1.611, 1.680]
    static let danWoodY = [2.138, 3.421, 3.597, 4.340, 4.882, 5.660]
    static let certified = (b1: 7.6886226176e-01, b2: 3.8604055871e+00, sd1: 1.8281973860e-02, sd2: 5.1726610913e-02)
    static let certifiedRSS = 4.3173084083e-03

    struct DanWoodCase: CustomStringConvertible, Sendable {
        var start: [Double]
        var method: TrustRegionMethod
        var analyticJacobian: Bool
        var description: String { "start \(start), \(method.rawValue), \(analyticJacobian ? "analytic" : "finite-difference") J" }
    }

    static let danWoodCases: [DanWoodCase] = [[1.0, 5.0], [0.7, 4.0]].flatMap { start in
        TrustRegionMethod.allCases.flatMap { method in
            [true, false].map { DanWoodCase(start: start, method: method, analyticJacobian: $0) }
        }
    }

    @Test("NIST DanWood: certified estimates and standard deviations to 6 digits", arguments: danWoodCases)
    func danWood(_ testCase: DanWoodCase) throws {
        var problem = Self.powerLawProblem(x: Self.danWoodX, y: Self.danWoodY)
        // DanWood is y = b1·x^b2: the same law with α = −b2.
        problem.residuals = { p, r in
            for i in 0..<6 { r[i] = p[0] * Double.pow(Self.danWoodX[i], p[1]) - Self.danWoodY[i] }
        }
        problem.jacobian = testCase.analyticJacobian
            ? { p, j in
                for i in 0..<6 {
                    let power = Double.pow(Self.danWoodX[i], p[1])
                    j[i, 0] = power
                    j[i, 1] = p[0] * power * Double.log(Self.danWoodX[i])
                }
            } : nil
        problem.secondDirectional = nil
        let solver = try NonlinearLeastSquares(problem: problem, settings: .init(method: testCase.method))
        let result = try solver.solve(from: testCase.start)
        #expect(result.converged, "\(testCase): \(result.status)")
        let variance = result.chiSquared / 4  // 6 observations, 2 parameters
        let sd1 = (result.covariance(0, 0)! * variance).squareRoot()
        let sd2 = (result.covariance(1, 1)! * variance).squareRoot()
        #expect(result.parameters[0].isApproximatelyEqual(to: Self.certified.b1, relativeTolerance: 1e-6))
        #expect(result.parameters[1].isApproximatelyEqual(to: Self.certified.b2, relativeTolerance: 1e-6))
        #expect(sd1.isApproximatelyEqual(to: Self.certified.sd1, relativeTolerance: 1e-6))
        #expect(sd2.isApproximatelyEqual(to: Self.certified.sd2, relativeTolerance: 1e-6))
        #expect(result.chiSquared.isApproximatelyEqual(to: Self.certifiedRSS, relativeTolerance: 1e-8))
    }

    // MARK: Failures come out as errors or statuses, never as crashes

    struct Boom: Error, Equatable { var at: Int }

    @Test("an error thrown in the residual callback comes out of the solve")
    func throwingResidual() throws {
        var calls = 0
        let problem = LeastSquaresProblem(
            residualCount: 3, parameterCount: 1,
            residuals: { p, r in
                calls += 1
                if calls == 4 { throw Boom(at: calls) }
                for i in 0..<3 { r[i] = p[0] - Double(i) }
            })
        let solver = try NonlinearLeastSquares(problem: problem)
        #expect(throws: Boom(at: 4)) { try solver.solve(from: [10]) }
        // The workspace is still usable afterwards.
        calls = 100
        let result = try solver.solve(from: [10])
        #expect(result.converged)
        #expect(result.parameters[0].isApproximatelyEqual(to: 1, relativeTolerance: 1e-9))
    }

    @Test("an error thrown in the Jacobian callback comes out of the solve")
    func throwingJacobian() throws {
        let problem = LeastSquaresProblem(
            residualCount: 2, parameterCount: 1,
            residuals: { p, r in r[0] = p[0]; r[1] = p[0] - 1 },
            jacobian: { _, _ in throw Boom(at: -1) })
        let solver = try NonlinearLeastSquares(problem: problem)
        #expect(throws: Boom(at: -1)) { try solver.solve(from: [3]) }
    }

    @Test("NaN residuals at the start are an error")
    func nanAtStart() throws {
        let problem = LeastSquaresProblem(
            residualCount: 3, parameterCount: 1,
            residuals: { p, r in r[0] = p[0]; r[1] = .nan; r[2] = 1 })
        let solver = try NonlinearLeastSquares(problem: problem)
        #expect(throws: LeastSquaresError.nonFiniteAtStart(index: 1)) { try solver.solve(from: [1]) }
    }

    @Test("NaN residuals away from the start are rejected steps, never a NaN result")
    func nanRegion() throws {
        // r = sqrt(p) − 2 is NaN for p < 0; from p = 0.5 a full Gauss–Newton step lands at p < 0
        // only if the solver overshoots. Either way the result must be finite and honest.
        let problem = LeastSquaresProblem(
            residualCount: 1, parameterCount: 1,
            residuals: { p, r in r[0] = Double.log(p[0]) + 5 },
            jacobian: { p, j in j[0, 0] = 1 / p[0] })
        let solver = try NonlinearLeastSquares(problem: problem, settings: .init(method: .dogleg))
        let result = try solver.solve(from: [10])
        #expect(result.parameters.allSatisfy { $0.isFinite })
        #expect(result.converged)
        #expect(result.parameters[0].isApproximatelyEqual(to: Double.exp(-5), relativeTolerance: 1e-8))
    }

    @Test("a NaN Jacobian is a non-finite status")
    func nanJacobian() throws {
        let problem = LeastSquaresProblem(
            residualCount: 2, parameterCount: 1,
            residuals: { p, r in r[0] = p[0]; r[1] = p[0] - 1 },
            jacobian: { _, j in j[0, 0] = .nan; j[1, 0] = 1 })
        let solver = try NonlinearLeastSquares(problem: problem)
        let result = try solver.solve(from: [3])
        #expect(!result.converged)
        #expect(result.status.code == "non_finite" || result.status.code == "gsl_error")
    }

    @Test("a singular Jacobian is reported as rank deficient, not converged")
    func singularJacobian() throws {
        // r depends on p0 + p1 only: a line of minima, J has rank 1.
        let problem = LeastSquaresProblem(
            residualCount: 3, parameterCount: 2,
            residuals: { p, r in for i in 0..<3 { r[i] = p[0] + p[1] - Double(i) } },
            jacobian: { _, j in for i in 0..<3 { j[i, 0] = 1; j[i, 1] = 1 } })
        let solver = try NonlinearLeastSquares(problem: problem)
        let result = try solver.solve(from: [5, 7])
        #expect(!result.converged, "\(result.status)")
        #expect(result.jacobianRank == 1)
        #expect(result.covariance == nil)
        #expect(result.conditionNumber > 1e12)
    }

    @Test("a problem with no minimum is never reported as converged")
    func noMinimum() throws {
        // r(p) = 1 + e^(−p): the cost falls for ever as p → ∞; its infimum is not attained.
        let problem = LeastSquaresProblem(
            residualCount: 1, parameterCount: 1,
            residuals: { p, r in r[0] = 1 + Double.exp(-p[0]) },
            jacobian: { p, j in j[0, 0] = -Double.exp(-p[0]) })
        for method in TrustRegionMethod.allCases {
            let solver = try NonlinearLeastSquares(problem: problem, settings: .init(method: method))
            let result = try solver.solve(from: [0])
            #expect(!result.converged, "\(method): \(result.status)")
            #expect(result.parameters.allSatisfy { $0.isFinite })
        }
    }

    @Test("fewer points than parameters is an error, not GSL's abort")
    func tooFewPoints() {
        let problem = LeastSquaresProblem(residualCount: 1, parameterCount: 2, residuals: { _, _ in })
        #expect(throws: LeastSquaresError.badDimensions(residuals: 1, parameters: 2)) {
            _ = try NonlinearLeastSquares(problem: problem)
        }
    }

    @Test("bad starts and weights are errors")
    func badStart() throws {
        let problem = Self.powerLawProblem(x: [1, 2, 3], y: [1, 2, 3])
        let solver = try NonlinearLeastSquares(problem: problem)
        #expect(throws: LeastSquaresError.self) { try solver.solve(from: [1]) }
        #expect(throws: LeastSquaresError.self) { try solver.solve(from: [.nan, 1]) }
        #expect(throws: LeastSquaresError.self) { try solver.solve(from: [1, 1], weights: [1, -1, 1]) }
    }

    @Test("weights: scaling every σ by c leaves the estimates unchanged")
    func weightScaling() throws {
        let x = Self.danWoodX, y = Self.danWoodY
        var problem = Self.powerLawProblem(x: x, y: y)
        problem.residuals = { p, r in for i in 0..<6 { r[i] = p[0] * Double.pow(x[i], p[1]) - y[i] } }
        problem.jacobian = nil
        let solver = try NonlinearLeastSquares(problem: problem)
        let w = [1.0, 2, 3, 1, 2, 3]
        let a = try solver.solve(from: [1, 5], weights: w)
        let b = try solver.solve(from: [1, 5], weights: w.map { $0 * 100 })
        #expect(a.converged && b.converged)
        for i in 0..<2 {
            #expect(a.parameters[i].isApproximatelyEqual(to: b.parameters[i], relativeTolerance: 1e-9))
        }
        #expect((b.chiSquared / a.chiSquared).isApproximatelyEqual(to: 100, relativeTolerance: 1e-9))
    }
}
