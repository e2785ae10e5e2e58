internal import CGSL

// The symmetric positive definite solve of the Huber polish and the long-series steps.

/// Solves the symmetric positive definite system m·x = b by GSL's Cholesky
/// decomposition; nil if m is not positive definite.
func choleskySolve(_ m: [Double], _ b: [Double], size p: Int) -> [Double]? {
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
