import RealModule
import ScalefitCore

/// A law whose value is linear in some of its coefficients: L = Σ_k c_k·φ_k(x; θ), with
/// c_k ≥ 0 (E, A, B) and θ the exponents. Such laws can be fitted by variable projection:
/// the coefficients are solved exactly for each θ, and only θ is searched.
public protocol SeparableLaw: ScalingLaw {
    /// Indices (into ``ScalingLaw/parameters``) of the coefficients that enter linearly.
    var linearParameters: [Int] { get }
    /// φ_k(x, x2; θ) for each linear coefficient, in the order of ``linearParameters``; only
    /// the nonlinear entries of `p` are read.
    func basis(_ x: Double, _ x2: Double, parameters p: [Double], into phi: inout [Double])
}

extension PowerLaw: SeparableLaw {
    public var linearParameters: [Int] { [0] }
    public func basis(_ x: Double, _ x2: Double, parameters p: [Double], into phi: inout [Double]) {
        phi[0] = Double.pow(x, -p[1])
    }
}

extension SaturatingLaw: SeparableLaw {
    public var linearParameters: [Int] { [0, 1] }
    public func basis(_ x: Double, _ x2: Double, parameters p: [Double], into phi: inout [Double]) {
        phi[0] = 1
        phi[1] = Double.pow(x, -p[2])
    }
}

extension ChinchillaLaw: SeparableLaw {
    public var linearParameters: [Int] { [0, 1, 2] }
    public func basis(_ x: Double, _ x2: Double, parameters p: [Double], into phi: inout [Double]) {
        phi[0] = 1
        phi[1] = Double.pow(x, -p[3])
        phi[2] = Double.pow(x2, -p[4])
    }
}

/// Non-negative least squares min ‖√w·(Φc − y)‖ subject to c ≥ 0, for k ≤ 3 columns:
/// the optimum is the unconstrained least-squares solution on some subset of the columns
/// (the KKT conditions), so every subset is tried and the best feasible one kept.
func smallNonNegativeLeastSquares(columns: [[Double]], y: [Double], weights: [Double]?) -> [Double]? {
    let k = columns.count, n = y.count
    guard k >= 1 && k <= 3 else { return nil }
    var best: (cost: Double, c: [Double])? = nil
    for mask in 1..<(1 << k) {
        let active = (0..<k).filter { mask & (1 << $0) != 0 }
        // Normal equations on the active columns, scaled to unit norm for conditioning.
        let m = active.count
        var norms = [Double](repeating: 0, count: m)
        for (a, column) in active.enumerated() {
            var s = 0.0
            for i in 0..<n { s += (weights?[i] ?? 1) * columns[column][i] * columns[column][i] }
            norms[a] = s.squareRoot()
        }
        guard norms.allSatisfy({ $0 > 0 && $0.isFinite }) else { continue }
        var matrix = [Double](repeating: 0, count: m * m), rhs = [Double](repeating: 0, count: m)
        for a in 0..<m {
            for b in 0..<m {
                var s = 0.0
                for i in 0..<n { s += (weights?[i] ?? 1) * columns[active[a]][i] * columns[active[b]][i] }
                matrix[a * m + b] = s / (norms[a] * norms[b])
            }
            var t = 0.0
            for i in 0..<n { t += (weights?[i] ?? 1) * columns[active[a]][i] * y[i] }
            rhs[a] = t / norms[a]
        }
        guard let solution = solveSymmetric(matrix, rhs, size: m) else { continue }
        let c = solution.enumerated().map { $1 / norms[$0] }
        guard c.allSatisfy({ $0 >= 0 }) else { continue }
        var full = [Double](repeating: 0, count: k)
        for (a, column) in active.enumerated() { full[column] = c[a] }
        var cost = 0.0
        for i in 0..<n {
            var fit = 0.0
            for j in 0..<k { fit += full[j] * columns[j][i] }
            cost += (weights?[i] ?? 1) * (fit - y[i]) * (fit - y[i])
        }
        if best == nil || cost < best!.cost { best = (cost, full) }
    }
    return best?.c ?? [Double](repeating: 0, count: k)
}

