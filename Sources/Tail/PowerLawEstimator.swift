import GSL
import Foundation
import ScalefitCore

/// Fits a power law with the x_min that minimises the KS distance, or with a given x_min.
///
/// Example (Moby Dick word frequencies, CSN Table 6.1 gives x_min = 7, α = 1.95(2)):
/// ```swift
/// let fit = try PowerLawEstimator(kind: .discrete).fit(sample)
/// // fit.xmin == 7, fit.alpha ≈ 1.95, fit.standardError ≈ 0.018
/// ```
public struct PowerLawEstimator: Sendable {
    public var kind: TailKind
    /// A fixed x_min, or `nil` to search.
    public var fixedXmin: Double?
    /// Candidates are the distinct values in this range (default: all but the largest).
    public var searchRange: ClosedRange<Double>?

    public init(kind: TailKind, fixedXmin: Double? = nil, searchRange: ClosedRange<Double>? = nil) {
        self.kind = kind
        self.fixedXmin = fixedXmin
        self.searchRange = searchRange
    }

    /// Fits the sample.
    /// - Throws: ``TailError`` when there is no usable tail (fewer than two distinct
    ///   values at or above x_min), or discrete fitting of non-integer values.
    /// - Complexity: O(m) per candidate x_min for m distinct tail values, usually much less
    ///   because a candidate is abandoned as soon as its KS distance exceeds the best so far.
    public func fit(_ sample: TailSample) throws -> PowerLawFit {
        let table = TailTable(sample)
        if kind == .discrete, !sample.isIntegerValued {
            throw TailError.nonIntegerDiscrete
        }
        guard table.values.count >= 2 else { throw TailError.tooFewDistinctValues(table.values.count) }

        if let fixedXmin {
            guard fixedXmin > 0 else { throw TailError.badXmin(fixedXmin) }
            if kind == .discrete, fixedXmin != fixedXmin.rounded() { throw TailError.badXmin(fixedXmin) }
            let start = table.values.firstIndex { $0 >= fixedXmin } ?? table.values.count
            guard table.values.count - start >= 2 else { throw TailError.tooFewDistinctValues(table.values.count - start) }
            var hint = start
            guard var candidate = table.fit(from: start, xmin: fixedXmin, kind: kind, bestDistance: .infinity, hint: &hint) else {
                throw TailError.noFit
            }
            candidate.xminPosition = .fixed
            candidate.candidateCount = 1
            candidate.searchRange = fixedXmin...fixedXmin
            return candidate
        }

        // Candidates: distinct values, leaving at least two distinct values in the tail.
        var indices = Array(0..<(table.values.count - 1))
        if let searchRange {
            indices = indices.filter { searchRange.contains(table.values[$0]) }
        }
        guard let first = indices.first, let last = indices.last else { throw TailError.noCandidates }
        // The minimum over all candidates is exact; the order only decides how much work
        // pruning saves. A coarse pass (about 64 evenly spread candidates) first finds a
        // good bound, so the full pass abandons most candidates after a point or two
        // instead of improving the bound step by step (quadratic on large samples).
        // Ties in D go to the smaller x_min.
        var best: PowerLawFit?
        var hint = 0
        let stride = max(1, indices.count / 64)
        var visited = Set<Int>()
        let coarse = Swift.stride(from: 0, to: indices.count, by: stride).map { indices[$0] }
        for index in coarse + indices where !visited.contains(index) {
            visited.insert(index)
            guard let candidate = table.fit(
                from: index, xmin: table.values[index], kind: kind,
                bestDistance: best?.ksDistance ?? .infinity, hint: &hint)
            else { continue }
            if let current = best,
               candidate.ksDistance > current.ksDistance
                || (candidate.ksDistance == current.ksDistance && candidate.xmin > current.xmin)
            {
                continue
            }
            best = candidate
        }
        guard var result = best else { throw TailError.noFit }
        result.candidateCount = indices.count
        result.searchRange = table.values[first]...table.values[last]
        if indices.count == 1 {
            result.xminPosition = .interior
        } else if result.xmin == table.values[first] {
            result.xminPosition = .lowerEdge
        } else if result.xmin == table.values[last] {
            result.xminPosition = .upperEdge
        } else {
            result.xminPosition = .interior
        }
        return result
    }
}

