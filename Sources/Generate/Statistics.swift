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

/// Small dense helpers for d×d covariance work (d is small in these scenarios).
enum SmallMatrix {
    /// Lower Cholesky factor of a symmetric d×d row-major matrix; non-positive pivots
    /// (a collapsed covariance) become 0, so sampling from it stays defined.
    static func cholesky(_ a: [Double], _ d: Int) -> [Double] {
        var l = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0...i {
                var s = a[i * d + j]
                for k in 0..<j { s -= l[i * d + k] * l[j * d + k] }
                if i == j {
                    l[i * d + i] = s > 0 ? s.squareRoot() : 0
                } else {
                    l[i * d + j] = l[j * d + j] > 0 ? s / l[j * d + j] : 0
                }
            }
        }
        return l
    }

    /// The determinant of a symmetric positive semi-definite matrix from its Cholesky factor.
    static func determinant(_ a: [Double], _ d: Int) -> Double {
        let l = cholesky(a, d)
        var p = 1.0
        for i in 0..<d { p *= l[i * d + i] * l[i * d + i] }
        return p
    }
}
