import Foundation

/// Running mean and standard error over replicates, one accumulator per (metric, step).
struct ReplicateAverages: Sendable {
    private(set) var sums: [[Double]]
    private(set) var squares: [[Double]]
    private(set) var count = 0

    init(metrics: Int, steps: Int) {
        sums = Array(repeating: Array(repeating: 0, count: steps), count: metrics)
        squares = sums
    }

    /// Adds one replicate: `values[metric][step]`.
    mutating func add(_ values: [[Double]]) {
        for m in values.indices {
            for s in values[m].indices {
                sums[m][s] += values[m][s]
                squares[m][s] += values[m][s] * values[m][s]
            }
        }
        count += 1
    }

    func mean(_ metric: Int) -> [Double] { sums[metric].map { $0 / Double(count) } }

    /// The standard error of the mean (0 for one replicate).
    func standardError(_ metric: Int) -> [Double] {
        guard count > 1 else { return Array(repeating: 0, count: sums[metric].count) }
        let n = Double(count)
        return zip(sums[metric], squares[metric]).map { s, q in
            let variance = Swift.max(0, (q - s * s / n) / (n - 1))
            return (variance / n).squareRoot()
        }
    }
}
