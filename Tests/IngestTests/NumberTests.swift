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
