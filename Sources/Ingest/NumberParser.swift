import Foundation

/// Number spellings found in training logs, parsed without allocating.
///
/// ``parse(_:)`` accepts what a logger prints for one number: `3.9641785621643066`,
/// `1e-05`, `7.812345E+00`, and the non-finite spellings `nan`, `NaN`, `inf`,
/// `Infinity`, `-inf` in any case. ``isMissing(_:)`` tells the empty-cell spellings
/// (`""`, `NA`, `null`, `None`, `n/a`, `-`) apart: those are skipped, not counted.
public enum NumberParser {
    private static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// A plain decimal number, or `nil`. Surrounding spaces are ignored.
    ///
    /// Fast paths, both exactly rounded: at most 2⁵³ as an integer mantissa and a decimal
    /// exponent within ±22 take one multiplication or division (Clinger 1990, "How to read
    /// floating point numbers accurately"); up to 19 significant digits with an exponent in
    /// -27…19 (Python's 17-digit `repr`) take exact 128-bit integer arithmetic
    /// (``exactlyRounded(_:_:)``). Anything else goes to the C library.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        var start = 0, stop = bytes.count
        while start < stop && (bytes[start] == 32 || bytes[start] == 9) { start += 1 }
        while stop > start && (bytes[stop - 1] == 32 || bytes[stop - 1] == 9) { stop -= 1 }
        if start == stop { return nil }
        var i = start
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if bytes[i] == UInt8(ascii: "+") { i += 1 }
        // The mantissa accumulates as the digits are scanned (wrapping if there are more
        // than 19; it is then recomputed or left to the C library below).
        var mantissa: UInt64 = 0
        let integerStart = i
        while i < stop {
            let digit = bytes[i] &- 48
            if digit >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            i += 1
        }
        let integerEnd = i
        var fractionStart = i, fractionEnd = i
        if i < stop && bytes[i] == UInt8(ascii: ".") {
            i += 1
            fractionStart = i
            while i < stop {
                let digit = bytes[i] &- 48
                if digit >= 10 { break }
                mantissa = mantissa &* 10 &+ UInt64(digit)
                i += 1
            }
            fractionEnd = i
        }
        let integerDigits = integerEnd - integerStart, fractionDigits = fractionEnd - fractionStart
        if integerDigits + fractionDigits == 0 { return parseSpecial(bytes, start, stop) }
        var exponent = 0
        if i < stop && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            var exponentNegative = false
            if i < stop && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) {
                exponentNegative = bytes[i] == UInt8(ascii: "-")
                i += 1
            }
            var written = 0
            var exponentDigits = 0
            while i < stop, bytes[i] &- 48 < 10 {
                if written < 100_000 { written = written * 10 + Int(bytes[i] &- 48) }
                exponentDigits += 1
                i += 1
            }
            if exponentDigits == 0 { return nil }
            exponent = exponentNegative ? -written : written
        }
        if i != stop { return nil }
        if integerDigits + fractionDigits > 19 {
            // Leading zeros do not count; more than 19 significant digits go to the C library.
            var k = integerStart, zeros = 0
            while k < fractionEnd, bytes[k] == UInt8(ascii: "0") || bytes[k] == UInt8(ascii: ".") {
                if bytes[k] == UInt8(ascii: "0") { zeros += 1 }
                k += 1
            }
            if integerDigits + fractionDigits - zeros > 19 { return slowParse(bytes, start, stop) }
            mantissa = 0
            for k in integerStart..<integerEnd { mantissa = mantissa &* 10 &+ UInt64(bytes[k] &- 48) }
            for k in fractionStart..<fractionEnd { mantissa = mantissa &* 10 &+ UInt64(bytes[k] &- 48) }
        }
        exponent -= fractionDigits
        if mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= powersOfTen[-exponent] } else if exponent > 0 { value *= powersOfTen[exponent] }
            return negative ? -value : value
        }
        if exponent >= -27 && exponent <= 19, let value = exactlyRounded(mantissa, exponent) {
            return negative ? -value : value
        }
        return slowParse(bytes, start, stop)
    }

    /// 5⁰ … 5²⁷ (5²⁷ < 2⁶³) and 10⁰ … 10¹⁹ as integers.
    private static let powersOfFive: [UInt64] = (0...27).map { k in (0..<k).reduce(UInt64(1)) { p, _ in p * 5 } }
    private static let integerPowersOfTen: [UInt64] = (0...19).map { k in (0..<k).reduce(UInt64(1)) { p, _ in p * 10 } }

    /// `mantissa` × 10^`exponent`, correctly rounded, for the mantissas beyond 2⁵³ that
    /// Clinger's fast path cannot take (17-digit values such as Python's `repr`).
    ///
    /// Exact integer arithmetic in 128 bits: for exponent ≥ 0 the product is exact; for
    /// exponent < 0 the value is (m · 2^s / 5^-e) · 2^(e - s), and the quotient carries at
    /// least 65 bits with the remainder as a sticky bit, which is all that rounding to
    /// nearest, ties to even, needs. Requires -27 ≤ exponent ≤ 19 and mantissa > 0.
    static func exactlyRounded(_ mantissa: UInt64, _ exponent: Int) -> Double? {
        guard mantissa != 0 else { return 0 }
        if exponent >= 0 {
            let product = UInt128(mantissa) * UInt128(integerPowersOfTen[exponent])
            return roundToDouble(product, sticky: false, binaryExponent: 0)
        }
        let shift = mantissa.leadingZeroBitCount
        let numerator = UInt128(mantissa << UInt64(shift)) << 64
        let divisor = UInt128(powersOfFive[-exponent])
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: divisor)
        return roundToDouble(quotient, sticky: remainder != 0, binaryExponent: exponent - 64 - shift)
    }

    /// `value` × 2^`binaryExponent` rounded to the nearest double (ties to even); `sticky`
    /// says that the true value lies a little above `value`. Normal results only.
    private static func roundToDouble(_ value: UInt128, sticky: Bool, binaryExponent: Int) -> Double? {
        let bits = 128 - value.leadingZeroBitCount
        if bits <= 53 {
            if sticky { return nil }
            return Double(sign: .plus, exponent: binaryExponent, significand: Double(UInt64(value)))
        }
        let drop = bits - 53
        var significand = UInt64(value >> UInt128(drop))
        let rest = value & ((UInt128(1) << UInt128(drop)) - 1)
        let half = UInt128(1) << UInt128(drop - 1)
        if rest > half || (rest == half && (sticky || significand & 1 == 1)) { significand += 1 }
        var exponent = binaryExponent + drop
        if significand == 1 << 53 { significand >>= 1; exponent += 1 }
        let result = Double(sign: .plus, exponent: exponent, significand: Double(significand))
        return result.isNormal ? result : nil
    }

    /// ``parse(_:)`` for a string.
    public static func parse(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// True for the spellings of an empty cell: ``, `NA`, `N/A`, `null`, `None`, `-`.
    public static func isMissing(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var start = 0, stop = bytes.count
        while start < stop && bytes[start] == 32 { start += 1 }
        while stop > start && bytes[stop - 1] == 32 { stop -= 1 }
        let length = stop - start
        if length == 0 { return true }
        if length > 4 { return false }
        var lower: [UInt8] = []
        for k in start..<stop { lower.append(bytes[k] | (bytes[k] >= 65 && bytes[k] <= 90 ? 0x20 : 0)) }
        switch String(decoding: lower, as: UTF8.self) {
        case "na", "n/a", "null", "none", "-", "nil", "<na>": return true
        default: return false
        }
    }

    /// ``isMissing(_:)`` for a string.
    public static func isMissing(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isMissing($0) }
    }

    private static func parseSpecial(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int) -> Double? {
        if stop - start > 10 { return nil }
        var lower = ""
        for k in start..<stop { lower.unicodeScalars.append(UnicodeScalar(bytes[k] | (bytes[k] >= 65 && bytes[k] <= 90 ? 0x20 : 0))) }
        switch lower {
        case "nan", "+nan", "-nan": return .nan
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: return nil
        }
    }

    private static func slowParse(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ stop: Int) -> Double? {
        Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self))
    }
}

