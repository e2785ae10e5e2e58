import GSL
import Foundation
import RealModule
import ScalefitCore

/// A test of the data against given parameter values (`fit --against E=1.69,A=406.4,…`), as
/// Besiroglu et al. 2024 tested Hoffmann et al.'s published Chinchilla law.
///
/// Under Gaussian residuals (in the fit's residual space, with its weights), the restricted
/// model — the named parameters held at the given values, the others re-fitted (or nothing
/// re-fitted when every parameter is named) — is compared with the free fit by
///
/// - the likelihood ratio: Λ = n·ln(RSS₀/RSS₁), χ² with k degrees of freedom under the
///   hypothesis (k = parameters named), and
/// - the F test: F = ((RSS₀ − RSS₁)/k) / (RSS₁/(n − p)), F(k, n − p) under the hypothesis
///   (exact for a model linear in its parameters; the small-sample form of the same test).
///
/// The decision at 5% uses the F test's p-value. Least squares only: a Huber fit's objective
/// is not a Gaussian likelihood.
public struct AgainstTest: Sendable {
    public var hypothesis: [(name: String, value: Double)]
    /// Points, free parameters of the full fit, parameters the hypothesis holds.
    public var pointCount: Int
    public var freeParameters: Int
    public var constrained: Int
    /// Weighted residual sums of squares of the full fit and under the hypothesis.
    public var rssFull: Double
    public var rssHypothesis: Double
    public var likelihoodRatio: Double
    public var likelihoodRatioPValue: Double
    public var fStatistic: Double
    public var fPValue: Double
    /// Whether the restricted re-fit converged (true when nothing was re-fitted).
    public var restrictedConverged: Bool
    public var rejectedAt5Percent: Bool { fPValue < 0.05 }

    /// Tests `series` (the points the fit used) against `values`.
    ///
    /// - Throws: ``FitError`` for a name the law does not have, a value outside its domain, a
    ///   Huber loss, or a fit without degrees of freedom.
    public static func run(
        law: any ScalingLaw, series: Series, fit: FitResult, values: [(name: String, value: Double)], options: FitOptions
    ) throws -> AgainstTest {
        guard options.loss == .leastSquares else {
            throw FitError("--against compares Gaussian likelihoods: it needs --loss lsq, not \(options.loss)")
        }
        guard options.holdout == 0 else { throw FitError("--against tests the points of the fit: give it without --holdout") }
        guard !values.isEmpty else { throw FitError("--against needs NAME=VALUE items") }
        var named: [String: Double] = [:]
        for (name, value) in values {
            guard let parameter = law.parameters.first(where: { $0.name == name }) else {
                throw FitError("--against \(name): \(law.name) has no parameter \(name) (its parameters: \(law.parameterNames.joined(separator: ", ")))")
            }
            guard parameter.domain.contains(value) || (parameter.domain == .nonNegative && value == 0) else {
                throw FitError("--against \(name)=\(value) lies outside the domain of \(name) (\(parameter.domain))")
            }
            guard options.fixed[name] == nil else { throw FitError("--against \(name): \(name) is already fixed by --fix") }
            named[name] = value
        }
        let k = named.count
        let n = fit.pointCount, p = fit.degreesOfFreedom >= 0 ? n - fit.degreesOfFreedom : 0
        guard n - p > 0 else { throw FitError("--against: the fit has no degrees of freedom left") }
        let rss1 = fit.chiSquared
        var restricted = options
        restricted.bootstrap = 0
        restricted.predictX = []
        restricted.predictX2 = []
        for (name, value) in named { restricted.fixed[name] = value }
        let rss0: Double
        var converged = true
        if restricted.fixed.count == law.parameters.count {
            // Everything given: the residuals at those values.
            let usable = series.subset(series.x.indices.filter { series.x[$0] > 0 && (series.x2?[$0] ?? 1) > 0 })
            var sum = 0.0
            let all = law.parameters.map { restricted.fixed[$0.name]! }
            for i in usable.x.indices {
                let l = law.value(usable.x[i], usable.x2?[i] ?? .nan, parameters: all)
                let r = options.space == .log ? Double.log(l) - Double.log(usable.values[i]) : l - usable.values[i]
                sum += (usable.weights?[i] ?? 1) * r * r
            }
            rss0 = sum
        } else {
            let refit = try law.fit(to: series, options: restricted)
            converged = refit.converged
            rss0 = refit.chiSquared
        }
        let lr = Double(n) * Double.log(max(rss0, 1e-300) / max(rss1, 1e-300))
        let f = ((rss0 - rss1) / Double(k)) / (rss1 / Double(n - p))
        let lrP = rss0.isFinite ? SpecialFunctions.chiSquaredUpperTail(max(lr, 0), degreesOfFreedom: Double(k)) : 0
        let fP = rss0.isFinite ? SpecialFunctions.fUpperTail(max(f, 0), Double(k), Double(n - p)) : 0
        return AgainstTest(
            hypothesis: law.parameters.compactMap { q in named[q.name].map { (q.name, $0) } }, pointCount: n,
            freeParameters: p, constrained: k, rssFull: rss1, rssHypothesis: rss0, likelihoodRatio: lr,
            likelihoodRatioPValue: lrP, fStatistic: f, fPValue: fP, restrictedConverged: converged)
    }

    /// Parses `E=1.69,A=406.4,…` (commas or repeated items).
    public static func parse(_ items: [String]) throws -> [(name: String, value: Double)] {
        var out: [(String, Double)] = []
        for item in items.flatMap({ $0.split(separator: ",").map(String.init) }) {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let value = Double(parts[1]), value.isFinite else {
                throw FitError("--against takes NAME=VALUE items separated by commas (E=1.69,A=406.4,alpha=0.34), not \"\(item)\"")
            }
            guard !out.contains(where: { $0.0 == parts[0] }) else { throw FitError("--against names \(parts[0]) twice") }
            out.append((parts[0], value))
        }
        return out
    }
}