/// Gaussian elimination with partial pivoting for a tiny system.
private func solveSymmetric(_ a: [Double], _ b: [Double], size m: Int) -> [Double]? {
    var a = a, b = b
    for column in 0..<m {
        var pivot = column
        for row in column..<m where abs(a[row * m + column]) > abs(a[pivot * m + column]) { pivot = row }
        guard abs(a[pivot * m + column]) > 1e-14 else { return nil }
        if pivot != column {
            for j in 0..<m { a.swapAt(column * m + j, pivot * m + j) }
            b.swapAt(column, pivot)
        }
        for row in (column + 1)..<max(column + 1, m) {
            let factor = a[row * m + column] / a[column * m + column]
            for j in column..<m { a[row * m + j] -= factor * a[column * m + j] }
            b[row] -= factor * b[column]
        }
    }
    var x = [Double](repeating: 0, count: m)
    for row in stride(from: m - 1, through: 0, by: -1) {
        var s = b[row]
        for j in (row + 1)..<max(row + 1, m) { s -= a[row * m + j] * x[j] }
        x[row] = s / a[row * m + row]
    }
    return x.allSatisfy({ $0.isFinite }) ? x : nil
}

/// The outcome of a variable-projection fit: all parameters, and the condition number
/// of the reduced (exponents-only) problem.
public struct ProjectedFit: Sendable {
    public var parameters: [Double]
    public var chiSquared: Double
    public var status: LeastSquaresStatus
    /// Condition number of the Jacobian of the projected residual in the exponents.
    public var reducedConditionNumber: Double
}

extension SeparableLaw {
    /// Variable projection in linear space (Golub & Pereyra 1973): searches the nonlinear
    /// parameters with GSL, solving the linear coefficients by non-negative least squares
    /// at every step. Ties among the nonlinear parameters are honoured.
    ///
    /// - Parameters:
    ///   - start: a full parameter vector; only its nonlinear entries are used.
    public func projectedFit(to series: Series, from start: [Double], tied: [String: String] = [:]) throws -> ProjectedFit {
        let linear = linearParameters
        let nonlinearIndices = parameters.indices.filter { !linear.contains($0) }
        let names = parameterNames
        // Free nonlinear parameters: those not tied to another.
        let free = nonlinearIndices.filter { tied[names[$0]] == nil }
        let tiedTo: [Int: Int] = Dictionary(uniqueKeysWithValues: nonlinearIndices.compactMap { j in
            tied[names[j]].flatMap { source in names.firstIndex(of: source).map { (j, $0) } }
        })
        let x = series.x, x2 = series.x2, y = series.values, w = series.weights
        let k = linear.count
        let law = self
        let box = Scratch(parameterCount: parameters.count, freeCount: k)
        var columns = [[Double]](repeating: [Double](repeating: 0, count: x.count), count: k)

        func fullParameters(_ theta: [Double]) -> [Double]? {
            var p = start
            for (a, j) in free.enumerated() { p[j] = theta[a] }
            for (j, source) in tiedTo { p[j] = p[source] }
            var phi = [Double](repeating: 0, count: k)
            for i in 0..<x.count {
                law.basis(x[i], x2?[i] ?? .nan, parameters: p, into: &phi)
                for c in 0..<k { columns[c][i] = phi[c] }
            }
            guard let c = smallNonNegativeLeastSquares(columns: columns, y: y, weights: w) else { return nil }
            for (a, j) in linear.enumerated() { p[j] = c[a] }
            return p
        }

        let problem = LeastSquaresProblem(
            residualCount: x.count, parameterCount: free.count,
            residuals: { theta, r in
                guard let p = fullParameters(theta.array) else {
                    for i in 0..<x.count { r[i] = .nan }
                    return
                }
                box.p = p
                for i in 0..<x.count { r[i] = law.value(x[i], x2?[i] ?? .nan, parameters: p) - y[i] }
            })
        let solver = try NonlinearLeastSquares(problem: problem, settings: .init(method: .levenbergMarquardt, scaling: .levenberg))
        let result = try solver.solve(from: free.map { start[$0] }, weights: w)
        let p = fullParameters(result.parameters) ?? start
        return ProjectedFit(
            parameters: p, chiSquared: result.chiSquared, status: result.status,
            reducedConditionNumber: result.conditionNumber)
    }
}
