// GSL's minimisers: the one-dimensional Brent minimiser (gsl_min), used for the discrete
// power-law exponent, and the Nelder–Mead simplex (gsl_multimin, nmsimplex2), used for the
// tail's two-parameter alternatives. What leaves this file is
// plain Swift: `Double`, `[Double]` and a `MinimizerOutcome`.

internal import CGSL
import ScalefitCore

/// How a minimisation ended.
public struct MinimizerOutcome: Sendable {
    /// The minimiser found.
    public var point: [Double]
    /// The objective at `point`.
    public var value: Double
    /// Whether GSL's convergence test passed before the iteration limit.
    public var converged: Bool
    /// Iterations used.
    public var iterations: Int
}

/// Context handed to the C callbacks through GSL's `void *params`.
private final class ObjectiveBox {
    let scalar: ((Double) -> Double)?
    let vector: (([Double]) -> Double)?
    init(scalar: ((Double) -> Double)? = nil, vector: (([Double]) -> Double)? = nil) {
        self.scalar = scalar
        self.vector = vector
    }
}

/// GSL refuses non-finite objective values (GSL_EBADFUNC); a huge finite penalty keeps
/// the search going away from invalid regions instead.
private let penalty = 1e300

private func scalarTrampoline(_ x: Double, _ params: UnsafeMutableRawPointer?) -> Double {
    let box = Unmanaged<ObjectiveBox>.fromOpaque(params!).takeUnretainedValue()
    let value = box.scalar!(x)
    return value.isFinite ? value : penalty
}

private func vectorTrampoline(_ v: UnsafePointer<gsl_vector>?, _ params: UnsafeMutableRawPointer?) -> Double {
    let box = Unmanaged<ObjectiveBox>.fromOpaque(params!).takeUnretainedValue()
    let vector = v!.pointee
    var point = [Double](repeating: 0, count: vector.size)
    for i in 0..<vector.size { point[i] = vector.data[i * vector.stride] }
    let value = box.vector!(point)
    return value.isFinite ? value : penalty
}

/// Safe wrappers of GSL's derivative-free minimisers.
public enum GSLMinimizer {
    /// Minimises a function of one variable on [lower, upper] with Brent's method.
    ///
    /// GSL needs a starting point whose value is below both ends; when `guess` is not one,
    /// a grid of 64 points is scanned for one. When the smallest grid value sits at an
    /// end, that end is returned with `converged == false` (the minimum is at the bound).
    public static func minimize(
        _ f: @escaping (Double) -> Double, lower: Double, upper: Double, guess: Double,
        tolerance: Double = 1e-6, maxIterations: Int = 200
    ) -> MinimizerOutcome {
        GSLRuntime.prepare()
        precondition(lower < upper)
        func safe(_ x: Double) -> Double { let y = f(x); return y.isFinite ? y : penalty }
        var start = min(max(guess, lower), upper)
        let fLower = safe(lower), fUpper = safe(upper)
        var fStart = safe(start)
        if !(fStart < fLower && fStart < fUpper) {
            var best = (x: lower, f: fLower)
            if fUpper < best.f { best = (upper, fUpper) }
            let steps = 64
            for i in 1..<steps {
                let x = lower + (upper - lower) * Double(i) / Double(steps)
                let y = safe(x)
                if y < best.f { best = (x, y) }
            }
            if best.x == lower || best.x == upper {
                return MinimizerOutcome(point: [best.x], value: best.f, converged: false, iterations: 0)
            }
            start = best.x
            fStart = best.f
        }

        let box = ObjectiveBox(scalar: f)
        guard let solver = gsl_min_fminimizer_alloc(cgsl_min_brent()) else {
            return MinimizerOutcome(point: [start], value: fStart, converged: false, iterations: 0)
        }
        defer { gsl_min_fminimizer_free(solver) }
        let function = UnsafeMutablePointer<gsl_function>.allocate(capacity: 1)
        defer { function.deallocate() }
        function.initialize(to: gsl_function(function: scalarTrampoline, params: nil))

        return withExtendedLifetime(box) {
            function.pointee.params = Unmanaged.passUnretained(box).toOpaque()
            let status = gsl_min_fminimizer_set_with_values(
                solver, function, start, fStart, lower, fLower, upper, fUpper)
            guard status == GSL_SUCCESS else {
                return MinimizerOutcome(point: [start], value: fStart, converged: false, iterations: 0)
            }
            var converged = false
            var iterations = 0
            while iterations < maxIterations {
                iterations += 1
                guard gsl_min_fminimizer_iterate(solver) == GSL_SUCCESS else { break }
                let a = gsl_min_fminimizer_x_lower(solver)
                let b = gsl_min_fminimizer_x_upper(solver)
                if gsl_min_test_interval(a, b, tolerance, 0) == GSL_SUCCESS {
                    converged = true
                    break
                }
            }
            let x = gsl_min_fminimizer_x_minimum(solver)
            let value = gsl_min_fminimizer_f_minimum(solver)
            return MinimizerOutcome(point: [x], value: value, converged: converged && value.isFinite, iterations: iterations)
        }
    }

    /// Minimises a function of several variables with the Nelder–Mead simplex
    /// (`gsl_multimin_fminimizer_nmsimplex2`), stopping when the simplex size falls below
    /// `sizeTolerance`.
    public static func minimize(
        _ f: @escaping ([Double]) -> Double, start: [Double], stepSizes: [Double],
        sizeTolerance: Double = 1e-6, maxIterations: Int = 1000
    ) -> MinimizerOutcome {
        GSLRuntime.prepare()
        precondition(!start.isEmpty && start.count == stepSizes.count)
        let n = start.count
        let failed = MinimizerOutcome(point: start, value: f(start), converged: false, iterations: 0)
        guard let solver = gsl_multimin_fminimizer_alloc(cgsl_multimin_nmsimplex2(), n) else { return failed }
        defer { gsl_multimin_fminimizer_free(solver) }
        guard let x = gsl_vector_alloc(n), let steps = gsl_vector_alloc(n) else { return failed }
        defer { gsl_vector_free(x); gsl_vector_free(steps) }
        for i in 0..<n {
            gsl_vector_set(x, i, start[i])
            gsl_vector_set(steps, i, stepSizes[i])
        }
        let box = ObjectiveBox(vector: f)
        let function = UnsafeMutablePointer<gsl_multimin_function>.allocate(capacity: 1)
        defer { function.deallocate() }
        function.initialize(to: gsl_multimin_function(f: vectorTrampoline, n: n, params: nil))

        return withExtendedLifetime(box) {
            function.pointee.params = Unmanaged.passUnretained(box).toOpaque()
            guard gsl_multimin_fminimizer_set(solver, function, x, steps) == GSL_SUCCESS else { return failed }
            var converged = false
            var iterations = 0
            while iterations < maxIterations {
                iterations += 1
                guard gsl_multimin_fminimizer_iterate(solver) == GSL_SUCCESS else { break }
                let size = gsl_multimin_fminimizer_size(solver)
                if gsl_multimin_test_size(size, sizeTolerance) == GSL_SUCCESS {
                    converged = true
                    break
                }
            }
            guard let best = gsl_multimin_fminimizer_x(solver) else { return failed }
            let point = (0..<n).map { gsl_vector_get(best, $0) }
            let value = gsl_multimin_fminimizer_minimum(solver)
            return MinimizerOutcome(
                point: point, value: value,
                converged: converged && value.isFinite && value < penalty, iterations: iterations)
        }
    }
}