/// Quantities as sweep tables spell them: `70M`, `1.3B`, `6.7 B`, `3T`, `125K`, `2.5e9`,
/// `1,300,000,000`, `1_300_000_000`, `1.4T tokens`.
///
/// Suffixes: K = 10³, M = 10⁶, B = G = 10⁹, T = 10¹², P = 10¹⁵ (either case; `m` is read
/// as million because sweep tables count parameters and tokens, never milli-units).
/// Thousands separators are accepted only in groups of three, so `3,5` (a decimal comma)
/// is refused rather than read as 35.
public enum Quantity {
    /// The value of `text`, or `nil` when it is not a quantity.
    ///
    /// `Quantity.parse("1.3B") == 1.3e9`, `Quantity.parse("1,300,000,000") == 1.3e9`.
    public static func parse(_ text: String) -> Double? {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        if scalars.isEmpty { return nil }
        if let plain = NumberParser.parse(String(String.UnicodeScalarView(scalars))) { return plain }
        // The number: sign, digits with separators, fraction, exponent.
        var i = 0
        var number = ""
        if scalars[i] == "-" || scalars[i] == "+" { number.unicodeScalars.append(scalars[i]); i += 1 }
        var groupLengths: [Int] = []
        var current = 0
        var separator: UnicodeScalar?
        while i < scalars.count {
            let c = scalars[i]
            if c.properties.numericType == .decimal, c.isASCII {
                number.unicodeScalars.append(c); current += 1; i += 1
            } else if (c == "," || c == "_"), i + 1 < scalars.count, scalars[i + 1].isASCII,
                      scalars[i + 1].properties.numericType == .decimal {
                if let separator, separator != c { return nil }
                separator = c
                groupLengths.append(current); current = 0; i += 1
            } else {
                break
            }
        }
        if separator != nil {
            groupLengths.append(current)
            guard let first = groupLengths.first, first >= 1, first <= 3,
                  groupLengths.dropFirst().allSatisfy({ $0 == 3 }) else { return nil }
        }
        if i < scalars.count && scalars[i] == "." {
            number.unicodeScalars.append("."); i += 1
            while i < scalars.count, scalars[i].isASCII, scalars[i].properties.numericType == .decimal {
                number.unicodeScalars.append(scalars[i]); i += 1
            }
        }
        if i < scalars.count, scalars[i] == "e" || scalars[i] == "E", i + 1 < scalars.count,
           scalars[i + 1].properties.numericType == .decimal || scalars[i + 1] == "-" || scalars[i + 1] == "+" {
            var exponent = "e"
            var j = i + 1
            if scalars[j] == "-" || scalars[j] == "+" { exponent.unicodeScalars.append(scalars[j]); j += 1 }
            var any = false
            while j < scalars.count, scalars[j].isASCII, scalars[j].properties.numericType == .decimal {
                exponent.unicodeScalars.append(scalars[j]); j += 1; any = true
            }
            if any { number += exponent; i = j }
        }
        guard var value = NumberParser.parse(number), value.isFinite else { return nil }
        while i < scalars.count && scalars[i] == " " { i += 1 }
        if i < scalars.count {
            let multiplier: Int?
            switch scalars[i] {
            case "k", "K": multiplier = 3
            case "m", "M": multiplier = 6
            case "b", "B", "g", "G": multiplier = 9
            case "t", "T": multiplier = 12
            case "p", "P": multiplier = 15
            default: multiplier = nil
            }
            if let multiplier {
                // A suffix must end the word: "70M" or "1.4T tokens", not "3 months".
                let next = i + 1 < scalars.count ? scalars[i + 1] : " "
                if next == " " || next == "\t" {
                    // "1.3" + "e9" is read as one decimal, so 1.3B is exactly the double 1.3e9.
                    if number.contains("e"), let scaled = Optional(value * pow(10, Double(multiplier))) {
                        value = scaled
                    } else if let scaled = NumberParser.parse(number + "e\(multiplier)") {
                        value = scaled
                    }
                    i += 1
                } else {
                    return nil
                }
            } else if !scalars[i].properties.isAlphabetic {
                return nil
            }
            // Any trailing word ("tokens", "params") is ignored.
            let rest = String(String.UnicodeScalarView(scalars[i...])).trimmingCharacters(in: .whitespaces)
            if !rest.isEmpty && !rest.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0 == " " }) { return nil }
        }
        return value
    }
}
