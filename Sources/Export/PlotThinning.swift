/// Which points of a long series to draw: a screen column of a few pixels cannot show more
/// than its first, last, lowest and highest point, so a curve of two million points is drawn
/// from those (the "M4" reduction of Jugel et al., VLDB 2014), which leaves the drawn line
/// the same to the pixel while the SVG stays small. Fits and residual statistics still use
/// every point; only drawing is thinned, and the plot says so.
public enum PlotThinning {
    /// Indices to draw, ascending: all of them when there are at most `limit`; otherwise, for
    /// each column (`column(i)`; nil: not drawable), the first, last, lowest and highest
    /// point, plus every index in `always` (held-out points).
    ///
    /// - Parameters:
    ///   - count: the number of points.
    ///   - columns: the number of columns; `column(i)` lies in `0..<columns` or is nil.
    ///   - value: the drawn height of point i (NaN: skipped).
    public static func indices(
        count: Int, limit: Int, always: Set<Int> = [], columns: Int, column: (Int) -> Int?, value: (Int) -> Double
    ) -> [Int] {
        guard count > limit else { return Array(0..<count) }
        struct Bucket { var first: Int, last: Int, low: Int, high: Int }
        var buckets = [Bucket?](repeating: nil, count: max(columns, 1))
        for i in 0..<count {
            guard let c = column(i), c >= 0, c < buckets.count else { continue }
            let v = value(i)
            guard v.isFinite else { continue }
            if var b = buckets[c] {
                b.last = i
                if v < value(b.low) { b.low = i }
                if v > value(b.high) { b.high = i }
                buckets[c] = b
            } else {
                buckets[c] = Bucket(first: i, last: i, low: i, high: i)
            }
        }
        var keep = Set(always.filter { $0 >= 0 && $0 < count })
        for case let b? in buckets { keep.formUnion([b.first, b.last, b.low, b.high]) }
        return keep.sorted()
    }
}
