import Testing
import RealModule
import ScalefitCore
@testable import Fit

/// `--holdout K` on a two-input law holds out the K largest compute C = 6·N·D, not the K
/// largest N (issue 17).
@Suite("hold-out order for two-input laws")
struct HoldoutOrderTests {
    /// Chinchilla's law at Hoffmann et al.'s published fit (E 1.69, A 406.4, B 410.7,
    /// α 0.34, β 0.28) on a grid where the largest N is not the largest compute.
    static func sweep() -> Series {
        var n: [Double] = [], d: [Double] = [], y: [Double] = []
        for logN in stride(from: 7.0, through: 9.0, by: 0.5) {
            for logD in stride(from: 9.0, through: 11.0, by: 0.5) {
                let nn = Double.pow(10, logN), dd = Double.pow(10, logD - 0.6 * (logN - 7))
                n.append(nn); d.append(dd)
                y.append(1.69 + 406.4 * Double.pow(nn, -0.34) + 410.7 * Double.pow(dd, -0.28))
            }
        }
        return Series(run: "sweep", metric: "loss", x: n, x2: d, values: y)
    }

    @Test("by default the largest N·D are held out; --holdout-by x holds out the largest N")
    func computeOrder() throws {
        let series = Self.sweep()
        let compute = zip(series.x, series.x2!).map { $0 * $1 }
        var options = FitOptions()
        options.holdout = 3
        options.startLimit = 60
        let result = try ChinchillaLaw().fit(to: series, options: options)
        let held = try #require(result.holdout?.points)
        let largest = compute.sorted().suffix(3)
        #expect(Set(held.map { $0.x * $0.x2! }) == Set(largest))
        // The noise-free truth is recovered and extrapolates exactly.
        #expect(try #require(result.holdout?.rmsle) < 1e-6)

        options.holdoutBy = .x
        let byX = try ChinchillaLaw().fit(to: series, options: options)
        let heldByX = try #require(byX.holdout?.points)
        #expect(heldByX.allSatisfy { $0.x == 1e9 })
        // On this grid the two choices differ: the largest N is not the largest compute.
        #expect(Set(heldByX.map { $0.x * $0.x2! }) != Set(largest))
    }
}
