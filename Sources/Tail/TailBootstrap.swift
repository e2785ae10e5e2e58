import GSL
import Dispatch
import Foundation
import ScalefitCore

/// The bootstrap goodness-of-fit test and the bootstrap spread of (x_min, α).
///
/// Goodness of fit (CSN §4.1): each replicate keeps the sample size n; each point is, with
/// probability n_tail/n, a draw from the fitted power law, otherwise a uniform draw from the
/// observed values below x_min. The replicate is fitted by the same procedure (x_min search
/// included), and p is the fraction of replicates whose KS distance is at least the data's.
/// p ≤ 0.1 rules the power law out.
///
/// Spread (CSN §3.4, the "±" of their Table 6.1): each replicate resamples the n
/// observations with replacement and refits; the standard deviations of x_min and α over
/// replicates are reported.
///
/// Replicate i draws from its own generator seeded by (seed, i), so results are identical
/// whatever the number of threads.
public struct BootstrapResult: Sendable, Hashable {
    /// Replicates requested for each of the two bootstraps.
    public var replicates: Int
    /// The seed they were drawn with.
    public var seed: UInt64
    /// The goodness-of-fit p-value (fraction of synthetic KS distances ≥ the observed one).
    public var goodnessOfFitP: Double
    /// Synthetic replicates that could be fitted (the others are left out of p).
    public var fittedReplicates: Int
    /// Standard deviation of α over resampled data sets.
    public var alphaStandardDeviation: Double
    /// Standard deviation of x_min over resampled data sets.
    public var xminStandardDeviation: Double
    /// The 16th and 84th percentiles of α over resampled data sets: a spread that a few
    /// replicates with a tiny tail (and a wild α) cannot inflate, unlike the standard deviation.
    public var alphaCentral68: ClosedRange<Double>?
    /// The 16th and 84th percentiles of x_min over resampled data sets.
    public var xminCentral68: ClosedRange<Double>?
}

enum TailBootstrap {
    static func run(
        fit: PowerLawFit, sample: TailSample, estimator: PowerLawEstimator,
        replicates: Int, seed: UInt64, threads: Int
    ) -> BootstrapResult {
        let observed = sample.expandedValues
        let below = observed.filter { $0 < fit.xmin }
        let n = observed.count
        let tailProbability = Double(fit.tailCount) / Double(n)
        let sampler = PowerLawSampler(kind: fit.kind, alpha: fit.alpha, xmin: fit.xmin)

        // Two jobs per replicate index: 0..<R synthetic, R..<2R resampled.
        let jobs = 2 * replicates
        let results = parallelMap(count: jobs, threads: threads, makeState: { () }) { _, job -> (ks: Double, alpha: Double, xmin: Double)? in
            let synthetic = job < replicates
            let index = synthetic ? job : job - replicates
            var rng = SeededRandom(seed: seed, replicate: UInt64(index) &* 2 &+ (synthetic ? 0 : 1))
            var values = [Double]()
            values.reserveCapacity(n)
            if synthetic {
                for _ in 0..<n {
                    if below.isEmpty || rng.nextUnit() < tailProbability {
                        values.append(sampler.draw(&rng))
                    } else {
                        values.append(below[Int(rng.next() % UInt64(below.count))])
                    }
                }
            } else {
                for _ in 0..<n { values.append(observed[Int(rng.next() % UInt64(n))]) }
            }
            guard let refit = try? estimator.fit(TailSample(values: values)) else { return nil }
            return (refit.ksDistance, refit.alpha, refit.xmin)
        }

        var worse = 0, fitted = 0
        var alphas: [Double] = [], xmins: [Double] = []
        for job in 0..<jobs {
            let result = results[job]
            if job < replicates {
                guard let result else { continue }
                fitted += 1
                if result.ks >= fit.ksDistance { worse += 1 }
            } else if let result {
                alphas.append(result.alpha)
                xmins.append(result.xmin)
            }
        }
        return BootstrapResult(
            replicates: replicates, seed: seed,
            goodnessOfFitP: fitted > 0 ? Double(worse) / Double(fitted) : .nan,
            fittedReplicates: fitted,
            alphaStandardDeviation: standardDeviation(alphas),
            xminStandardDeviation: standardDeviation(xmins),
            alphaCentral68: central68(alphas),
            xminCentral68: central68(xmins))
    }

