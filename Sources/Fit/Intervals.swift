import RealModule
import ScalefitCore

/// How the 95% intervals of ``ParameterEstimate/ci95`` are computed (`--intervals`).
public enum IntervalMethod: String, Sendable, CaseIterable {
    /// Wald intervals on the parameter the fit works in (θ: log for a positive parameter,
    /// logit for a bounded one, the value itself for a real one), mapped back. They
    /// respect the domain: a positive parameter's interval never reaches 0.
    case wald
    /// Profile likelihood: each end is where the residual sum of squares, re-minimised over
    /// the other parameters, reaches χ²_min·(1 + t²/ν), t = t₀.₉₇₅(ν), ν = n − p. This is
    /// the F test with one parameter profiled, lmfit's `conf_interval` default.
    case profile
}

/// Which computation gave an interval; written as `ci95_method` in the JSON.
public enum IntervalSource: String, Sendable {
    /// value ± t·se on the natural scale (a real parameter: θ is the value).
    case wald
    /// exp(log p ± t·se(log p)), for a positive or non-negative parameter.
    case waldLog = "wald-log"
    /// the logistic map of logit p ± t·se(logit p), for a parameter in (lo, hi).
    case waldLogit = "wald-logit"
    /// profile likelihood (see ``IntervalMethod/profile``).
    case profile
}

extension ParameterDomain {
    /// The 95% Wald interval on θ, θ̂ ± t·se_θ, mapped back to the natural scale, and its
    /// source. Monotone maps keep the order of the ends.
    func waldInterval(theta: Double, thetaStandardError se: Double, t: Double) -> (interval: (lower: Double, upper: Double), source: IntervalSource)? {
        guard se.isFinite, t.isFinite, theta.isFinite else { return nil }
        let lo = natural(theta - t * se), hi = natural(theta + t * se)
        guard lo.isFinite || hi.isFinite else { return nil }
        let source: IntervalSource
        switch self {
        case .real: source = .wald
        case .positive, .nonNegative: source = .waldLog
        case .interval: source = .waldLogit
        }
        return ((Swift.min(lo, hi), Swift.max(lo, hi)), source)
    }
}

/// A law whose terms have the form A·x^(−α): the scale A is strongly correlated with α
/// whenever ln x is far from 0, only because A is the value at x = 1, outside the data.
/// Correlations are judged with A moved to the data's centre (see
/// ``centredCorrelations(covariance:natural:pairs:inputs:)``).
public struct ScaleExponentPair: Sendable {
    /// Law indices of the scale A (positive) and the exponent α of A·x^(−α).
    public var scale: Int
    public var exponent: Int
    /// 0: the law's x; 1: its second input (x2).
    public var input: Int
    public init(scale: Int, exponent: Int, input: Int = 0) {
        self.scale = scale
        self.exponent = exponent
        self.input = input
    }
}

/// A law with terms A·x^(−α) whose correlations are judged at the data's centre.
public protocol CentredScaleLaw: ScalingLaw {
    var scaleExponentPairs: [ScaleExponentPair] { get }
}

/// The covariance of the free parameters with each paired scale A replaced by the scale at
/// the data's centre, A_c = A·x_c^(−α) with ln x_c the mean of ln x (the value of the term
/// there). By the delta method, with J the identity except
/// ∂A_c/∂A = x_c^(−α) and ∂A_c/∂α = −A_c·ln x_c, the covariance is J·Σ·Jᵀ. A and α are
/// reported as usual (A at x = 1); only the correlation warnings use this.
func centredCovariance(
    _ covariance: [Double], free: Int, freeIndexOf: (Int) -> Int?, natural: [Double],
    pairs: [ScaleExponentPair], meanLogInput: (Int) -> Double?
) -> [Double] {
    var cov = covariance
    let p = free
    for pair in pairs {
        guard let a = freeIndexOf(pair.scale), let e = freeIndexOf(pair.exponent), a != e,
              let m = meanLogInput(pair.input), m.isFinite else { continue }
        let alpha = natural[pair.exponent], scale = natural[pair.scale]
        let dA = Double.exp(-alpha * m)
        let dAlpha = -scale * dA * m
        guard dA.isFinite, dAlpha.isFinite else { continue }
        // Row/column a becomes dA·(row a) + dAlpha·(row e).
        var next = cov
        for l in 0..<p where l != a {
            let value = dA * cov[a * p + l] + dAlpha * cov[e * p + l]
            next[a * p + l] = value
            next[l * p + a] = value
        }
        next[a * p + a] = dA * dA * cov[a * p + a] + 2 * dA * dAlpha * cov[a * p + e] + dAlpha * dAlpha * cov[e * p + e]
        cov = next
    }
    return cov
}