// MARK: - The per-candidate work

/// Suffix sums over the distinct values, so the MLE at any x_min costs O(1) (continuous)
/// or one 1-D minimisation over sufficient statistics (discrete).
struct TailTable: Sendable {
    let values: [Double]
    let counts: [Int]
    let logValues: [Double]
    /// suffixCount[j] = Σ_{i ≥ j} counts[i]; one extra trailing 0.
    let suffixCount: [Int]
    /// suffixLog[j] = Σ_{i ≥ j} counts[i]·ln values[i]; one extra trailing 0.
    let suffixLog: [Double]
    let total: Int

    init(_ sample: TailSample) {
        values = sample.distinctValues
        counts = sample.counts
        logValues = values.map { log($0) }
        var sc = [Int](repeating: 0, count: values.count + 1)
        var sl = [Double](repeating: 0, count: values.count + 1)
        for j in stride(from: values.count - 1, through: 0, by: -1) {
            sc[j] = sc[j + 1] + counts[j]
            sl[j] = sl[j + 1] + Double(counts[j]) * logValues[j]
        }
        suffixCount = sc
        suffixLog = sl
        total = sc[0]
    }

    /// The fit with x_min = `xmin` using the distinct values from index `start` on;
    /// `nil` when the KS distance exceeds `bestDistance` (abandoned) or nothing is finite.
    func fit(from start: Int, xmin: Double, kind: TailKind, bestDistance: Double, hint: inout Int) -> PowerLawFit? {
        let n = suffixCount[start]
        guard n >= 2 else { return nil }
        let nd = Double(n)
        let sumLog = suffixLog[start]
        let estimate: (alpha: Double, sigma: Double, logLikelihood: Double, converged: Bool)
        switch kind {
        case .continuous:
            let s = sumLog - nd * log(xmin)
            guard s > 0 else { return nil }
            let alpha = 1 + nd / s
            let ll = nd * log((alpha - 1) / xmin) - alpha * s
            estimate = (alpha, (alpha - 1) / nd.squareRoot(), ll, true)
        case .discrete:
            guard let e = DiscretePowerLaw.maximumLikelihood(tailCount: n, sumLog: sumLog, xmin: xmin) else {
                return nil
            }
            estimate = e
        }
        guard estimate.alpha.isFinite, estimate.alpha > 1 else { return nil }
        guard let distance = ksDistance(from: start, xmin: xmin, alpha: estimate.alpha, kind: kind, stopAt: bestDistance, hint: &hint)
        else { return nil }
        return PowerLawFit(
            kind: kind, xmin: xmin, alpha: estimate.alpha, standardError: estimate.sigma,
            tailCount: n, sampleCount: total, ksDistance: distance,
            logLikelihood: estimate.logLikelihood, candidateCount: 1, xminPosition: .interior,
            searchRange: xmin...xmin, converged: estimate.converged)
    }

    /// The KS distance max_v |P̂(X < v) − P(X < v)| over the distinct tail values v, the
    /// convention of CSN's reference code and of `powerlaw` (the empirical distribution
    /// is compared just below each jump); returns `nil` once it exceeds `stopAt`.
    ///
    /// `hint` is where the previous candidate deviated most (or was abandoned); it is
    /// checked first, which abandons most poor candidates after one point, and updated.
    func ksDistance(from start: Int, xmin: Double, alpha: Double, kind: TailKind, stopAt: Double, hint: inout Int) -> Double? {
        let n = Double(suffixCount[start])
        var distance = 0.0
        var argmax = start
        if stopAt.isFinite, hint > start, hint < values.count {
            let below = Double(suffixCount[start] - suffixCount[hint]) / n
            let model: Double?
            switch kind {
            case .continuous:
                model = -expm1((1 - alpha) * (logValues[hint] - log(xmin)))
            case .discrete:
                if let zh = SpecialFunctions.hurwitzZeta(alpha, values[hint]), let z0 = SpecialFunctions.hurwitzZeta(alpha, xmin) {
                    model = 1 - zh / z0
                } else {
                    model = nil
                }
            }
            if let model, abs(model - below) > stopAt { return nil }
        }
        defer { hint = argmax }
        switch kind {
        case .continuous:
            let logXmin = log(xmin)
            for i in start..<values.count {
                let below = Double(suffixCount[start] - suffixCount[i]) / n
                let model = -expm1((1 - alpha) * (logValues[i] - logXmin))
                let d = abs(model - below)
                if d > distance { distance = d; argmax = i }
                if distance > stopAt { return nil }
            }
        case .discrete:
            guard let zetaXmin = SpecialFunctions.hurwitzZeta(alpha, xmin) else { return nil }
            // ζ(α, v) for successive distinct v: short gaps by subtraction, long ones by GSL.
            var zeta = zetaXmin
            var at = xmin
            for i in start..<values.count {
                let v = values[i]
                if v - at <= 64 {
                    var k = at
                    while k < v { zeta -= pow(k, -alpha); k += 1 }
                } else {
                    guard let z = SpecialFunctions.hurwitzZeta(alpha, v) else { return nil }
                    zeta = z
                }
                at = v
                let below = Double(suffixCount[start] - suffixCount[i]) / n
                let modelBelow = 1 - zeta / zetaXmin
                let d = abs(modelBelow - below)
                if d > distance { distance = d; argmax = i }
                if distance > stopAt { return nil }
            }
        }
        return distance
    }
}