    /// The 16th and 84th percentiles (linear interpolation between order statistics).
    static func central68(_ x: [Double]) -> ClosedRange<Double>? {
        guard x.count >= 2 else { return nil }
        let sorted = x.sorted()
        return percentile(sorted, 0.16)...percentile(sorted, 0.84)
    }

    static func standardDeviation(_ x: [Double]) -> Double {
        guard x.count >= 2 else { return .nan }
        let mean = x.reduce(0, +) / Double(x.count)
        return (x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count - 1)).squareRoot()
    }
}

/// Exact draws from a fitted power law above x_min.
///
/// Continuous: x = x_min·u^(−1/(α−1)). Discrete: the inverse of the survival function
/// S(x) = ζ(α, x)/ζ(α, x_min), from a table for the first 4096 values and by bisection
/// with the Hurwitz zeta beyond (values past 1e15 use the continuous approximation).
struct PowerLawSampler: Sendable {
    let kind: TailKind
    let alpha: Double
    let xmin: Double
    /// survival[j] = P(X ≥ x_min + j).
    private let survival: [Double]
    private let zetaXmin: Double

    init(kind: TailKind, alpha: Double, xmin: Double) {
        self.kind = kind
        self.alpha = alpha
        self.xmin = xmin
        if kind == .discrete, let z = SpecialFunctions.hurwitzZeta(alpha, xmin) {
            zetaXmin = z
            var table = [Double]()
            table.reserveCapacity(4097)
            var zeta = z
            var x = xmin
            for _ in 0..<4097 {
                table.append(zeta / z)
                zeta -= pow(x, -alpha)
                x += 1
            }
            // Refresh the far end from GSL, so rounding in the subtraction does not pile up.
            if let far = SpecialFunctions.hurwitzZeta(alpha, xmin + 4096) { table[4096] = far / z }
            survival = table
        } else {
            zetaXmin = .nan
            survival = []
        }
    }

    func draw(_ rng: inout SeededRandom) -> Double {
        let u = rng.nextUnit()
        switch kind {
        case .continuous:
            return xmin * pow(u, -1 / (alpha - 1))
        case .discrete:
            // Largest x with S(x) ≥ u.
            guard let last = survival.last else {
                // ζ(α, x_min) was not available (extreme α): CSN's approximate generator.
                return ((xmin - 0.5) * pow(u, -1 / (alpha - 1)) + 0.5).rounded(.down)
            }
            if u > last {
                var lo = 0, hi = survival.count - 1  // S(lo) ≥ u > S(hi)
                while hi - lo > 1 {
                    let mid = (lo + hi) / 2
                    if survival[mid] >= u { lo = mid } else { hi = mid }
                }
                return xmin + Double(lo)
            }
            let approximate = (xmin - 0.5) * pow(u, -1 / (alpha - 1)) + 0.5
            if !(approximate < 1e15) { return approximate.rounded(.down) }
            func s(_ x: Double) -> Double { (SpecialFunctions.hurwitzZeta(alpha, x) ?? 0) / zetaXmin }
            var lo = xmin + Double(survival.count - 1)
            var hi = max(approximate.rounded(.down), lo + 1)
            while s(hi) >= u { lo = hi; hi *= 2 }
            while hi - lo > 1 {
                let mid = ((lo + hi) / 2).rounded(.down)
                if s(mid) >= u { lo = mid } else { hi = mid }
            }
            return lo
        }
    }
}
