/// The q-quantile of already sorted values by linear interpolation between order statistics
/// (numpy's default "linear" method, Hyndman & Fan type 7): position q·(n − 1), between the
/// order statistics either side. NaN for no values.
///
/// The one quantile of scalefit: bootstrap percentile intervals of fits and allocations, and
/// the tail bootstrap's central 68 % ranges.
public func percentile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let position = q * Double(sorted.count - 1)
    let lo = Int(position.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    let fraction = position - Double(lo)
    return sorted[lo] + (sorted[hi] - sorted[lo]) * fraction
}
