/// The one seeded generator of scalefit: SplitMix64 (Steele, Lea & Flood 2014), small,
/// fast and seedable, for resampling, start jitter, bootstrap replicates and GSL seeds.
///
/// Every parallel task derives its own stream from `(seed, index)`, so results do not
/// depend on the thread count. Two derivations exist because published outputs depend on
/// them: ``init(seed:stream:)`` (the fit engine's) and ``init(seed:replicate:)`` (the tail
/// bootstrap's); both only choose the starting state of the same generator.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// An independent stream for task `stream` of a run seeded with `seed`.
    public init(seed: UInt64, stream: UInt64) {
        var mixer = SeededRandom(seed: seed ^ (stream &* 0x9E37_79B9_7F4A_7C15))
        state = mixer.next() ^ (stream &+ 0xD1B5_4A32_D192_ED03)
    }

    /// The stream of bootstrap replicate `replicate` of a run seeded with `seed` (the tail
    /// bootstrap's derivation: the pair is mixed so nearby seeds and streams start far apart).
    public init(seed: UInt64, replicate: UInt64) {
        var mixer = SeededRandom(seed: seed ^ 0x5851_F42D_4C95_7F2D)
        state = mixer.next() ^ (replicate &* 0x9E37_79B9_7F4A_7C15)
        _ = next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.finalize(state)
    }

    /// A uniform draw in (0, 1] (53 random bits).
    public mutating func nextUnit() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }

    /// One SplitMix64 step from state `x` as a pure function: the first output of
    /// `SeededRandom(seed: x)`. Used to fold or derive seeds (e.g. for GSL's generator).
    public static func mix(_ x: UInt64) -> UInt64 { finalize(x &+ 0x9E37_79B9_7F4A_7C15) }

    @inline(__always)
    private static func finalize(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
