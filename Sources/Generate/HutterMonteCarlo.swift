import Foundation

/// The set of ranks seen in a sample: a bitmap for ranks 1...head.count and a sorted list
/// of the (rarer) ranks beyond it.
struct SeenSet: Sendable {
    var head: [Bool]
    var tail: [Int]
    /// Ranks 1...dense are mostly seen (their unseen masses are summed); beyond it the
    /// bitmap is sparse (its seen masses are summed and subtracted from the tail mass).
    var dense: Int

    /// The sorted list of all seen ranks.
    var ranks: [Int] {
        var out: [Int] = []
        for (i, s) in head.enumerated() where s { out.append(i + 1) }
        return out + tail
    }

    /// Σ_{i not seen} p_i for the test law `test` (ranks beyond its support carry no mass).
    func unseenMass(test: ZipfComponent) throws -> Double {
        let n = test.upper ?? Int.max
        var missing = 0.0
        for i in 0..<Swift.min(dense, n) where !head[i] { missing += test.mass(i + 1) }
        var tailSeen = 0.0
        for r in tail.reversed() where r <= n { tailSeen += test.mass(r) }
        if head.count > dense {
            for i in stride(from: Swift.min(head.count, n) - 1, through: dense, by: -1) where head[i] {
                tailSeen += test.mass(i + 1)
            }
        }
        return missing + (try test.tailMass(after: dense)) - tailSeen
    }

    /// Builds the set from a head bitmap and unsorted extra ranks (any rank ≥ 1). The bitmap
    /// is widened to cover the extra ranks up to 8× the work already done (marking beats
    /// sorting); only the rarer ranks beyond it are sorted and deduplicated.
    init(head: [Bool], extra: [Int]) {
        var head = head
        dense = head.count
        if let largest = extra.max(), largest > head.count {
            let size = Swift.min(largest, 1 << 24, 8 * (head.count + extra.count))
            if size > head.count { head += [Bool](repeating: false, count: size - head.count) }
        }
        var rest: [Int] = []
        rest.reserveCapacity(extra.count)
        for r in extra {
            if r <= head.count { head[r - 1] = true } else { rest.append(r) }
        }
        rest.sort()
        var unique: [Int] = []
        unique.reserveCapacity(rest.count)
        for r in rest where unique.last != r { unique.append(r) }
        self.head = head
        self.tail = unique
    }
}

/// Exact Monte Carlo of the memoriser: which ranks T i.i.d. draws from q hit.
///
/// Counts are drawn by conditional binomial splitting (rank i gets Binomial(R, q_i/Q_{≥i})
/// of the R draws left) over the head ranks, where almost every rank is hit, and the R
/// draws that fall beyond the head are drawn one by one by rejection-inversion. The head
/// ends at the first rank h where the expected number of draws beyond it is ≤ max(h, 1024),
/// so the cost is O(h + R) ≈ O(number of distinct ranks seen), not O(T).
enum HutterMonteCarlo {
    /// The largest head scalefit will walk (a 128 MiB suffix table).
    static let headLimit = 1 << 24

    /// The ranks seen in `draws` i.i.d. draws from the mixture `components`.
    static func seen(draws: Int, components: [ZipfComponent], rng: GSLRandom) throws -> SeenSet {
        let weights = components.map(\.weight)
        let split = rng.multinomial(trials: draws, weights: weights)
        var head: [Bool] = []
        var extra: [Int] = []
        for (component, r) in zip(components, split) where r > 0 {
            try draw(r, from: component, rng: rng, head: &head, extra: &extra)
        }
        return SeenSet(head: head, extra: extra)
    }

