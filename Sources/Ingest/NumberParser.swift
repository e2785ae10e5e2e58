import Foundation

/// Number spellings found in training logs, parsed without allocating.
///
/// ``parse(_:)`` accepts what a logger prints for one number: `3.9641785621643066`,
/// `1e-05`, `7.812345E+00`, and the non-finite spellings `nan`, `NaN`, `inf`,
/// `Infinity`, `-inf` in any case. ``isMissing(_:)`` tells the empty-cell spellings
/// (`""`, `NA`, `null`, `None`, `n/a`, `-`) apart: those are skipped, not counted.
public enum NumberParser {
    /// A plain decimal number, or `nil`. Surrounding spaces are ignored.
    ///
    /// Fast paths, all exactly rounded: at most 2⁵³ as an integer mantissa and a decimal
    /// exponent within ±22 take one multiplication or division (Clinger 1990, "How to read
    /// floating point numbers accurately"); other mantissas of up to 19 significant digits
    /// (Python's 17-digit `repr`) take one or two 64 × 64 → 128-bit multiplications by a
    /// tabled power of ten (Eisel–Lemire, see ``eiselLemire(_:_:negative:)``), which gives
    /// up on the rare ambiguous products and on subnormal results; then exact 128-bit
    /// integer arithmetic for exponents in -27…19 (``exactlyRounded(_:_:)``). Anything
    /// else goes to the C library.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let base = bytes.baseAddress else { return nil }
        return parse(base, bytes.count)
    }

    /// ``parse(_:)`` for the `count` bytes at `p` (no bounds checks: the hot loops call this).
    ///
    /// A lean function for the common spelling, `-ddd.ddde-dd` with at most 19 digits and
    /// nothing around it; anything else (spaces, `+`, more digits, `nan`, text) goes to
    /// ``parseGeneral(_:_:)``, kept out of line so this one stays small.
    static func parse(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        if count == 0 { return nil }
        let negative = p[0] == UInt8(ascii: "-")
        var i = negative ? 1 : 0
        var mantissa: UInt64 = 0
        let integerStart = i
        accumulateDigits(p, &i, count, &mantissa)
        var digits = i &- integerStart
        var exponent = 0
        if i < count && p[i] == UInt8(ascii: ".") {
            i &+= 1
            let fractionStart = i
            accumulateDigits(p, &i, count, &mantissa)
            digits &+= i &- fractionStart
            exponent = fractionStart &- i
        }
        if i < count {
            // An exponent of at most four digits, and then the end.
            guard p[i] | 0x20 == UInt8(ascii: "e") else { return parseGeneral(p, count) }
            i &+= 1
            var exponentNegative = false
            if i < count && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i &+= 1
            }
            let exponentStart = i
            var written = 0
            while i < count {
                let digit = p[i] &- 48
                if digit >= 10 { break }
                written = written &* 10 &+ Int(digit)
                i &+= 1
            }
            if i != count || i == exponentStart || i &- exponentStart > 4 { return parseGeneral(p, count) }
            exponent &+= exponentNegative ? -written : written
        }
        if digits == 0 || digits > 19 { return parseGeneral(p, count) }
        if mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= exactPowerOfTen(-exponent) } else if exponent > 0 { value *= exactPowerOfTen(exponent) }
            return negative ? -value : value
        }
        if let value = eiselLemire(mantissa, exponent, negative: negative) { return value }
        return parseGeneral(p, count)
    }

    /// The common spelling `-ddd.ddde-dd` (as ``parse(_:_:)``'s lean path takes it) read from
    /// `p[i...]` up to the first byte that cannot continue it, with `i` moved there; `nil`
    /// (and `i` unmoved) for anything else, which the caller then delimits and gives to
    /// ``parse(_:_:)``. When the byte at the new `i` ends the cell, the value is exactly
    /// what ``parse(_:_:)`` returns for the cell.
    ///
    /// For the row scan of ``CSVTokenizer``, which tokenizes and parses in one pass:
    /// the bytes must run on to a byte that is not a digit, a sign, `.` or `e` (the
    /// tokenizer's sentinel line feed), and eight bytes may be read past any digit.
    @_transparent
    static func scanCommon(_ p: UnsafePointer<UInt8>, _ i: inout Int) -> Double? {
        let negative = p[i] == UInt8(ascii: "-")
        let s = negative ? i &+ 1 : i
        // The first eight bytes: d integer digits, then (if d < 8) the byte that ends them.
        let first = UInt64(littleEndian: UnsafeRawPointer(p + s).loadUnaligned(as: UInt64.self))
        let firstLanes = first ^ 0x3030_3030_3030_3030
        let d = nonDigitLanes(firstLanes).trailingZeroBitCount >> 3
        var mantissa: UInt64, digits: Int, exponent: Int, j: Int
        if d < 8 && p[s &+ d] == UInt8(ascii: ".") {
            // The eight digits around the point in one word: lanes below d from the first
            // load, the rest from a load one byte later (past the point).
            let after = UInt64(littleEndian: UnsafeRawPointer(p + s + 1).loadUnaligned(as: UInt64.self))
            let low: UInt64 = (1 << UInt64(d &* 8)) &- 1
            let lanes = ((first & low) | (after & ~low)) ^ 0x3030_3030_3030_3030
            let rest = nonDigitLanes(lanes)
            if rest == 0 {  // eight digits or more: the rest the long way
                mantissa = laneValue(lanes)
                j = s &+ 9
                let more = digitRun(p, &j, &mantissa)
                digits = 8 &+ more
                exponent = d &- digits
            } else {
                let n = rest.trailingZeroBitCount >> 3  // digits before and after the point
                mantissa = laneValue(lanes << UInt64((8 &- n) &* 8))  // n = 0 shifts all out
                digits = n
                exponent = d &- n
                j = s &+ n &+ 1
            }
        } else if d < 8 {
            mantissa = laneValue(firstLanes << UInt64((8 &- d) &* 8))
            digits = d
            exponent = 0
            j = s &+ d
        } else {
            mantissa = laneValue(firstLanes)
            j = s &+ 8
            digits = 8 &+ digitRun(p, &j, &mantissa)
            exponent = 0
            if p[j] == UInt8(ascii: ".") {
                j &+= 1
                let fraction = digitRun(p, &j, &mantissa)
                digits &+= fraction
                exponent = -fraction
            }
        }
        if p[j] | 0x20 == UInt8(ascii: "e") {
            j &+= 1
            var exponentNegative = false
            if p[j] == UInt8(ascii: "-") || p[j] == UInt8(ascii: "+") {
                exponentNegative = p[j] == UInt8(ascii: "-")
                j &+= 1
            }
            let exponentStart = j
            var written = 0
            while true {
                let digit = p[j] &- 48
                if digit >= 10 { break }
                written = written &* 10 &+ Int(digit)
                j &+= 1
            }
            if j == exponentStart || j &- exponentStart > 4 { return nil }
            exponent &+= exponentNegative ? -written : written
        }
        if digits == 0 || digits > 19 { return nil }
        if mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= exactPowerOfTen(-exponent) } else if exponent > 0 { value *= exactPowerOfTen(exponent) }
            i = j
            return negative ? -value : value
        }
        guard let value = eiselLemire(mantissa, exponent, negative: negative) else { return nil }
        i = j
        return value
    }

    /// Appends the run of decimal digits at `p[i...]` to `mantissa` and moves `i` past it;
    /// returns the number of digits. Eight bytes at a time, whatever the run's length: a
    /// run of n < 8 digits is shifted to the top of its word, below which the empty lanes
    /// read as leading zeros. The mantissa wraps past 19 digits (callers count them).
    @inline(__always)
    static func digitRun(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ mantissa: inout UInt64) -> Int {
        let start = i
        while true {
            let word = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            let lanes = word ^ 0x3030_3030_3030_3030  // a digit's lane holds its value
            let nonDigits = nonDigitLanes(lanes)
            if nonDigits == 0 {
                mantissa = mantissa &* 100_000_000 &+ laneValue(lanes)
                i &+= 8
                continue
            }
            let n = nonDigits.trailingZeroBitCount >> 3
            if n > 0 {
                mantissa = mantissa &* integerPowerOfTen(n) &+ laneValue(lanes << UInt64((8 &- n) &* 8))
                i &+= n
            }
            return i &- start
        }
    }

    /// The high bit of each lane of `lanes` (a byte `^ 0x30`) that is not a digit's; the
    /// lowest flag is exact, higher ones may be a carry's false alarm.
    @inline(__always)
    private static func nonDigitLanes(_ lanes: UInt64) -> UInt64 {
        ((lanes &+ 0x7676_7676_7676_7676) | lanes) & 0x8080_8080_8080_8080
    }

    /// 10^`n` for 1 ≤ n ≤ 7 (a switch of constants, laid out as a table).
    @inline(__always)
    private static func integerPowerOfTen(_ n: Int) -> UInt64 {
        switch n {
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        default: return 10_000_000
        }
    }

    /// The value of eight lanes holding one decimal digit each, the first (most significant)
    /// in the lowest byte.
    @inline(__always)
    private static func laneValue(_ lanes: UInt64) -> UInt64 {
        let v = (lanes &* 10) &+ (lanes >> 8)  // pairs
        let mul1: UInt64 = 0x000F_4240_0000_0064  // 100 + (1_000_000 << 32)
        let mul2: UInt64 = 0x0000_2710_0000_0001  // 1 + (10_000 << 32)
        return ((v & 0x0000_00FF_0000_00FF) &* mul1 &+ ((v >> 16) & 0x0000_00FF_0000_00FF) &* mul2) >> 32
    }

    /// Appends the run of decimal digits at `p[i...]` (before `end`) to `mantissa`, eight at
    /// a time where eight are left, and moves `i` past it. The mantissa wraps past 19 digits;
    /// callers count the digits and treat that case apart.
    @inline(__always)
    static func accumulateDigits(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, _ mantissa: inout UInt64) {
        while i &+ 8 <= end {
            let word = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            if !isEightDigits(word) { break }
            mantissa = mantissa &* 100_000_000 &+ eightDigits(word)
            i &+= 8
        }
        while i < end {
            let digit = p[i] &- 48
            if digit >= 10 { break }
            mantissa = mantissa &* 10 &+ UInt64(digit)
            i &+= 1
        }
    }

    /// ``parse(_:_:)`` for every spelling: surrounding spaces, a `+`, more than 19 digits
    /// (leading zeros aside), long exponents, the non-finite words.
    @inline(never)
    static func parseGeneral(_ p: UnsafePointer<UInt8>, _ count: Int) -> Double? {
        var start = 0, stop = count
        while start < stop && (p[start] == 32 || p[start] == 9) { start &+= 1 }
        while stop > start && (p[stop &- 1] == 32 || p[stop &- 1] == 9) { stop &-= 1 }
        if start == stop { return nil }
        var i = start
        var negative = false
        if p[i] == UInt8(ascii: "-") { negative = true; i &+= 1 } else if p[i] == UInt8(ascii: "+") { i &+= 1 }
        // The mantissa accumulates as the digits are scanned, eight at a time where it can
        // (wrapping if there are more than 19; it is then recomputed or left to the C
        // library below).
        var mantissa: UInt64 = 0
        let integerStart = i
        accumulateDigits(p, &i, stop, &mantissa)
        let integerEnd = i
        var fractionStart = i, fractionEnd = i
        if i < stop && p[i] == UInt8(ascii: ".") {
            i &+= 1
            fractionStart = i
            accumulateDigits(p, &i, stop, &mantissa)
            fractionEnd = i
        }
        let integerDigits = integerEnd &- integerStart, fractionDigits = fractionEnd &- fractionStart
        if integerDigits &+ fractionDigits == 0 {
            return parseSpecial(UnsafeBufferPointer(start: p, count: count), start, stop)
        }
        var exponent = 0
        if i < stop && (p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E")) {
            i &+= 1
            var exponentNegative = false
            if i < stop && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i &+= 1
            }
            var written = 0
            var exponentDigits = 0
            while i < stop, p[i] &- 48 < 10 {
                if written < 100_000 { written = written &* 10 &+ Int(p[i] &- 48) }
                exponentDigits &+= 1
                i &+= 1
            }
            if exponentDigits == 0 { return nil }
            exponent = exponentNegative ? -written : written
        }
        if i != stop { return nil }
        if integerDigits &+ fractionDigits > 19 {
            // Leading zeros do not count; more than 19 significant digits go to the C library.
            var k = integerStart, zeros = 0
            while k < fractionEnd, p[k] == UInt8(ascii: "0") || p[k] == UInt8(ascii: ".") {
                if p[k] == UInt8(ascii: "0") { zeros &+= 1 }
                k &+= 1
            }
            if integerDigits &+ fractionDigits &- zeros > 19 { return slowParse(p, start, stop) }
            mantissa = 0
            for k in integerStart..<integerEnd { mantissa = mantissa &* 10 &+ UInt64(p[k] &- 48) }
            for k in fractionStart..<fractionEnd { mantissa = mantissa &* 10 &+ UInt64(p[k] &- 48) }
        }
        exponent &-= fractionDigits
        if mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= exactPowerOfTen(-exponent) } else if exponent > 0 { value *= exactPowerOfTen(exponent) }
            return negative ? -value : value
        }
        if let value = eiselLemire(mantissa, exponent, negative: negative) { return value }
        if exponent >= -27 && exponent <= 19, let value = exactlyRounded(mantissa, exponent) {
            return negative ? -value : value
        }
        return slowParse(p, start, stop)
    }

    /// 10^`k` for 0 ≤ k ≤ 22 (all exact doubles): a switch of constants, which the compiler
    /// turns into a static table (no lazily initialised array, no bounds check).
    @inline(__always)
    static func exactPowerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

    /// True when all eight bytes of `word` (little-endian) are ASCII digits.
    @inline(__always)
    private static func isEightDigits(_ word: UInt64) -> Bool {
        (word & 0xF0F0_F0F0_F0F0_F0F0) | (((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4)
            == 0x3333_3333_3333_3333
    }

    /// The value of eight ASCII digits (the first in the lowest byte) in three
    /// multiplications.
    @inline(__always)
    private static func eightDigits(_ word: UInt64) -> UInt64 {
        laneValue(word &- 0x3030_3030_3030_3030)
    }

    /// ±`mantissa` × 10^`exponent` correctly rounded, or `nil` when the 128-bit product
    /// cannot decide the rounding (rare; then exact arithmetic or the C library does) or
    /// the result is subnormal, infinite or out of the table's range.
    ///
    /// The Eisel–Lemire algorithm (Lemire 2021, "Number parsing at a gigabyte per second",
    /// as in Go's `strconv`): the normalised mantissa times a 128-bit truncated power of
    /// ten; the product's top 54 bits are the rounded significand unless the truncated
    /// low bits could carry into them or the value sits exactly halfway.
    @inline(never)
    static func eiselLemire(_ mantissa: UInt64, _ exponent: Int, negative: Bool) -> Double? {
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        if exponent < -342 || exponent > 308 { return nil }
        let clz = mantissa.leadingZeroBitCount
        let man = mantissa << UInt64(clz)
        // log2(10) ≈ 217706 / 2^16, exact for the table's range.
        var retExp2 = UInt64(bitPattern: Int64(((217_706 &* exponent) >> 16) &+ 64 &+ 1023)) &- UInt64(clz)
        let row = (exponent &+ 342) &* 2
        return eiselLemirePowersOfTen.withUnsafeBufferPointer { table -> Double? in
            var (xHi, xLo) = man.multipliedFullWidth(by: table[row])
            // The truncated low half of the power could carry into the bits that matter:
            // take it into account.
            if xHi & 0x1FF == 0x1FF && xLo &+ man < man {
                let (yHi, yLo) = man.multipliedFullWidth(by: table[row &+ 1])
                var mergedHi = xHi
                let mergedLo = xLo &+ yHi
                if mergedLo < xLo { mergedHi &+= 1 }
                if mergedHi & 0x1FF == 0x1FF && mergedLo &+ 1 == 0 && yLo &+ man < man { return nil }
                xHi = mergedHi; xLo = mergedLo
            }
            let msb = xHi >> 63
            var significand = xHi >> (msb &+ 9)
            retExp2 &-= 1 ^ msb
            // Exactly halfway (or too close to tell): leave it to exact arithmetic.
            if xLo == 0 && xHi & 0x1FF == 0 && significand & 3 == 1 { return nil }
            significand &+= significand & 1
            significand >>= 1
            if significand >> 53 > 0 {
                significand >>= 1
                retExp2 &+= 1
            }
            // Zero or "negative" (wrapped) means subnormal; 0x7FF or more, infinite.
            if retExp2 &- 1 >= 0x7FF - 1 { return nil }
            var bits = retExp2 << 52 | significand & 0x000F_FFFF_FFFF_FFFF
            if negative { bits |= 1 << 63 }
            return Double(bitPattern: bits)
        }
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

    private static func slowParse(_ p: UnsafePointer<UInt8>, _ start: Int, _ stop: Int) -> Double? {
        Double(String(decoding: UnsafeBufferPointer(start: p + start, count: stop - start), as: UTF8.self))
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
