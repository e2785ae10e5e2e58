import Foundation
import Testing
import ScalefitCore

/// ``formatGeneral(_:significantDigits:)`` against the C library's own `%.*g`, byte for byte.
@Suite struct NumberFormatTests {
    /// What `vsnprintf("%.Pg")` writes (the reference the Swift formatter replaces).
    static func c(_ value: Double, _ digits: Int) -> String {
        var buffer = [CChar](repeating: 0, count: 64)
        let written = withVaList([Int32(digits), value]) { vsnprintf(&buffer, 64, "%.*g", $0) }
        #expect(written > 0 && written < 64)
        return String(cString: buffer)
    }

    static func check(_ value: Double, digits: [Int] = Array(1...17)) -> Int {
        var mismatches = 0
        for p in digits {
            let swift = formatGeneral(value, significantDigits: p), reference = c(value, p)
            if swift != reference {
                mismatches += 1
                Issue.record("\(value.bitPattern) %.\(p)g: swift \(swift) vs C \(reference)")
            }
        }
        return mismatches
    }

    @Test func specialValues() {
        let values: [Double] = [
            0, -0.0, 1, -1, 0.5, 1.5, 2.5, -2.5, 0.125, 0.375, 9.9995, 9.99951, 99999.5, 123456,
            0.0001, 0.00001, 0.000123456, 1e-5, 1e15, 1e16, 1e20, 1e21, 1e22, 9.9999e20,
            1e21.nextDown, 1e21.nextUp, 999_999_999_999_999_999_999.0, 1e-4.nextDown, 1e-4.nextUp,
            .pi, -.pi, .ulpOfOne, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
            .leastNormalMagnitude, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
            Double.leastNormalMagnitude.nextDown, 4.9e-324, 2.2250738585072009e-308,
            .infinity, -.infinity, .nan, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 5e-324 * 12345,
        ]
        var mismatches = 0
        for v in values { mismatches += Self.check(v) }
        #expect(mismatches == 0)
        #expect(formatGeneral(1234.5678, significantDigits: 4) == "1235")
        #expect(formatGeneral(1e-5, significantDigits: 4) == "1e-05")
        #expect(formatGeneral(2.5, significantDigits: 1) == "2")
        #expect(formatGeneral(-0.0, significantDigits: 4) == "-0")
    }

    /// Many doubles: random bit patterns (every exponent, subnormals, both signs), random
    /// values near powers of ten, and decimal ties (k + 0.5)·10^e.
    @Test func randomValuesMatchC() {
        var rng = SeededRandom(seed: 2024)
        var mismatches = 0
        for _ in 0..<20_000 {
            let v = Double(bitPattern: rng.next())
            guard v.isFinite else { continue }
            mismatches += Self.check(v, digits: [1, 4, 6, Int(rng.next() % 17) + 1])
        }
        for _ in 0..<5_000 {
            let e = Int(rng.next() % 60) - 30
            let v = (Double(rng.next() % 2_000_001) / 1_000_000) * pow(10, Double(e))
            mismatches += Self.check(rng.next() % 2 == 0 ? v : -v, digits: [1, 2, 3, 4, 5, 8])
        }
        for k in 0..<2_000 {
            let v = (Double(k) + 0.5) * pow(10, Double(k % 9) - 4)
            mismatches += Self.check(v, digits: [1, 2, 3, 4])
        }
        for _ in 0..<3_000 {
            let v = Double(bitPattern: rng.next() % (1 << 52))  // subnormals
            mismatches += Self.check(v, digits: [1, 4, 17])
        }
        #expect(mismatches == 0)
    }
}
