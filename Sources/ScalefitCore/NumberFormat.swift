/// C's `%.*g` spelling of a double, written in Swift: the same bytes glibc's `printf`
/// produces (round to nearest on the exact binary value, ties to even; `inf`, `-nan`, `-0`),
/// without a C shim (Swift cannot call variadic C functions).
///
/// ```swift
/// formatGeneral(1234.5678, significantDigits: 4)  // "1235"
/// formatGeneral(1e-5, significantDigits: 4)       // "1e-05"
/// ```
/// The digits come from the exact decimal expansion of the double (a double is m·2^e, so
/// m·5^(−e) or m·2^e is an integer of at most about 2,550 bits), so rounding is decided on
/// the true value, never on an already rounded shortest form.
/// - Parameter significantDigits: C's precision P; 0 counts as 1.
public func formatGeneral(_ value: Double, significantDigits: Int) -> String {
    let precision = max(significantDigits, 1)
    let negative = value.sign == .minus
    if value.isNaN { return negative ? "-nan" : "nan" }
    if value.isInfinite { return negative ? "-inf" : "inf" }
    let sign = negative ? "-" : ""
    if value == 0 { return sign + "0" }

    // value = digits × 10^(exponent10 − digits.count + 1), digits exact, first digit non-zero.
    var (digits, exponent10) = ExactDecimal.expansion(of: value.magnitude)
    // Round to `precision` significant digits, ties to even.
    if digits.count > precision {
        let next = digits[precision]
        let sticky = digits[(precision + 1)...].contains { $0 != 0 }
        digits.removeSubrange(precision...)
        let roundUp = next > 5 || (next == 5 && (sticky || digits[precision - 1] % 2 == 1))
        if roundUp {
            var k = precision - 1
            while k >= 0 {
                if digits[k] == 9 { digits[k] = 0; k -= 1 } else { digits[k] += 1; break }
            }
            if k < 0 { digits.insert(1, at: 0); digits.removeLast(); exponent10 += 1 }
        }
    }
    while digits.count < precision { digits.append(0) }

    let ascii = digits.map { Character(Unicode.Scalar($0 + 48)) }
    if exponent10 < precision && exponent10 >= -4 {
        var text: String
        if exponent10 >= 0 {
            text = String(ascii[0...exponent10])
            if exponent10 + 1 < precision { text += "." + String(ascii[(exponent10 + 1)...]) }
        } else {
            text = "0." + String(repeating: "0", count: -exponent10 - 1) + String(ascii)
        }
        return sign + trimmingFraction(text)
    }
    var mantissa = String(ascii[0])
    if precision > 1 { mantissa = trimmingFraction(mantissa + "." + String(ascii[1...])) }
    let e = abs(exponent10)
    return sign + mantissa + (exponent10 < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + String(e)
}

/// `text` without trailing zeros after its decimal point, nor a bare trailing point.
private func trimmingFraction(_ text: String) -> String {
    guard text.contains(".") else { return text }
    var t = Substring(text)
    while t.last == "0" { t.removeLast() }
    if t.last == "." { t.removeLast() }
    return String(t)
}

/// The exact decimal digits of a positive finite double.
enum ExactDecimal {
    /// The decimal digits of `x` (most significant first, no leading zero) and the power of
    /// ten of the first one.
    static func expansion(of x: Double) -> (digits: [UInt8], exponent: Int) {
        let isSubnormal = x.exponentBitPattern == 0
        let m = isSubnormal ? x.significandBitPattern : x.significandBitPattern | (1 << 52)
        let e = isSubnormal ? -1074 : Int(x.exponentBitPattern) - 1075
        // Little-endian 32-bit limbs of the integer N; x = N · 10^scale.
        var limbs: [UInt32] = [UInt32(truncatingIfNeeded: m), UInt32(truncatingIfNeeded: m >> 32)]
        var scale = 0
        if e >= 0 {
            var remaining = e
            while remaining > 0 {
                let step = min(remaining, 31)
                multiply(&limbs, by: UInt32(1) << UInt32(step))
                remaining -= step
            }
        } else {
            // m / 2^k = m · 5^k / 10^k.
            var remaining = -e
            while remaining > 0 {
                let step = min(remaining, 13)  // 5^13 < 2^32
                var factor: UInt32 = 1
                for _ in 0..<step { factor &*= 5 }
                multiply(&limbs, by: factor)
                remaining -= step
            }
            scale = e
        }
        // N in base 10^9, then in decimal digits.
        var chunks: [UInt32] = []
        while limbs.contains(where: { $0 != 0 }) {
            chunks.append(divide(&limbs, by: 1_000_000_000))
            while limbs.last == 0 { limbs.removeLast() }
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(chunks.count * 9)
        for (index, chunk) in chunks.reversed().enumerated() {
            var piece = [UInt8](repeating: 0, count: 9)
            var c = chunk
            for k in stride(from: 8, through: 0, by: -1) { piece[k] = UInt8(c % 10); c /= 10 }
            if index == 0, let first = piece.firstIndex(where: { $0 != 0 }) {
                digits.append(contentsOf: piece[first...])
            } else {
                digits.append(contentsOf: piece)
            }
        }
        return (digits, digits.count - 1 + scale)
    }

    private static func multiply(_ limbs: inout [UInt32], by factor: UInt32) {
        var carry: UInt64 = 0
        for i in limbs.indices {
            let product = UInt64(limbs[i]) * UInt64(factor) + carry
            limbs[i] = UInt32(truncatingIfNeeded: product)
            carry = product >> 32
        }
        if carry != 0 { limbs.append(UInt32(carry)) }
    }

    /// Divides in place; returns the remainder.
    private static func divide(_ limbs: inout [UInt32], by divisor: UInt32) -> UInt32 {
        var remainder: UInt64 = 0
        for i in limbs.indices.reversed() {
            let current = (remainder << 32) | UInt64(limbs[i])
            limbs[i] = UInt32(current / UInt64(divisor))
            remainder = current % UInt64(divisor)
        }
        return UInt32(remainder)
    }
}