    /// Draws `r` ranks from one Zipf component (its own shape; weight ignored).
    static func draw(_ r: Int, from c: ZipfComponent, rng: GSLRandom, head: inout [Bool], extra: inout [Int]) throws {
        let m = c.upper ?? ZipfMath.rankLimit
        let total = 1 / c.normaliser
        // Smallest h with r·tail(h)/total ≤ max(h, 1024).
        func tooMany(_ h: Int) throws -> Bool {
            if h >= m { return false }
            return Double(r) * (try ZipfMath.powerSum(c.exponent, from: h + 1, through: c.upper)) / total > Double(Swift.max(h, 1024))
        }
        var low = 0, high = Swift.min(m, headLimit)
        if try tooMany(high) {
            throw GenerateError.tooExpensive(
                "Monte Carlo with \(r) draws from Zipf(\(c.exponent)) would visit more than \(headLimit) ranks; use --mode exact or a smaller T")
        }
        while low < high {
            let mid = low + (high - low) / 2
            if try tooMany(mid) { low = mid + 1 } else { high = mid }
        }
        let h = low
        if head.count < h { head += [Bool](repeating: false, count: h - head.count) }
        var remaining = r
        if h > 0 {
            // suffix[i] = Σ_{j ≥ i+1} j^(−γ) over the component's support.
            var suffix = [Double](repeating: 0, count: h + 1)
            suffix[h] = try ZipfMath.powerSum(c.exponent, from: h + 1, through: c.upper)
            var i = h - 1
            while i >= 0 { suffix[i] = suffix[i + 1] + exp(-c.exponent * log(Double(i + 1))); i -= 1 }
            for i in 0..<h where remaining > 0 {
                let w = suffix[i] - suffix[i + 1]
                let count = rng.binomial(trials: remaining, probability: Swift.min(1, w / suffix[i]))
                if count > 0 { head[i] = true; remaining -= count }
            }
        }
        if remaining > 0 {
            let sampler = ZipfRangeSampler(exponent: c.exponent, lo: h + 1, hi: c.upper)
            var source = rng
            extra.reserveCapacity(extra.count + remaining)
            for _ in 0..<remaining { extra.append(sampler.sample(&source)) }
        }
    }

    /// The ranks of `support` seen in `draws` draws from weights ∝ `weights` (same order).
    static func seen(draws: Int, support: [Int], weights: [Double], rng: GSLRandom) -> [Int] {
        var suffix = [Double](repeating: 0, count: weights.count + 1)
        var i = weights.count - 1
        while i >= 0 { suffix[i] = suffix[i + 1] + weights[i]; i -= 1 }
        var remaining = draws
        var out: [Int] = []
        for k in 0..<support.count where remaining > 0 {
            let count = k == support.count - 1 ? remaining
                : rng.binomial(trials: remaining, probability: Swift.min(1, weights[k] / suffix[k]))
            if count > 0 { out.append(support[k]); remaining -= count }
        }
        return out
    }
}

/// A training law on a finite set of ranks: q_i ∝ base_i on `support` (the output of
/// repeated generations, docs/collapse-theory.md §1).
struct FiniteTrainingLaw: Sendable {
    var support: [Int]
    var q: [Double]
    /// Σ_{i ∉ support} p_i, the realised floor.
    var floor: Double
    var p: [Double]
    var logOneMinusQ: [Double]

    /// Runs `generations` generations of T0 draws each, starting from `base`.
    init(base: [ZipfComponent], test: ZipfComponent, generations: Int, t0: Int, rng: GSLRandom) throws {
        var set = try HutterMonteCarlo.seen(draws: t0, components: base, rng: rng)
        var support = set.ranks
        func baseMass(_ i: Int) -> Double { base.reduce(0) { $0 + $1.mass(i) } }
        var weights = support.map(baseMass)
        if generations > 1 {
            for _ in 2...generations {
                support = HutterMonteCarlo.seen(draws: t0, support: support, weights: weights, rng: rng)
                weights = support.map(baseMass)
            }
            let h = set.head.count
            var head = [Bool](repeating: false, count: h)
            var extra: [Int] = []
            for r in support { if r <= h { head[r - 1] = true } else { extra.append(r) } }
            set = SeenSet(head: head, extra: extra)
        }
        let total = weights.reduce(0, +)
        self.support = support
        q = weights.map { $0 / total }
        floor = try set.unseenMass(test: test)
        p = support.map { test.mass($0) }
        logOneMinusQ = q.map { log1p(-$0) }
    }

    /// E(T) = floor + Σ_{i∈S} p_i (1 − q_i)^T.
    func expectedError(_ t: Double) -> Double {
        var s = floor
        for k in 0..<p.count { s += p[k] * exp(t * logOneMinusQ[k]) }
        return s
    }

    /// One Monte Carlo draw of the test error after T draws from q.
    func sampledError(_ t: Int, rng: GSLRandom) -> Double {
        var suffix = [Double](repeating: 0, count: q.count + 1)
        var i = q.count - 1
        while i >= 0 { suffix[i] = suffix[i + 1] + q[i]; i -= 1 }
        var remaining = t
        var missing = floor
        for k in 0..<q.count {
            var count = 0
            if remaining > 0 {
                count = k == q.count - 1 ? remaining
                    : rng.binomial(trials: remaining, probability: Swift.min(1, q[k] / suffix[k]))
                remaining -= count
            }
            if count == 0 { missing += p[k] }
        }
        return missing
    }
}
