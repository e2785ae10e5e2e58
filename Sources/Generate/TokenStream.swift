import Foundation

/// Walker/Vose alias table with 2^bits cells, 32-bit thresholds, drawn from 64 random
/// bits: the top `bits` pick the cell, the low 32 bits decide cell or alias. Probabilities
/// are exact to 2^-32 per cell. Tables of up to 65536 cells store 16-bit aliases (6 bytes a
/// cell). Measured: a 16384-cell head beat a 4096-cell (L1-sized) one for β = 1.1 and 1.5,
/// since independent draws overlap their L2 latencies.
struct AliasTable: Sendable {
    let bits: Int
    let threshold: [UInt32]
    let alias: [UInt32]
    let shortAlias: [UInt16]

    init(weights: [Double]) {
        var bits = 0
        while 1 << bits < weights.count { bits += 1 }
        bits = Swift.max(bits, 1)
        let size = 1 << bits
        let total = weights.reduce(0, +)
        var scaled = (0..<size).map { $0 < weights.count ? weights[$0] / total * Double(size) : 0 }
        var threshold = [UInt32](repeating: UInt32.max, count: size)
        var alias = (0..<size).map { UInt32($0) }
        var small: [Int] = [], large: [Int] = []
        for i in 0..<size { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
        while let s = small.popLast() {
            guard let l = large.last else { break }
            threshold[s] = UInt32(Swift.min(scaled[s] * 4_294_967_296.0, 4_294_967_295.0))
            alias[s] = UInt32(l)
            scaled[l] -= 1 - scaled[s]
            if scaled[l] < 1 { large.removeLast(); small.append(l) }
        }
        self.bits = bits
        self.threshold = threshold
        if size <= 1 << 16 {
            self.shortAlias = alias.map { UInt16($0) }
            self.alias = []
        } else {
            self.shortAlias = []
            self.alias = alias
        }
    }

    @inline(__always)
    func sample(_ r: UInt64) -> Int {
        let cell = Int(truncatingIfNeeded: r >> UInt64(64 - bits))
        if UInt32(truncatingIfNeeded: r) < threshold[cell] { return cell }
        return alias.isEmpty ? Int(shortAlias[cell]) : Int(alias[cell])
    }
}

/// A fast sampler of Zipf(β) tokens on ranks 1...N (N may be unbounded).
///
/// Two alias tables and a tail: a 16384-cell table (96 KiB) covers ranks 1...16383 plus a
/// cell carrying the mass beyond; a draw landing there goes to a 65536-cell table
/// (384 KiB; both stay in the 2 MiB L2) over the next 65535 ranks plus its own beyond-cell; only
/// what lands there is completed by rejection-inversion (exact, O(1)) on the remaining
/// ranks. A plain alias table over 10⁶ ranks (GSL's `gsl_ran_discrete`) is bound by
/// memory latency; here most draws touch only the small table. Random bits come from
/// xoshiro256** seeded from GSL's mt19937.
public struct ZipfTokenSampler: Sendable {
    static let headCells = 16384
    static let midCells = 65536
    private let head: AliasTable
    private let headTail: Int
    private let mid: AliasTable?
    private let midFirst: Int
    private let midTail: Int
    private let tail: ZipfRangeSampler?
    private var source: Xoshiro256

    /// A sampler for Zipf(`beta`) over `ranks` ranks (`nil` = unbounded), seeded with `seed`.
    /// - Throws: ``GenerateError/invalidParameter(_:)`` unless β > 1 and ranks ≥ 1.
    public init(beta: Double, ranks: Int?, seed: UInt64) throws {
        let law = try ZipfComponent(weight: 1, exponent: beta, upper: ranks)
        try self.init(law: law, source: Xoshiro256(seededFrom: try GSLRandom(seed: seed)))
    }

    init(law: ZipfComponent, source: Xoshiro256) throws {
        let n = law.upper ?? Int.max
        // Level 1: ranks 1...h1 (+ a beyond-cell when n > h1).
        let h1 = n <= Self.headCells ? n : Self.headCells - 1
        var weights = (1...h1).map { law.mass($0) }
        if h1 < n { weights.append(try law.tailMass(after: h1)) }
        head = AliasTable(weights: weights)
        headTail = h1 < n ? h1 : -1
        // Level 2: ranks h1+1...h2 (+ a beyond-cell when n > h2).
        var h2 = h1
        if h1 < n {
            h2 = n - h1 <= Self.midCells ? n : h1 + Self.midCells - 1
            var w = ((h1 + 1)...h2).map { law.mass($0) }
            if h2 < n { w.append(try law.tailMass(after: h2)) }
            mid = AliasTable(weights: w)
        } else {
            mid = nil
        }
        midFirst = h1 + 1
        midTail = h2 < n ? h2 - h1 : -1
        tail = h2 < n ? ZipfRangeSampler(exponent: law.exponent, lo: h2 + 1, hi: law.upper) : nil
        self.source = source
    }