/// The discrete power law p(x) = x^(−α)/ζ(α, x_min), x = x_min, x_min+1, …
enum DiscretePowerLaw {
    /// The search interval for α; exponents above 50 mean a tail of a single value.
    static let alphaRange = 1.000_001...50.0

    /// The MLE of α: minimises n·ln ζ(α, x_min) + α·Σ ln x with GSL's Brent minimiser,
    /// started from the approximation 1 + n/Σ ln(x/(x_min − ½)) (CSN eq. 3.7).
    static func maximumLikelihood(tailCount n: Int, sumLog: Double, xmin: Double)
        -> (alpha: Double, sigma: Double, logLikelihood: Double, converged: Bool)?
    {
        let nd = Double(n)
        func negativeLogLikelihood(_ alpha: Double) -> Double {
            guard let z = SpecialFunctions.hurwitzZeta(alpha, xmin) else { return .infinity }
            return nd * log(z) + alpha * sumLog
        }
        let approximate = approximateAlpha(tailCount: n, sumLog: sumLog, xmin: xmin)
        let guess = approximate.isFinite ? min(max(approximate, alphaRange.lowerBound + 1e-3), alphaRange.upperBound - 1e-3) : 2.5
        let outcome = GSLMinimizer.minimize(
            negativeLogLikelihood, lower: alphaRange.lowerBound, upper: alphaRange.upperBound, guess: guess)
        let alpha = outcome.point[0]
        guard alpha.isFinite, outcome.value.isFinite else { return nil }
        let curvature = logZetaSecondDerivative(alpha: alpha, q: xmin)
        let sigma = curvature.map { $0 > 0 ? 1 / (nd * $0).squareRoot() : .nan } ?? .nan
        return (alpha, sigma, -outcome.value, outcome.converged)
    }

    /// CSN eq. 3.7: α ≈ 1 + n / Σ ln(x/(x_min − ½)), good to about 1% for x_min ≳ 6.
    static func approximateAlpha(tailCount n: Int, sumLog: Double, xmin: Double) -> Double {
        let s = sumLog - Double(n) * log(xmin - 0.5)
        return s > 0 ? 1 + Double(n) / s : .nan
    }

    /// d²/dα² ln ζ(α, q) by central differences (step 1e-3·α; error ≈ 1e-7 relative).
    static func logZetaSecondDerivative(alpha: Double, q: Double) -> Double? {
        let h = 1e-3 * max(1, alpha)
        let lower = max(alpha - h, 1 + (alpha - 1) / 2)
        let step = alpha - lower
        guard let zm = SpecialFunctions.hurwitzZeta(lower, q),
              let z0 = SpecialFunctions.hurwitzZeta(alpha, q),
              let zp = SpecialFunctions.hurwitzZeta(alpha + step, q)
        else { return nil }
        return (log(zp) - 2 * log(z0) + log(zm)) / (step * step)
    }

    /// log p(x) for one tail value.
    static func logDensity(_ x: Double, alpha: Double, logZetaXmin: Double) -> Double {
        -alpha * log(x) - logZetaXmin
    }
}