/// Profile-likelihood intervals (``IntervalMethod/profile``).
struct ProfileIntervals<Law: ScalingLaw> {
    let law: Law
    let data: FitData
    let map: ParameterMap
    let options: FitOptions
    /// θ and χ² at the optimum.
    let theta: [Double]
    let chiSquared: Double
    let threshold: Double

    init(law: Law, data: FitData, map: ParameterMap, options: FitOptions, theta: [Double], chiSquared: Double) {
        self.law = law
        self.data = data
        self.map = map
        self.options = options
        self.theta = theta
        self.chiSquared = chiSquared
        let dof = data.count - map.freeCount
        let t = studentT95(degreesOfFreedom: dof)
        threshold = chiSquared * (1 + t * t / Double(max(dof, 1)))
    }

    /// χ² re-minimised with free parameter k held at θ_k = u, starting from `warm` (θ of the
    /// other free parameters, in order); nil when the solve fails.
    func profile(_ k: Int, at u: Double, warm: inout [Double]) -> Double? {
        let j = map.freeIndices[k]
        let name = law.parameters[j].name
        var options = self.options
        options.loss = .leastSquares
        options.fixed[name] = map.domains[k].natural(u)
        guard let reduced = try? ParameterMap(law: law, fixed: options.fixed, tied: options.tied) else { return nil }
        if reduced.freeCount == 0 {
            let natural = reduced.natural([])
            var sum = 0.0
            for i in 0..<data.count {
                let v = law.value(data.x[i], data.x2?[i] ?? .nan, parameters: natural)
                let r = options.space == .log ? Double.log(v) - data.logY[i] : v - data.y[i]
                sum += (data.weights?[i] ?? 1) * r * r
            }
            return sum.isFinite ? sum : nil
        }
        guard let runner = try? StartRunner(law: law, data: data, map: reduced, options: options),
              let outcome = runner.run(from: warm), outcome.status.isConverged || outcome.chiSquared.isFinite
        else { return nil }
        // Keep the best point found: a worse re-solve from a warm start is not the profile.
        warm = outcome.theta
        return outcome.chiSquared
    }

    /// The ends of free parameter k's interval on θ: (lower, upper), each nil when the
    /// profile does not reach the threshold within the domain (the data do not bound it).
    func interval(_ k: Int, thetaStandardError se: Double?) -> (lower: Double?, upper: Double?) {
        let start = theta[k]
        let step0 = se.flatMap { $0.isFinite && $0 > 0 ? $0 : nil } ?? 0.1 * Swift.max(abs(start), 1)
        let others = theta.indices.filter { $0 != k }.map { theta[$0] }
        func end(_ direction: Double) -> Double? {
            var inside = start, insideValue = chiSquared
            var warm = others
            var step = step0
            var outside: Double? = nil, outsideValue = 0.0
            for _ in 0..<40 {
                let u = inside + direction * step
                if abs(u) > 700 { return nil }
                var trial = warm
                guard let value = profile(k, at: u, warm: &trial) else { step /= 2; if step < 1e-12 * step0 { return nil }; continue }
                if value >= threshold {
                    outside = u
                    outsideValue = value
                    break
                }
                inside = u
                insideValue = value
                warm = trial
                step *= 2
            }
            guard var hi = outside else { return nil }
            var lo = inside, loValue = insideValue
            var hiValue = outsideValue
            // Regula falsi (Illinois) on χ²(u) − threshold between the two.
            var side = 0
            for _ in 0..<60 {
                if abs(hi - lo) <= 1e-9 * Swift.max(abs(lo), 1) { break }
                let fLo = loValue - threshold, fHi = hiValue - threshold
                var u = lo - fLo * (hi - lo) / (fHi - fLo)
                if !(u.isFinite) || u <= Swift.min(lo, hi) || u >= Swift.max(lo, hi) { u = 0.5 * (lo + hi) }
                var trial = warm
                guard let value = profile(k, at: u, warm: &trial) else { break }
                if value < threshold {
                    lo = u
                    loValue = value
                    warm = trial
                    if side == -1 { hiValue = threshold + 0.5 * (hiValue - threshold) }
                    side = -1
                } else {
                    hi = u
                    hiValue = value
                    if side == 1 { loValue = threshold + 0.5 * (loValue - threshold) }
                    side = 1
                }
                if abs(value - threshold) <= 1e-10 * threshold { return u }
            }
            return lo - (loValue - threshold) * (hi - lo) / (hiValue - loValue)
        }
        return (end(-1), end(1))
    }
}

