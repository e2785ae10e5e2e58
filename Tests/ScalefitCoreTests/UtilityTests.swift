import Foundation
import Synchronization
import Testing
import ScalefitCore

/// The seeded generator, the percentile and the parallel map: the one copy of each.
@Suite struct UtilityTests {
    /// SplitMix64's reference outputs from state 0 (Steele, Lea & Flood 2014; Vigna's
    /// splitmix64.c): 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f.
    @Test func splitMix64ReferenceOutputs() {
        var rng = SeededRandom(seed: 0)
        #expect(rng.next() == 0xE220_A839_7B1D_CDAF)
        #expect(rng.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(rng.next() == 0x06C4_5D18_8009_454F)
        for seed: UInt64 in [0, 1, 42, .max] {
            var g = SeededRandom(seed: seed)
            #expect(SeededRandom.mix(seed) == g.next())
        }
    }

    @Test func streamsDifferAndReplay() {
        var a = SeededRandom(seed: 7, stream: 0), b = SeededRandom(seed: 7, stream: 1), a2 = SeededRandom(seed: 7, stream: 0)
        let first = (0..<4).map { _ in a.next() }
        #expect(first == (0..<4).map { _ in a2.next() })
        #expect(first != (0..<4).map { _ in b.next() })
        var r = SeededRandom(seed: 7, replicate: 3)
        var unit = 0.0
        for _ in 0..<1000 { unit = r.nextUnit(); #expect(unit > 0 && unit <= 1) }
    }

    /// numpy.percentile(x, 100·q) with the default linear method.
    @Test func percentileMatchesNumpy() {
        let x: [Double] = [1, 2, 3, 4]
        #expect(percentile(x, 0.25) == 1.75)       // numpy: 1.75
        #expect(percentile(x, 0.5) == 2.5)         // numpy: 2.5
        #expect(percentile(x, 0) == 1 && percentile(x, 1) == 4)
        #expect(abs(percentile([10, 20, 40], 0.16) - 13.2) < 1e-12)  // numpy: 13.2
        #expect(percentile([], 0.5).isNaN)
        #expect(percentile([3], 0.975) == 3)
    }

    @Test func parallelMapIsIndependentOfThreads() {
        let count = 1000
        let one = parallelMap(count: count, threads: 1, makeState: { SeededRandom(seed: 1) }) { _, i in i * i }
        let four = parallelMap(count: count, threads: 4, makeState: { SeededRandom(seed: 1) }) { _, i in i * i }
        #expect(one.map { $0! } == (0..<count).map { $0 * $0 })
        #expect(four.map { $0! } == one.map { $0! })
        // Each worker's state is handed to `finish` once.
        let finished = Mutex(0)
        _ = parallelMap(count: 10, threads: 3, makeState: { 0 }, body: { state, _ -> Int? in state += 1; return state }, finish: { _ in finished.withLock { $0 += 1 } })
        #expect(finished.withLock { $0 } == 3)
        // A worker without state leaves its indices nil.
        let none = parallelMap(count: 5, threads: 2, makeState: { nil as Int? }) { _, i in i }
        #expect(none.allSatisfy { $0 == nil })
    }
}
