/// How each iteration's training set is built (docs/collapse-models.md §4.1, [CT]).
public enum Workflow: String, CaseIterable, Sendable, Codable {
    /// Train M_t on S_{t−1} only (D_1 at t = 1).
    case replace
    /// Train M_t on D_1 ∪ S_1 ∪ … ∪ S_{t−1}.
    case accumulate
    /// The same pool, subsampled uniformly without replacement to n points.
    case accumulateSubsample = "accumulate-subsample"
}

/// A pool of d-dimensional points stored row-major, with the training set of each workflow.
struct PointPool {
    let dimension: Int
    var points: [Double] = []
    var count: Int { points.count / dimension }

    /// The rows the model at this iteration is fitted on.
    func trainingSet(_ workflow: Workflow, latest: [Double], n: Int, rng: GSLRandom) -> [Double] {
        switch workflow {
        case .replace: return latest
        case .accumulate: return points
        case .accumulateSubsample:
            // Partial Fisher–Yates: the first n of a uniform permutation.
            var index = Array(0..<count)
            var out: [Double] = []
            out.reserveCapacity(n * dimension)
            for k in 0..<Swift.min(n, count) {
                let j = k + rng.uniformInt(below: count - k)
                index.swapAt(k, j)
                out += points[(index[k] * dimension)..<(index[k] * dimension + dimension)]
            }
            return out
        }
    }
}
