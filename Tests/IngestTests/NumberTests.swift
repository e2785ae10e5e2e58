import Foundation
import Testing
@testable import Ingest

/// Number and quantity spellings from docs/log-formats.md §11 and §12.
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

    @Test("random 17-digit values (Python's repr, W&B's exports) parse bit for bit as Double(String) does")
    func seventeenDigits() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let digits = Int.random(in: 16...19, using: &generator)
            var mantissa = String(Int.random(in: 1...9, using: &generator))
            for _ in 1..<digits { mantissa += String(Int.random(in: 0...9, using: &generator)) }
            let point = Int.random(in: 1...3, using: &generator)
            var text = Int.random(in: 0...3, using: &generator) == 0 ? "-" : ""
            text += mantissa.prefix(point) + "." + mantissa.dropFirst(point)
            if Int.random(in: 0...1, using: &generator) == 0 { text += "e\(Int.random(in: -40...40, using: &generator))" }
            #expect(NumberParser.parse(text)?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }

    @Test("the whole exponent range, subnormals and overflow included, parses as Double(String) does")
    func wholeRange() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200_000 {
            let digits = Int.random(in: 1...19, using: &generator)
            var mantissa = String(Int.random(in: 1...9, using: &generator))
            for _ in 1..<digits { mantissa += String(Int.random(in: 0...9, using: &generator)) }
            let text = mantissa + "e\(Int.random(in: -345...310, using: &generator))"
            #expect(NumberParser.parse(text)?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
        for text in ["4.9406564584124654e-324", "2.2250738585072011e-308", "2.2250738585072014e-308",
                     "2.4703282292062327e-324", "1.7976931348623157e308", "1.7976931348623159e308",
                     "1e-400", "1e400", "-1e400", "0e400", "-0e-400", "1e-342", "1e308", "9999999999999999999e-342",
                     "9007199254740993e-22", "9007199254740993e23", "1.00000000000000011102230246251565404236316680908203125",
                     "1.0000000000000001110223024625156540", "0.30000000000000004", "123456789012345678e-5"] {
            #expect(NumberParser.parse(text)?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
    }

    @Test("the Eisel–Lemire step agrees with the C library whenever it answers, and gives up on exact halfway cases")
    func eiselLemire() {
        var generator = SystemRandomNumberGenerator()
        var answered = 0
        for _ in 0..<200_000 {
            let mantissa = UInt64.random(in: 1...9_999_999_999_999_999_999, using: &generator)
            let exponent = Int.random(in: -342...308, using: &generator)
            guard let value = NumberParser.eiselLemire(mantissa, exponent, negative: false) else { continue }
            answered += 1
            #expect(value.bitPattern == Double("\(mantissa)e\(exponent)")?.bitPattern, "\(mantissa)e\(exponent)")
        }
        #expect(answered > 150_000)
        // 2^53 + 1 and 2^53 + 3: exactly halfway between two doubles.
        #expect(NumberParser.eiselLemire(9_007_199_254_740_993, 0, negative: false) == nil)
        #expect(NumberParser.eiselLemire(0, 5, negative: true)?.bitPattern == (-0.0).bitPattern)
    }

    @Test("eight digits at a time stop at the first byte that is not a digit", arguments: [
        "12345678", "123456789", "1234567812345678", "12345678.12345678", "1234567/", "1234567:", "12345678/",
        "1234567:8", "0.00000000123456789", "00000000000000000000001.5", "1.2345678e10", "12345678e-8",
        "1234 5678", "12345678 ", " 12345678", "1234567`", "12345678\u{7F}", "9999999999999999999", "99999999999999999999", "1.23456789012345678901234567890",
    ])
    func eightAtATime(_ text: String) {
        #expect(NumberParser.parse(text)?.bitPattern == Double(text.trimmingCharacters(in: .whitespaces))?.bitPattern)
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