extension FitResult {
    /// Replaces the free parameters' intervals by profile-likelihood intervals (least
    /// squares only: a Huber objective has no χ² threshold, so those keep their Wald
    /// intervals and say so).
    mutating func applyProfileIntervals<Law: ScalingLaw>(
        law: Law, data: FitData, map: ParameterMap, theta: [Double], chiSquared: Double, thetaCovariance: [Double]?,
        options: FitOptions
    ) {
        guard case .leastSquares = options.loss else {
            notes.append(.text("profile intervals need least squares; the intervals shown are Wald intervals"))
            return
        }
        guard data.count > map.freeCount else { return }
        let profiler = ProfileIntervals(law: law, data: data, map: map, options: options, theta: theta, chiSquared: chiSquared)
        let p = map.freeCount
        let variance = chiSquared / Double(data.count - p)
        let sources = Set(map.slots.compactMap { slot -> Int? in if case .tied(let s) = slot { s } else { nil } })
        var byLawIndex: [Int: (lower: Double, upper: Double)?] = [:]
        for k in 0..<p {
            let j = map.freeIndices[k]
            // A tie's source cannot be held fixed while its target follows it.
            if sources.contains(j) { continue }
            if case .atBound = parameters[j].errorBar { continue }
            let se = thetaCovariance.map { ($0[k * p + k] * variance).squareRoot() }
            let ends = profiler.interval(k, thetaStandardError: se)
            let domain = map.domains[k]
            if let lo = ends.lower, let hi = ends.upper {
                let a = domain.natural(lo), b = domain.natural(hi)
                parameters[j].ci95 = (Swift.min(a, b), Swift.max(a, b))
                parameters[j].ci95Method = .profile
                byLawIndex[j] = parameters[j].ci95
            } else {
                parameters[j].ci95 = nil
                parameters[j].ci95Method = .profile
                parameters[j].intervalProblem = .profileOpen(below: ends.lower == nil, above: ends.upper == nil)
                byLawIndex[j] = .some(nil)
            }
        }
        for (j, slot) in map.slots.enumerated() {
            if case .tied(let s) = slot, let copied = byLawIndex[s] {
                parameters[j].ci95 = copied
                parameters[j].ci95Method = .profile
            }
        }
    }
}

extension PowerLaw: CentredScaleLaw {
    /// L = A·n^(−α): A is index 0, α index 1.
    public var scaleExponentPairs: [ScaleExponentPair] { [.init(scale: 0, exponent: 1)] }
}

extension SaturatingLaw: CentredScaleLaw {
    /// L = E + A·n^(−α): A is index 1, α index 2.
    public var scaleExponentPairs: [ScaleExponentPair] { [.init(scale: 1, exponent: 2)] }
}

extension ChinchillaLaw: CentredScaleLaw {
    /// L = E + A·N^(−α) + B·D^(−β): (A, α) on N, (B, β) on D.
    public var scaleExponentPairs: [ScaleExponentPair] {
        [.init(scale: 1, exponent: 3, input: 0), .init(scale: 2, exponent: 4, input: 1)]
    }
}

extension ScalingLaw {
    /// The series in the order whose last K points ``FitOptions/holdout`` holds out:
    /// by x, or for two inputs by default by compute x·x₂ (C = 6·N·D), ties by x.
    static func holdoutOrder(_ series: Series, _ order: HoldoutOrder) -> Series {
        guard let x2 = series.x2, order != .x else { return series.sortedByX() }
        let x = series.x
        let indices = x.indices.sorted { a, b in
            let ca = x[a] * x2[a], cb = x[b] * x2[b]
            if ca != cb { return ca < cb }
            if x[a] != x[b] { return x[a] < x[b] }
            return a < b
        }
        return series.subset(indices)
    }
}
