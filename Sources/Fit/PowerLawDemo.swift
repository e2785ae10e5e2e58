import ScalefitCore
import RealModule

/// A plain power-law fit in log space, L = A·n^(-α), solved by GSL's Levenberg–Marquardt.
public enum PowerLawDemo {
    public struct Result: Sendable {
        public var parameters: [Double]
        public var standardErrors: [Double]
        public var status: LeastSquaresStatus
        public var iterations: Int
    }

    /// Fits log L = log A − α·log n, parametrised by (log A, α), and reports (A, α).
    public static func fit(_ series: Series) throws -> Result {
        let logX = series.x.map { Double.log($0) }
        let logY = series.values.map { Double.log($0) }
        let problem = LeastSquaresProblem(
            residualCount: series.count, parameterCount: 2,
            residuals: { p, r in
                for i in 0..<logX.count { r[i] = p[0] - p[1] * logX[i] - logY[i] }
            },
            jacobian: { _, j in
                for i in 0..<logX.count {
                    j[i, 0] = 1
                    j[i, 1] = -logX[i]
                }
            })
        let solver = try NonlinearLeastSquares(problem: problem)
        let result = try solver.solve(from: [0, 0.1])
        let dof = Double(series.count - 2)
        let scale = result.chiSquared / dof
        let logA = result.parameters[0], alpha = result.parameters[1]
        let seLogA = (result.covariance(0, 0).map { ($0 * scale).squareRoot() }) ?? .nan
        let seAlpha = (result.covariance(1, 1).map { ($0 * scale).squareRoot() }) ?? .nan
        let a = Double.exp(logA)
        return Result(
            parameters: [a, alpha], standardErrors: [a * seLogA, seAlpha],
            status: result.status, iterations: result.iterations)
    }
}
