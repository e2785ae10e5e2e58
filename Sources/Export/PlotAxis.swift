import Foundation

/// One axis of a plot: its range, whether it is logarithmic, and where its ticks go.
///
/// A log axis puts a labelled tick at every power of ten; when the range spans less than
/// three decades it also labels 2 and 5 times a power of ten (less than half a decade: every
/// integer multiple), so a loss curve between 0.3 and 0.9 still has readable numbers. Every
/// axis gets at least three labelled ticks: where the multiples of a power of ten give fewer,
/// more multiples are labelled, and on a range narrower than that, round numbers on a
/// linear step.
public struct PlotAxis: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var isLogarithmic: Bool

    /// An axis covering `values` (non-finite values ignored), logarithmic when asked and
    /// possible (every value positive), with a small margin.
    public init(covering values: [Double], logarithmic: Bool) {
        let finite = values.filter { $0.isFinite && (!logarithmic || $0 > 0) }
        isLogarithmic = logarithmic
        guard var lo = finite.min(), var hi = finite.max() else {
            lower = logarithmic ? 1 : 0
            upper = logarithmic ? 10 : 1
            return
        }
        if logarithmic {
            if hi <= lo { lo /= 2; hi *= 2 }
            let margin = Foundation.pow(hi / lo, 0.04)
            lower = lo / margin
            upper = hi * margin
        } else {
            if hi <= lo { lo -= max(abs(lo), 1) / 2; hi += max(abs(hi), 1) / 2 }
            let margin = (hi - lo) * 0.05
            lower = lo - margin
            upper = hi + margin
        }
    }

    public init(lower: Double, upper: Double, logarithmic: Bool) {
        self.lower = lower
        self.upper = upper
        self.isLogarithmic = logarithmic
    }

    /// Position of `value` on [0, 1] (outside when the value is out of range).
    public func fraction(_ value: Double) -> Double {
        if isLogarithmic { return Foundation.log(value / lower) / Foundation.log(upper / lower) }
        return (value - lower) / (upper - lower)
    }

    /// Ticks with labels (major) and without (minor), inside the range.
    public func ticks() -> (major: [(value: Double, label: String)], minor: [Double]) {
        isLogarithmic ? logTicks() : linearTicks()
    }

    private func logTicks() -> (major: [(value: Double, label: String)], minor: [Double]) {
        let decades = Foundation.log10(upper / lower)
        // With many decades, label every k-th decade so labels do not collide.
        let step = max(1, Int((decades / 8).rounded(.up)))
        let preferred: Set<Int> = decades < 0.5 ? Set(2...9) : (decades < 3 ? [2, 5] : [])
        // At least three labelled ticks: when the usual multiples give fewer, label more of them.
        for multiples in [preferred, [2, 5], Set(2...9)] where multiples.isSuperset(of: preferred) {
            let ticks = logTicks(labelling: multiples, decadeStep: multiples.isEmpty ? step : 1)
            if ticks.major.count >= 3 { return ticks }
        }
        // Narrower than that (e.g. 0.31 to 0.39): round numbers on a linear step, placed on the log scale.
        let linear = PlotAxis(lower: lower, upper: upper, logarithmic: false).linearTicks(count: 4)
        let labelled = Set(linear.major.map(\.value))
        let minor = logTicks(labelling: [], decadeStep: 1).minor.filter { !labelled.contains($0) }
        return (linear.major.filter { $0.value > 0 }, minor)
    }

    private func logTicks(labelling multiples: Set<Int>, decadeStep step: Int) -> (major: [(value: Double, label: String)], minor: [Double]) {
        let first = Int(Foundation.floor(Foundation.log10(lower))), last = Int(Foundation.ceil(Foundation.log10(upper)))
        var major: [(Double, String)] = []
        var minor: [Double] = []
        for e in first...last {
            let base = Foundation.pow(10, Double(e))
            for m in 1...9 {
                let value = Double(m) * base
                guard value >= lower * (1 - 1e-12), value <= upper * (1 + 1e-12) else { continue }
                if m == 1 && e % step == 0 {
                    major.append((value, Self.decadeLabel(e)))
                } else if m != 1 && multiples.contains(m) {
                    major.append((value, Self.multipleLabel(m, e)))
                } else {
                    minor.append(value)
                }
            }
        }
        return (major, minor)
    }

    private func linearTicks(count: Double = 6) -> (major: [(value: Double, label: String)], minor: [Double]) {
        let span = upper - lower
        guard span > 0, span.isFinite else { return ([], []) }
        let raw = span / count
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        var major: [(Double, String)] = []
        var value = Foundation.ceil(lower / step) * step
        while value <= upper + step * 1e-9 {
            let clean = abs(value) < step * 1e-9 ? 0 : value
            major.append((clean, Self.plain(clean)))
            value += step
        }
        // A round step can leave only two ticks in range: take a finer one.
        if major.count < 3 && count < 48 { return linearTicks(count: count * 2) }
        return (major, [])
    }

    /// `10⁴`, `0.1`, `1`, `100`: plain numbers from 0.01 to 1000, powers beyond.
    static func decadeLabel(_ e: Int) -> String {
        switch e {
        case -2: "0.01"
        case -1: "0.1"
        case 0: "1"
        case 1: "10"
        case 2: "100"
        case 3: "1000"
        case -3: "0.001"
        default: "10" + superscript(e)
        }
    }

    /// `2×10⁴`, or `0.2`, `50` in the plain range.
    static func multipleLabel(_ m: Int, _ e: Int) -> String {
        if (-3...3).contains(e) { return plain(Double(m) * Foundation.pow(10, Double(e))) }
        return "\(m)×10" + superscript(e)
    }

    static func superscript(_ e: Int) -> String {
        let digits: [Character: Character] = [
            "0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻",
        ]
        return String(String(e).map { digits[$0] ?? $0 })
    }

    /// A short decimal: at most four significant digits, no trailing zeros.
    static func plain(_ value: Double) -> String {
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e5 || magnitude < 1e-3 {
            var e = Int(Foundation.floor(Foundation.log10(magnitude)))
            var m = value / Foundation.pow(10, Double(e))
            // 9.99996×10¹⁸ reads 1×10¹⁹, not 10×10¹⁸.
            if abs(Double(String(format: "%.4g", m)) ?? m) >= 10 { e += 1; m /= 10 }
            return plain(m) + "×10" + superscript(e)
        }
        var text = String(format: "%.4g", value)
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
