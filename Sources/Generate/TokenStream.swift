import Foundation

/// Walker/Vose alias table with 2^bits cells, 32-bit thresholds, drawn from 64 random
/// bits: the top `bits` pick the cell, the low 32 bits decide cell or alias. Probabilities
/// are exact to 2^-32 per cell.
struct AliasTable: Sendable {
    let bits: Int
    let threshold: [UInt32]
    let alias: [UInt32]

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
        self.alias = alias
    }

    @inline(__always)
    func sample(_ r: UInt64) -> Int {
        let cell = Int(truncatingIfNeeded: r >> UInt64(64 - bits))
        return UInt32(truncatingIfNeeded: r) < threshold[cell] ? cell : Int(alias[cell])
    }
}

/// A fast sampler of Zipf(β) tokens on ranks 1...N (N may be unbounded).
///
/// A 4096-cell alias table (24 KiB, stays in L1/L2 cache) covers ranks 1...4095 plus one
/// "tail" cell carrying Σ_{i≥4096} p_i; a draw that lands in the tail cell is completed by
/// rejection-inversion on ranks 4096...N. A plain alias table over 10⁶ ranks (GSL's
/// `gsl_ran_discrete`) is bound by memory latency; here most draws touch only the small
/// table, and random bits come from xoshiro256** seeded from GSL's mt19937.
public struct ZipfTokenSampler: Sendable {
    static let headCells = 4096
    private let table: AliasTable
    private let tail: ZipfRangeSampler?
    private let tailCell: Int
    private var source: Xoshiro256

    /// A sampler for Zipf(`beta`) over `ranks` ranks (`nil` = unbounded), seeded with `seed`.
    /// - Throws: ``GenerateError/invalidParameter(_:)`` unless β > 1 and ranks ≥ 1.
    public init(beta: Double, ranks: Int?, seed: UInt64) throws {
        let law = try ZipfComponent(weight: 1, exponent: beta, upper: ranks)
        try self.init(law: law, source: Xoshiro256(seededFrom: try GSLRandom(seed: seed)))
    }

    init(law: ZipfComponent, source: Xoshiro256) throws {
        let n = law.upper ?? Int.max
        let head = Swift.min(n, ZipfTokenSampler.headCells - (n > ZipfTokenSampler.headCells ? 1 : 0))
        var weights = (1...head).map { law.mass($0) }
        if head < n {
            weights.append(try law.tailMass(after: head))
            tail = ZipfRangeSampler(exponent: law.exponent, lo: head + 1, hi: law.upper)
        } else {
            tail = nil
        }
        tailCell = head
        table = AliasTable(weights: weights)
        self.source = source
    }

    /// One token (a rank ≥ 1).
    @inline(__always)
    public mutating func next() -> Int {
        let cell = table.sample(source.next())
        if cell == tailCell, let tail { return tail.sample(&source) }
        return cell + 1
    }

    /// Fills `tokens` with fresh draws (overwrites every element).
    public mutating func fill(_ tokens: inout [Int]) {
        let count = tokens.count
        tokens.withUnsafeMutableBufferPointer { out in
            for i in 0..<count { out[i] = next() }
        }
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
