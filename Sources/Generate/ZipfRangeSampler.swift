import Foundation

/// A source of uniform doubles in [0, 1): GSL's mt19937 or the fast stream generator.
protocol UniformSource {
    mutating func nextUniform() -> Double
}

extension GSLRandom: UniformSource {
    func nextUniform() -> Double { uniform() }
}

/// xoshiro256** (Blackman–Vigna): 64 bits per call in about a nanosecond. Used for token
/// emission, where GSL's mt19937 (two indirect calls per 32 bits) would dominate the cost.
/// Always seeded from a ``GSLRandom`` stream, so the seed chain starts at `--seed`.
public struct Xoshiro256: RandomNumberGenerator, UniformSource, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator whose 256-bit state is drawn from `source`.
    public init(seededFrom source: GSLRandom) {
        var a = source.next64(), b = source.next64(), c = source.next64(), d = source.next64()
        if a | b | c | d == 0 { a = 1; b = 2; c = 3; d = 4 }
        s0 = a; s1 = b; s2 = c; s3 = d
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    @inline(__always)
    mutating func nextUniform() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// Exact draws from p(k) ∝ k^(−s) on the integers lo...hi (s > 1) by rejection-inversion
/// (Hörmann & Derflinger, "Rejection-inversion to generate variates from monotone discrete
/// distributions", ACM TOMACS 6(3), 1996).
///
/// With H(x) = −x^(1−s)/(s−1) (an antiderivative of x^(−s)), a uniform u on
/// [H(lo+½) − lo^(−s), H(hi+½)] is mapped to x = H⁻¹(u) and k = round(x); k is accepted when
/// u ≥ H(k+½) − k^(−s). The accepted u for each k form an interval of length exactly k^(−s)
/// (convexity of x^(−s) makes it fit inside k's cell), so accepted k follow the law exactly.
/// Expected trials per draw are below 1.1 for the laws used here; no table is needed, so
/// the cost does not depend on hi − lo.
struct ZipfRangeSampler: Sendable {
    let exponent: Double
    let lo: Int
    let hi: Int
    private let oneMinusS: Double
    private let uLow: Double
    private let uSpan: Double
    /// Squeeze: for k ≥ lo + 1 a draw with k − x ≤ squeeze is always accepted (the accepted
    /// part of each cell, measured from its right end, only widens with k for x^(−s)), so the
    /// acceptance test's two transcendental calls are skipped for most draws.
    private let squeeze: Double

    init(exponent s: Double, lo: Int, hi: Int?) {
        precondition(s > 1 && lo >= 1, "ZipfRangeSampler domain")
        let top = min(hi ?? ZipfMath.rankLimit, ZipfMath.rankLimit)
        precondition(top >= lo, "ZipfRangeSampler: empty range")
        exponent = s
        self.lo = lo
        self.hi = top
        oneMinusS = 1 - s
        let h = { (x: Double) in -exp((1 - s) * log(x)) / (s - 1) }
        let low = h(Double(lo) + 0.5) - exp(-s * log(Double(lo)))
        uLow = low
        uSpan = h(Double(top) + 0.5) - low
        if top > lo {
            let next = Double(lo + 1)
            let edge = h(next + 0.5) - exp(-s * log(next))
            squeeze = next - exp(log(-edge * (s - 1)) / (1 - s))
        } else {
            squeeze = 0
        }
    }

    @inline(__always) private func bigH(_ x: Double) -> Double { -exp(oneMinusS * log(x)) / (-oneMinusS) }

    @inline(__always) private func inverseH(_ u: Double) -> Double { exp(log(-u * -oneMinusS) / oneMinusS) }

    /// One draw.
    @inline(__always)
    func sample<R: UniformSource>(_ source: inout R) -> Int {
        while true {
            let u = uLow + source.nextUniform() * uSpan
            let x = inverseH(u)
            guard x.isFinite, x < Double(hi) + 0.5 else { continue }
            var k = Int(x + 0.5)
            if k < lo { k = lo } else if k > hi { k = hi }
            let kd = Double(k)
            if kd - x <= squeeze || u >= bigH(kd + 0.5) - exp(-exponent * log(kd)) { return k }
        }
    }
}

/// i.i.d. samples of the discrete power law p(x) = x^(−α)/ζ(α, xmin) for integers
/// x ≥ xmin — the convention of Clauset, Shalizi & Newman, "Power-law distributions in
/// empirical data", SIAM Review 51 (2009), eq. (2.4).
///
/// Drawn exactly by rejection-inversion (Hörmann & Derflinger 1996) from a GSL mt19937
/// stream seeded with `seed`; the same seed always gives the same samples. Values above
/// 2^62 are rejected (a truncation whose mass, (2^62)^(1−α)/(α−1) relative, is below
/// double precision for α ≥ 1.3).
///
/// ```swift
/// let x = zipfSamples(exponent: 2.5, xmin: 1, count: 5, seed: 7)   // five integers ≥ 1
/// ```
/// - Parameters:
///   - exponent: α > 1.
///   - xmin: the smallest value, ≥ 1.
///   - count: how many samples, ≥ 0.
///   - seed: the GSL seed.
/// - Complexity: O(count), independent of the support.
public func zipfSamples(exponent: Double, xmin: Int, count: Int, seed: UInt64) -> [Int] {
    precondition(exponent > 1, "zipfSamples: exponent must be > 1")
    precondition(xmin >= 1, "zipfSamples: xmin must be ≥ 1")
    precondition(count >= 0, "zipfSamples: count must be ≥ 0")
    guard let rng = try? GSLRandom(seed: seed) else {
        preconditionFailure("GSL could not allocate a random number generator")
    }
    var source = rng
    let sampler = ZipfRangeSampler(exponent: exponent, lo: xmin, hi: nil)
    return (0..<count).map { _ in sampler.sample(&source) }
}
