// The GSL linear algebra the ridge scenario needs (BLAS dsyrk/dgemv/dgemm, Cholesky).
// Each gsl_matrix/gsl_vector is owned by a final class that frees it in deinit; every
// status is checked; matrices cross this boundary as row-major [Double].

internal import CGSL
import ScalefitCore

/// A dense row-major matrix of doubles: the plain-Swift currency of the ridge scenario.
public struct DenseMatrix: Sendable, Equatable {
    public var rows: Int
    public var columns: Int
    /// Row-major entries, `rows * columns` of them.
    public var entries: [Double]

    public init(rows: Int, columns: Int, entries: [Double]) {
        precondition(entries.count == rows * columns, "DenseMatrix: wrong number of entries")
        self.rows = rows
        self.columns = columns
        self.entries = entries
    }
}

/// Thin, checked wrappers over GSL BLAS and Cholesky.
public enum GSLLinearAlgebra {
    /// The ridge estimate ŵ = (XᵀX/n + λI)⁻¹ Xᵀy/n, by Cholesky (`gsl_blas_dsyrk`,
    /// `gsl_linalg_cholesky_decomp1`, `gsl_linalg_cholesky_solve`).
    /// - Throws: ``GenerateError/singular(_:)`` when XᵀX/n + λI is not positive definite
    ///   (λ = 0 with fewer rows than columns).
    public static func ridge(design x: DenseMatrix, targets y: [Double], lambda: Double) throws -> [Double] {
        precondition(y.count == x.rows, "ridge: one target per row")
        GSLRuntime.prepare()
        let n = x.rows, m = x.columns
        let design = try OwnedMatrix(x)
        let gram = try OwnedMatrix(rows: m, columns: m)
        try check(gsl_blas_dsyrk(CblasLower, CblasTrans, 1 / Double(n), design.pointer, 0, gram.pointer), "gsl_blas_dsyrk")
        for i in 0..<m { gsl_matrix_set(gram.pointer, i, i, gsl_matrix_get(gram.pointer, i, i) + lambda) }
        let targets = try OwnedVector(y)
        let rhs = try OwnedVector(count: m)
        try check(gsl_blas_dgemv(CblasTrans, 1 / Double(n), design.pointer, targets.pointer, 0, rhs.pointer), "gsl_blas_dgemv")
        let status = gsl_linalg_cholesky_decomp1(gram.pointer)
        guard status == GSL_SUCCESS else {
            throw GenerateError.singular("XᵀX/n + λI is not positive definite (\(GSLRuntime.message(for: status))); use --lambda > 0")
        }
        let solution = try OwnedVector(count: m)
        try check(gsl_linalg_cholesky_solve(gram.pointer, rhs.pointer, solution.pointer), "gsl_linalg_cholesky_solve")
        let w = solution.array
        guard w.allSatisfy(\.isFinite) else { throw GenerateError.singular("ridge solution is not finite") }
        return w
    }

