// GSL's linear algebra: BLAS products, the Cholesky factorisation (the only one in
// scalefit: the fit engine's damped steps, the ridge scenario and the Gaussian scenario's
// sampling factor all come here), Householder QR and the SVD. Each gsl_matrix/gsl_vector
// is either owned by a final class that frees it in deinit or a view over Swift storage
// for the duration of one call; every status is checked; matrices cross this boundary as
// row-major [Double] (or a caller's row-major buffer).

internal import CGSL
import ScalefitCore

/// A dense row-major matrix of doubles: the plain-Swift currency of this facility.
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
            throw GSLError.singular("XᵀX/n + λI is not positive definite (\(GSLRuntime.message(for: status))); use --lambda > 0")
        }
        let solution = try OwnedVector(count: m)
        try check(gsl_linalg_cholesky_solve(gram.pointer, rhs.pointer, solution.pointer), "gsl_linalg_cholesky_solve")
        let w = solution.array
        guard w.allSatisfy(\.isFinite) else { throw GSLError.singular("ridge solution is not finite") }
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
            throw GSLError.singular("XᵀX/n + λI is not positive definite (\(GSLRuntime.message(for: status))); use --lambda > 0")
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
        guard risk.isFinite else { throw GSLError.singular("conditional risk is not finite") }
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
        try GSLError.check(status, what)
    }

    /// Solves the symmetric positive definite p×p system m·x = b (row-major `m`) by GSL's
    /// Cholesky decomposition (`gsl_linalg_cholesky_decomp1`, `gsl_linalg_cholesky_solve`).
    /// - Returns: x, or nil when m is not positive definite or x is not finite.
    public static func choleskySolve(_ m: [Double], _ b: [Double], size p: Int) -> [Double]? {
        GSLRuntime.prepare()
        var matrix = m, rhs = b
        var x = [Double](repeating: 0, count: p)
        let ok = matrix.withUnsafeMutableBufferPointer { mp in
            rhs.withUnsafeMutableBufferPointer { bp in
                x.withUnsafeMutableBufferPointer { xp in
                    var mv = gsl_matrix_view_array(mp.baseAddress, p, p)
                    var bv = gsl_vector_view_array(bp.baseAddress, p)
                    var xv = gsl_vector_view_array(xp.baseAddress, p)
                    guard gsl_linalg_cholesky_decomp1(&mv.matrix) == GSL_SUCCESS else { return false }
                    return gsl_linalg_cholesky_solve(&mv.matrix, &bv.vector, &xv.vector) == GSL_SUCCESS
                }
            }
        }
        return ok && x.allSatisfy(\.isFinite) ? x : nil
    }

    /// The lower Cholesky factor L (row-major d×d, zeros above the diagonal) with L·Lᵀ = a,
    /// by `gsl_linalg_cholesky_decomp1`; nil when `a` is not positive definite.
    public static func choleskyFactor(_ a: [Double], size d: Int) -> [Double]? {
        GSLRuntime.prepare()
        var l = a
        let ok = l.withUnsafeMutableBufferPointer { lp in
            var view = gsl_matrix_view_array(lp.baseAddress, d, d)
            return gsl_linalg_cholesky_decomp1(&view.matrix) == GSL_SUCCESS
        }
        guard ok else { return nil }
        // decomp1 leaves Lᵀ in the upper triangle; only L is the answer.
        for i in 0..<d { for j in (i + 1)..<d { l[i * d + j] = 0 } }
        return l
    }

    /// A factor F (row-major d×d) with F·Fᵀ = a for a symmetric positive *semi*-definite
    /// `a`: the Cholesky factor (lower triangular) when `a` is positive definite, otherwise
    /// V·diag(√max(λ, 0)) from GSL's symmetric eigensolver (`gsl_eigen_symmv`), so a
    /// collapsed covariance (rank below d) still has a factor and stays collapsed.
    /// - Returns: the factor and whether it is lower triangular.
    public static func semidefiniteFactor(_ a: [Double], size d: Int) throws -> (factor: [Double], lowerTriangular: Bool) {
        if let l = choleskyFactor(a, size: d) { return (l, true) }
        GSLRuntime.prepare()
        var work = a
        var values = [Double](repeating: 0, count: d)
        var vectors = [Double](repeating: 0, count: d * d)
        guard let workspace = gsl_eigen_symmv_alloc(d) else { throw GSLError.gsl("gsl_eigen_symmv_alloc(\(d)) failed") }
        defer { gsl_eigen_symmv_free(workspace) }
        let status = work.withUnsafeMutableBufferPointer { ap in
            values.withUnsafeMutableBufferPointer { vp in
                vectors.withUnsafeMutableBufferPointer { ep in
                    var av = gsl_matrix_view_array(ap.baseAddress, d, d)
                    var vv = gsl_vector_view_array(vp.baseAddress, d)
                    var ev = gsl_matrix_view_array(ep.baseAddress, d, d)
                    return gsl_eigen_symmv(&av.matrix, &vv.vector, &ev.matrix, workspace)
                }
            }
        }
        try check(status, "gsl_eigen_symmv")
        var factor = [Double](repeating: 0, count: d * d)
        for j in 0..<d {
            let root = max(values[j], 0).squareRoot()
            for i in 0..<d { factor[i * d + j] = vectors[i * d + j] * root }
        }
        return (factor, false)
    }

    /// The determinant of a symmetric positive semi-definite d×d matrix: the squared
    /// product of its Cholesky factor's diagonal, or 0 when GSL finds it not positive definite.
    public static func semidefiniteDeterminant(_ a: [Double], size d: Int) -> Double {
        guard let l = choleskyFactor(a, size: d) else { return 0 }
        var p = 1.0
        for i in 0..<d { p *= l[i * d + i] * l[i * d + i] }
        return p
    }

    /// The singular value decomposition of the row-major p×p matrix `a` by GSL's Golub–Reinsch
    /// algorithm (`gsl_linalg_SV_decomp`): on return `a` holds U,
    /// `v` (p×p) holds V and `s` (p) the singular values, in decreasing order.
    /// - Returns: false when GSL reports an error.
    public static func singularValueDecomposition(_ a: inout [Double], v: inout [Double], s: inout [Double], size p: Int) -> Bool {
        GSLRuntime.prepare()
        var work = [Double](repeating: 0, count: p)
        return a.withUnsafeMutableBufferPointer { sq in
            v.withUnsafeMutableBufferPointer { vp in
                s.withUnsafeMutableBufferPointer { sp in
                    work.withUnsafeMutableBufferPointer { wp in
                        var av = gsl_matrix_view_array(sq.baseAddress, p, p)
                        var vv = gsl_matrix_view_array(vp.baseAddress, p, p)
                        var sv = gsl_vector_view_array(sp.baseAddress, p)
                        var wv = gsl_vector_view_array(wp.baseAddress, p)
                        return gsl_linalg_SV_decomp(&av.matrix, &vv.matrix, &sv.vector, &wv.vector) == GSL_SUCCESS
                    }
                }
            }
        }
    }

    /// The upper triangular factor R (columns × columns, row-major, zeros below) of the
    /// row-major rows × columns matrix `a` (overwritten), by GSL's Householder QR
    /// (`gsl_linalg_QR_decomp`); rows ≥ columns. R's signs are GSL's.
    public static func qrUpperFactor(_ a: UnsafeMutablePointer<Double>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Double>) {
        GSLRuntime.prepare()
        var tau = [Double](repeating: 0, count: columns)
        tau.withUnsafeMutableBufferPointer { t in
            var matrix = gsl_matrix_view_array(a, rows, columns)
            var tv = gsl_vector_view_array(t.baseAddress, columns)
            _ = gsl_linalg_QR_decomp(&matrix.matrix, &tv.vector)
        }
        for i in 0..<columns {
            for j in 0..<columns { out[i * columns + j] = j >= i ? a[i * columns + j] : 0 }
        }
    }
}