    /// The rank for a draw that reached level 2.
    @inline(__always)
    private func beyondHead(_ source: inout Xoshiro256) -> Int {
        guard let mid else { return 0 }
        let k = mid.sample(source.next())
        if k == midTail, let tail { return tail.sample(&source) }
        return midFirst + k
    }

    /// One token (a rank ≥ 1).
    @inline(__always)
    public mutating func next() -> Int {
        let cell = head.sample(source.next())
        if cell == headTail { return beyondHead(&source) }
        return cell + 1
    }

    /// Fills `tokens` with fresh draws (overwrites every element); the same draws as
    /// calling ``next()`` `tokens.count` times. The tables are read through buffer
    /// pointers hoisted out of the loop, so the hot path has no reference counting.
    public mutating func fill(_ tokens: inout [Int]) {
        var source = self.source
        let shift = UInt64(64 - head.bits)
        let headTail = self.headTail
        let midShift = UInt64(64 - (mid?.bits ?? 1))
        let midTail = self.midTail, midFirst = self.midFirst
        let tail = self.tail
        let midThreshold = mid?.threshold ?? [], midAlias = mid?.shortAlias ?? []
        head.threshold.withUnsafeBufferPointer { threshold in
            head.shortAlias.withUnsafeBufferPointer { alias in
                midThreshold.withUnsafeBufferPointer { threshold2 in
                    midAlias.withUnsafeBufferPointer { alias2 in
                        tokens.withUnsafeMutableBufferPointer { out in
                            for i in 0..<out.count {
                                let r = source.next()
                                let cell = Int(truncatingIfNeeded: r >> shift)
                                let k = UInt32(truncatingIfNeeded: r) < threshold[cell] ? cell : Int(alias[cell])
                                if k != headTail { out[i] = k + 1; continue }
                                let r2 = source.next()
                                let cell2 = Int(truncatingIfNeeded: r2 >> midShift)
                                let k2 = UInt32(truncatingIfNeeded: r2) < threshold2[cell2] ? cell2 : Int(alias2[cell2])
                                if k2 == midTail, let tail { out[i] = tail.sample(&source) } else { out[i] = midFirst + k2 }
                            }
                        }
                    }
                }
            }
        }
        self.source = source
    }
}

/// The training token stream of the hutter scenario, written one rank per line.
enum TokenStream {
    static func text(count: Int, components: [ZipfComponent], finite: FiniteTrainingLaw?, seed: UInt64) throws -> String {
        let rng = try GSLRandom(seed: seed)
        var tokens = [Int](repeating: 0, count: count)
        if let finite {
            let table = AliasTable(weights: finite.q)
            var source = Xoshiro256(seededFrom: rng)
            for i in 0..<count {
                var k = table.sample(source.next())
                while k >= finite.support.count { k = table.sample(source.next()) }
                tokens[i] = finite.support[k]
            }
        } else {
            var samplers = try components.map { try ZipfTokenSampler(law: $0, source: Xoshiro256(seededFrom: rng)) }
            var pick = Xoshiro256(seededFrom: rng)
            let total = components.reduce(0) { $0 + $1.weight }
            for i in 0..<count {
                var c = 0
                if samplers.count > 1 {
                    var u = pick.nextUniform() * total
                    while c < samplers.count - 1 && u >= components[c].weight { u -= components[c].weight; c += 1 }
                }
                tokens[i] = samplers[c].next()
            }
        }
        return lines(tokens)
    }

    /// Decimal integers, one per line, formatted without Foundation.
    static func lines(_ values: [Int]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 8)
        var digits = [UInt8](repeating: 0, count: 24)
        for v in values {
            var x = v.magnitude
            var n = 0
            repeat { digits[n] = UInt8(48 + x % 10); x /= 10; n += 1 } while x > 0
            if v < 0 { bytes.append(45) }
            while n > 0 { n -= 1; bytes.append(digits[n]) }
            bytes.append(10)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