    /// The risk ‖ŵ − w1*‖² of the ridge fit averaged over the label noise ε ~ N(0, σ²) and
    /// over the direction of the synthetic teacher's offset Δ (uniform, ‖Δ‖² = c²), given
    /// the design — a Rao–Blackwellised form of the simulated error with far less variance:
    ///
    ///     λ²‖M w1*‖² + (c²/d)‖M A‖_F² + (σ²/n) tr(M G M),
    ///
    /// where G = XᵀX/n, A = X₂ᵀX₂/n (the synthetic rows, from `syntheticFrom` on) and
    /// M = (G + λI)⁻¹ (`gsl_blas_dgemm`, `gsl_linalg_cholesky_decomp1`, `gsl_linalg_cholesky_invert`).
    public static func ridgeConditionalRisk(
        design x: DenseMatrix, syntheticFrom n1: Int, lambda: Double, sigma: Double, c2: Double, teacher w1: [Double]
    ) throws -> Double {
        GSLRuntime.prepare()
        let n = x.rows, d = x.columns
        let design = try OwnedMatrix(x)
        let gram = try OwnedMatrix(rows: d, columns: d)
        try check(gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1 / Double(n), design.pointer, design.pointer, 0, gram.pointer), "gsl_blas_dgemm")
        let synthetic = try OwnedMatrix(rows: d, columns: d)
        if n1 < n {
            let rows = DenseMatrix(rows: n - n1, columns: d, entries: Array(x.entries[(n1 * d)...]))
            let x2 = try OwnedMatrix(rows)
            try check(gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1 / Double(n), x2.pointer, x2.pointer, 0, synthetic.pointer), "gsl_blas_dgemm")
        }
        let inverse = try OwnedMatrix(gram.dense)
        for i in 0..<d { gsl_matrix_set(inverse.pointer, i, i, gsl_matrix_get(inverse.pointer, i, i) + lambda) }
        let status = gsl_linalg_cholesky_decomp1(inverse.pointer)
        guard status == GSL_SUCCESS else {
            throw GenerateError.singular("XᵀX/n + λI is not positive definite (\(GSLRuntime.message(for: status))); use --lambda > 0")
        }
        try check(gsl_linalg_cholesky_invert(inverse.pointer), "gsl_linalg_cholesky_invert")
        let ma = try OwnedMatrix(rows: d, columns: d), mg = try OwnedMatrix(rows: d, columns: d)
        try check(gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, inverse.pointer, synthetic.pointer, 0, ma.pointer), "gsl_blas_dgemm")
        try check(gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, inverse.pointer, gram.pointer, 0, mg.pointer), "gsl_blas_dgemm")
        let m = inverse.dense.entries, maE = ma.dense.entries, mgE = mg.dense.entries
        var frobenius = 0.0, trace = 0.0
        for k in 0..<(d * d) { frobenius += maE[k] * maE[k]; trace += mgE[k] * m[k] }
        var bias = 0.0
        if lambda > 0 {
            for i in 0..<d {
                var s = 0.0
                for j in 0..<d { s += m[i * d + j] * w1[j] }
                bias += s * s
            }
        }
        let risk = lambda * lambda * bias + c2 / Double(d) * frobenius + sigma * sigma / Double(n) * trace
        guard risk.isFinite else { throw GenerateError.singular("conditional risk is not finite") }
        return risk
    }

    /// The product A·B (`gsl_blas_dgemm`).
    public static func multiply(_ a: DenseMatrix, _ b: DenseMatrix) throws -> DenseMatrix {
        precondition(a.columns == b.rows, "multiply: inner dimensions differ")
        GSLRuntime.prepare()
        let left = try OwnedMatrix(a), right = try OwnedMatrix(b)
        let product = try OwnedMatrix(rows: a.rows, columns: b.columns)
        try check(gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1, left.pointer, right.pointer, 0, product.pointer), "gsl_blas_dgemm")
        return product.dense
    }

    private static func check(_ status: Int32, _ what: String) throws {
        guard status == GSL_SUCCESS else { throw GenerateError.gsl("\(what): \(GSLRuntime.message(for: status))") }
    }
}

/// Owns a `gsl_matrix`.
private final class OwnedMatrix {
    let pointer: UnsafeMutablePointer<gsl_matrix>
    let rows: Int, columns: Int

    init(rows: Int, columns: Int) throws {
        guard rows > 0, columns > 0, let p = gsl_matrix_calloc(rows, columns) else {
            throw GenerateError.gsl("gsl_matrix_calloc(\(rows), \(columns)) failed")
        }
        pointer = p
        self.rows = rows
        self.columns = columns
    }

    convenience init(_ matrix: DenseMatrix) throws {
        try self.init(rows: matrix.rows, columns: matrix.columns)
        let tda = pointer.pointee.tda
        guard let data = pointer.pointee.data else { throw GenerateError.gsl("gsl_matrix has no data") }
        for i in 0..<rows {
            for j in 0..<columns { data[i * tda + j] = matrix.entries[i * columns + j] }
        }
    }

    var dense: DenseMatrix {
        let tda = pointer.pointee.tda
        var entries = [Double](repeating: 0, count: rows * columns)
        if let data = pointer.pointee.data {
            for i in 0..<rows {
                for j in 0..<columns { entries[i * columns + j] = data[i * tda + j] }
            }
        }
        return DenseMatrix(rows: rows, columns: columns, entries: entries)
    }

    deinit { gsl_matrix_free(pointer) }
}

/// Owns a `gsl_vector`.
private final class OwnedVector {
    let pointer: UnsafeMutablePointer<gsl_vector>
    let count: Int

    init(count: Int) throws {
        guard count > 0, let p = gsl_vector_calloc(count) else { throw GenerateError.gsl("gsl_vector_calloc(\(count)) failed") }
        pointer = p
        self.count = count
    }

    convenience init(_ values: [Double]) throws {
        try self.init(count: values.count)
        let stride = pointer.pointee.stride
        guard let data = pointer.pointee.data else { throw GenerateError.gsl("gsl_vector has no data") }
        for (i, v) in values.enumerated() { data[i * stride] = v }
    }

    var array: [Double] {
        let stride = pointer.pointee.stride
        guard let data = pointer.pointee.data else { return [] }
        return (0..<count).map { data[$0 * stride] }
    }

    deinit { gsl_vector_free(pointer) }
}
