// GSL's random number generators and distributions (gsl_rng, gsl_randist). Everything
// GSL-shaped stays in here; what leaves it is plain Swift: integers, doubles and arrays. GSL's error handler is turned off before the first
// call (GSLRuntime.prepare), and every allocation is checked for NULL.

internal import CGSL
import ScalefitCore

/// A seeded Mersenne Twister (GSL's `gsl_rng_mt19937`) and the distributions scalefit
/// draws from it.
///
/// One instance owns one `gsl_rng` and frees it in `deinit`. It is not thread-safe: give
/// each task its own generator, seeded with ``GSLRandom/subseed(_:_:)``, so output does not
/// depend on the number of threads.
///
/// GSL's mt19937 uses the low 32 bits of the seed only; ``init(seed:)`` folds the 64-bit
/// seed into 32 bits with SplitMix64 first, so seeds that differ only in their high bits
/// still give different streams.
public final class GSLRandom {
    private let rng: UnsafeMutablePointer<gsl_rng>

    /// The seed this generator was created with.
    public let seed: UInt64

    /// A generator seeded with `seed`.
    /// - Throws: ``GSLError/gsl(_:)`` when GSL cannot allocate the generator.
    public init(seed: UInt64) throws {
        GSLRuntime.prepare()
        guard let type = cgsl_rng_mt19937(), let rng = gsl_rng_alloc(type) else {
            throw GSLError.gsl("gsl_rng_alloc(mt19937) returned NULL")
        }
        self.rng = rng
        self.seed = seed
        let folded = GSLRandom.splitMix64(seed)
        gsl_rng_set(rng, UInt(truncatingIfNeeded: (folded >> 32) ^ (folded & 0xffff_ffff)))
    }

    deinit { gsl_rng_free(rng) }

    /// A child seed derived from `seed` and `index` (SplitMix64), used to give every task
    /// (a value of T, a replicate, a generation) its own independent stream.
    public static func subseed(_ seed: UInt64, _ index: UInt64) -> UInt64 {
        splitMix64(splitMix64(seed) &+ 0x9e37_79b9_7f4a_7c15 &* (index &+ 1))
    }

    static func splitMix64(_ x: UInt64) -> UInt64 { SeededRandom.mix(x) }

    /// A uniform double in [0, 1) (`gsl_rng_uniform`).
    public func uniform() -> Double { gsl_rng_uniform(rng) }

    /// 64 random bits (two 32-bit mt19937 outputs), used to seed fast stream generators.
    public func next64() -> UInt64 {
        let high = UInt64(gsl_rng_get(rng) & 0xffff_ffff)
        let low = UInt64(gsl_rng_get(rng) & 0xffff_ffff)
        return (high << 32) | low
    }

    /// A uniform integer in 0..<n (`gsl_rng_uniform_int`); n ≤ 2^32.
    public func uniformInt(below n: Int) -> Int {
        precondition(n > 0 && n <= 1 << 32, "uniformInt range")
        return Int(gsl_rng_uniform_int(rng, UInt(n)))
    }

    /// A N(0, σ²) draw (`gsl_ran_gaussian_ziggurat`).
    public func gaussian(sigma: Double = 1) -> Double { gsl_ran_gaussian_ziggurat(rng, sigma) }

    /// A Binomial(n, p) draw (`gsl_ran_binomial`).
    ///
    /// GSL takes a 32-bit `n`; larger `n` are split into chunks of at most 2^31 trials
    /// whose binomial draws are added (a sum of independent binomials with the same p is
    /// binomial), so the result is exact for any `n`.
    /// - Complexity: O(1 + n / 2^31) GSL calls.
    public func binomial(trials n: Int, probability p: Double) -> Int {
        precondition(n >= 0, "binomial: negative trials")
        if n == 0 || p <= 0 { return 0 }
        if p >= 1 { return n }
        let chunk = 1 << 31
        if n <= chunk { return Int(gsl_ran_binomial(rng, p, UInt32(n))) }
        var remaining = n
        var total = 0
        while remaining > 0 {
            let m = min(remaining, chunk)
            total += Int(gsl_ran_binomial(rng, p, UInt32(m)))
            remaining -= m
        }
        return total
    }

    /// A Multinomial(n, p) draw: counts per category (`gsl_ran_multinomial` for n < 2^32,
    /// conditional binomials otherwise). `weights` need not sum to 1.
    public func multinomial(trials n: Int, weights: [Double]) -> [Int] {
        precondition(n >= 0, "multinomial: negative trials")
        let k = weights.count
        if k == 0 { return [] }
        if n < Int(UInt32.max) {
            var counts = [UInt32](repeating: 0, count: k)
            weights.withUnsafeBufferPointer { w in
                counts.withUnsafeMutableBufferPointer { c in
                    gsl_ran_multinomial(rng, k, UInt32(n), w.baseAddress, c.baseAddress)
                }
            }
            return counts.map { Int($0) }
        }
        var remainingMass = weights.reduce(0, +)
        var remaining = n
        var counts = [Int](repeating: 0, count: k)
        for i in 0..<k where remaining > 0 {
            let c = i == k - 1 ? remaining : binomial(trials: remaining, probability: min(1, weights[i] / remainingMass))
            counts[i] = c
            remaining -= c
            remainingMass -= weights[i]
        }
        return counts
    }

    /// Draws `count` indices from the discrete law with the given (unnormalised) weights
    /// with GSL's Walker alias table (`gsl_ran_discrete_preproc` + `gsl_ran_discrete`).
    /// - Throws: ``GSLError/gsl(_:)`` when GSL rejects the weights.
    public func discreteSamples(weights: [Double], count: Int) throws -> [Int] {
        let table = try DiscreteTable(weights: weights)
        return (0..<count).map { _ in Int(gsl_ran_discrete(rng, table.table)) }
    }
}

/// Owns a `gsl_ran_discrete_t` alias table and frees it.
private final class DiscreteTable {
    let table: UnsafeMutablePointer<gsl_ran_discrete_t>

    init(weights: [Double]) throws {
        guard !weights.isEmpty, weights.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw GSLError.gsl("gsl_ran_discrete_preproc: weights must be finite and non-negative")
        }
        let made = weights.withUnsafeBufferPointer { gsl_ran_discrete_preproc(weights.count, $0.baseAddress) }
        guard let made else { throw GSLError.gsl("gsl_ran_discrete_preproc returned NULL") }
        table = made
    }

    deinit { gsl_ran_discrete_free(table) }
}
