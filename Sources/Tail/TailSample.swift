import Foundation

/// Whether observations are integers (counts, frequencies) or real numbers.
///
/// Discrete data are fitted with the exact discrete power law p(x) = x^(−α)/ζ(α, x_min);
/// continuous data with p(x) = ((α−1)/x_min)·(x/x_min)^(−α) (Clauset et al. 2009, eqs. 2.2, 2.7).
public enum TailKind: String, Sendable, Codable, CaseIterable {
    case discrete
    case continuous
}

/// A sample of positive observations, held as distinct sorted values with their counts.
///
/// Build one from raw values (`TailSample(values:)`) or from a frequency table
/// (`TailSample(values:counts:)`); repeated values are merged and the result sorted.
public struct TailSample: Sendable, Hashable {
    /// Distinct values, ascending, all > 0.
    public private(set) var distinctValues: [Double]
    /// How often each distinct value occurs (≥ 1).
    public private(set) var counts: [Int]

    /// The number of observations, Σ counts.
    public var count: Int { counts.reduce(0, +) }

    /// Whether every value is a whole number (then ``TailKind/discrete`` is the default).
    public var isIntegerValued: Bool {
        distinctValues.allSatisfy { $0 == $0.rounded() && $0 < 9.007_199_254_740_992e15 }
    }

    /// The sample from raw observations; non-positive and non-finite values are dropped
    /// (a power-law tail lies in x > 0) — check ``droppedCount``.
    public init(values: [Double]) {
        self.init(values: values, counts: Array(repeating: 1, count: values.count))
    }

    /// The sample from a frequency table: `counts[i]` observations of `values[i]`.
    /// Rows with a non-positive value or count are dropped.
    public init(values: [Double], counts: [Int]) {
        precondition(values.count == counts.count, "one count per value")
        var merged: [Double: Int] = [:]
        var dropped = 0
        for (value, count) in zip(values, counts) {
            guard value > 0, value.isFinite, count > 0 else {
                dropped += max(count, 0)
                continue
            }
            merged[value, default: 0] += count
        }
        let keys = merged.keys.sorted()
        distinctValues = keys
        self.counts = keys.map { merged[$0]! }
        droppedCount = dropped
    }

    /// Observations dropped because they were ≤ 0 or not finite.
    public private(set) var droppedCount: Int = 0

    /// The same sample with every value multiplied by `factor` (> 0), e.g. 1e-3 to work
    /// in thousands as Clauset et al. do for blackouts and cities.
    public func scaled(by factor: Double) -> TailSample {
        precondition(factor > 0 && factor.isFinite)
        var copy = self
        copy.distinctValues = distinctValues.map { $0 * factor }
        return copy
    }

    /// Every observation, ascending (expands the counts).
    public var expandedValues: [Double] {
        var out: [Double] = []
        out.reserveCapacity(count)
        for (value, count) in zip(distinctValues, counts) {
            out.append(contentsOf: repeatElement(value, count: count))
        }
        return out
    }
}
