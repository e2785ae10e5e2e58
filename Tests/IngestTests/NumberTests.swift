import Testing
@testable import Ingest

/// Number and quantity spellings from shared/reference/log-formats.md §11 and §12.
@Suite("numbers and units")
struct NumberTests {
    @Test("plain numbers parse exactly as Swift's Double(String) does", arguments: [
        "3.9641785621643066", "1e-05", "7.812345E+00", "0", "-0.5", "1717000003.21", "123456789012345678901",
        "2.5e9", "0.1", "4.9e-324", "1.7976931348623157e308", "+3", ".5", "5.",
    ])
    func plain(_ text: String) {
        #expect(NumberParser.parse(text) == Double(text) ?? Double("0" + text))
    }

    @Test("random decimals of 1 to 19 digits parse bit for bit as Double(String) (the C library) does")
    func randomDecimals() {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for _ in 0..<200_000 {
            let digits = Int.random(in: 1...19, using: &generator)
            var text = Int.random(in: 0...1, using: &generator) == 0 ? "" : "-"
            let mantissa = (0..<digits).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
            let point = Int.random(in: 0...digits, using: &generator)
            text += mantissa.prefix(point) + (point < digits ? "." + mantissa.dropFirst(point) : "")
            if Int.random(in: 0...2, using: &generator) == 0 { text += "e\(Int.random(in: -30...25, using: &generator))" }
            guard let expected = Double(text) else { continue }
            let parsed = NumberParser.parse(text)
            #expect(parsed?.bitPattern == expected.bitPattern, "\(text)")
            checked += 1
        }
        #expect(checked > 190_000)
    }

    @Test("the 128-bit path rounds halfway cases to even and sees a remainder past them", arguments: [
        // 2^53 + 1 is halfway between two doubles: ties to even (down); one more unit in the
        // 17th digit is past halfway (up).
        "9007199254740993", "9007199254740993.0000001", "9007199254740995", "18014398509481989",
        "0.1000000000000000055511151231257827", "10.987654321098765", "2.0000000000000002220446049250313",
        "123456789012345678e-27", "1.7976931348623157e5", "4.9406564584124654e-3",
    ])
    func halfway(_ text: String) {
        #expect(NumberParser.parse(text)?.bitPattern == Double(text)?.bitPattern)
        #expect(NumberParser.exactlyRounded(9_007_199_254_740_993, 0) == 9_007_199_254_740_992)
        #expect(NumberParser.exactlyRounded(9_007_199_254_740_995, 0) == 9_007_199_254_740_996)
    }

    @Test("non-finite spellings in any case")
    func nonFinite() {
        #expect(NumberParser.parse("NaN")!.isNaN)
        #expect(NumberParser.parse("nan")!.isNaN)
        #expect(NumberParser.parse("Infinity") == .infinity)
        #expect(NumberParser.parse("-inf") == -.infinity)
        #expect(NumberParser.parse("abc") == nil)
        #expect(NumberParser.parse("1e") == nil)
    }

    @Test("missing-value spellings")
    func missing() {
        for text in ["", "NA", "n/a", "null", "None", "-"] { #expect(NumberParser.isMissing(text), "\(text)") }
        #expect(!NumberParser.isMissing("0"))
    }

    @Test("\"1.3B\" is 1.3e9 and friends", arguments: [
        ("1.3B", 1.3e9), ("1.3b", 1.3e9), ("70M", 70e6), ("70m", 70e6), ("6.7 B", 6.7e9), ("3T", 3e12),
        ("0.3T", 0.3e12), ("125K", 125e3), ("2.5e9", 2.5e9), ("2.5E+09", 2.5e9), ("1,300,000,000", 1.3e9),
        ("1_300_000_000", 1.3e9), ("3e17", 3e17), ("1.4T tokens", 1.4e12), ("410,000,000", 4.1e8),
    ])
    func quantities(_ text: String, _ expected: Double) {
        #expect(Quantity.parse(text) == expected)
    }

    @Test("ambiguous spellings are refused, not guessed")
    func refused() {
        #expect(Quantity.parse("3,5") == nil)      // a decimal comma
        #expect(Quantity.parse("3 months") == nil)
        #expect(Quantity.parse("12,34,567") == nil) // not groups of three
        #expect(Quantity.parse("fast") == nil)
    }
}