/// Owns a `gsl_matrix`.
private final class OwnedMatrix {
    let pointer: UnsafeMutablePointer<gsl_matrix>
    let rows: Int, columns: Int

    init(rows: Int, columns: Int) throws {
        guard rows > 0, columns > 0, let p = gsl_matrix_calloc(rows, columns) else {
            throw GSLError.gsl("gsl_matrix_calloc(\(rows), \(columns)) failed")
        }
        pointer = p
        self.rows = rows
        self.columns = columns
    }

    convenience init(_ matrix: DenseMatrix) throws {
        try self.init(rows: matrix.rows, columns: matrix.columns)
        let tda = pointer.pointee.tda
        guard let data = pointer.pointee.data else { throw GSLError.gsl("gsl_matrix has no data") }
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
        guard count > 0, let p = gsl_vector_calloc(count) else { throw GSLError.gsl("gsl_vector_calloc(\(count)) failed") }
        pointer = p
        self.count = count
    }

    convenience init(_ values: [Double]) throws {
        try self.init(count: values.count)
        let stride = pointer.pointee.stride
        guard let data = pointer.pointee.data else { throw GSLError.gsl("gsl_vector has no data") }
        for (i, v) in values.enumerated() { data[i * stride] = v }
    }

    var array: [Double] {
        let stride = pointer.pointee.stride
        guard let data = pointer.pointee.data else { return [] }
        return (0..<count).map { data[$0 * stride] }
    }

    deinit { gsl_vector_free(pointer) }
}
