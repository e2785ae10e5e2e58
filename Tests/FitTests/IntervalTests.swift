import Foundation
import Testing
import RealModule
import ScalefitCore
@testable import Fit

/// Intervals that respect the parameter's domain, and profile-likelihood intervals checked
/// against a closed form and against lmfit (issue 17).
@Suite("95% intervals: domain, Wald on θ, profile likelihood")
struct IntervalTests {
    struct Fixture: Decodable {
        struct Parameter: Decodable {
            var value: Double
            var ci95: [Double]
        }
        var source: String
        var law: String
        var x: [Double]
        var y: [Double]
        var chi_squared: Double
        var parameters: [String: Parameter]
    }

    /// fixtures/profile-intervals/*.json, written by scripts/write-profile-interval-fixtures.py
    /// with lmfit's conf_interval.
    static func fixture(_ name: String) throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/profile-intervals/\(name).json")
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func series(_ f: Fixture) -> Series {
        Series(run: "nmt", metric: "loss", x: f.x, values: f.y)
    }

    /// The power law in log space is linear, ln y = ln A − α·ln x: ordinary least squares
    /// gives the intervals in closed form, b ± t₀.₉₇₅(ν)·s·√((XᵀX)⁻¹)_bb. The Wald interval
    /// on θ = (ln A, α) is that interval exactly (mapped back with exp for A), and so is the
    /// profile interval (χ² is exactly quadratic, and the F threshold χ²(1 + t²/ν) is the
    /// t interval).
    @Test("power law: Wald-log and profile intervals equal the closed-form OLS intervals")
    func closedForm() throws {
        let f = try Self.fixture("power-nmt")
        let n = f.x.count
        let u = f.x.map { Double.log($0) }, v = f.y.map { Double.log($0) }
        let mu = u.reduce(0, +) / Double(n), mv = v.reduce(0, +) / Double(n)
        let suu = zip(u, u).reduce(0) { $0 + ($1.0 - mu) * ($1.1 - mu) }
        let suv = zip(u, v).reduce(0) { $0 + ($1.0 - mu) * ($1.1 - mv) }
        let slope = suv / suu, intercept = mv - slope * mu
        let rss = zip(u, v).reduce(0) { $0 + pow($1.1 - intercept - slope * $1.0, 2) }
        let s2 = rss / Double(n - 2)
        let seSlope = (s2 / suu).squareRoot()
        let seIntercept = (s2 * (1 / Double(n) + mu * mu / suu)).squareRoot()
        // t₀.₉₇₅ with ν = n − 2 = 8 degrees of freedom: 2.306004 (any t table, e.g.
        // scipy.stats.t.ppf(0.975, 8) = 2.3060041350333704).
        #expect(n == 10)
        let t = 2.3060041350333704
        let alphaCI = (-slope - t * seSlope, -slope + t * seSlope)
        let aCI = (Double.exp(intercept - t * seIntercept), Double.exp(intercept + t * seIntercept))

        for method in IntervalMethod.allCases {
            var options = FitOptions()
            options.intervals = method
            let result = try PowerLaw().fit(to: Self.series(f), options: options)
            let a = try #require(result.parameter("A")), alpha = try #require(result.parameter("alpha"))
            let aInterval = try #require(a.ci95), alphaInterval = try #require(alpha.ci95)
            #expect(a.ci95Method == (method == .wald ? .waldLog : .profile))
            #expect(alpha.ci95Method == (method == .wald ? .wald : .profile))
            #expect(abs(aInterval.lower / aCI.0 - 1) < 1e-6, "\(method): A lower \(aInterval.lower) vs \(aCI.0)")
            #expect(abs(aInterval.upper / aCI.1 - 1) < 1e-6, "\(method): A upper \(aInterval.upper) vs \(aCI.1)")
            #expect(abs(alphaInterval.lower - alphaCI.0) < 1e-7 * abs(slope) + 1e-9, "\(method): alpha lower")
            #expect(abs(alphaInterval.upper - alphaCI.1) < 1e-7 * abs(slope) + 1e-9, "\(method): alpha upper")
        }
        // lmfit's profile agrees with the closed form too (its own tolerance is about 1e-5).
        #expect(abs(f.parameters["A"]!.ci95[0] / aCI.0 - 1) < 1e-3)
        #expect(abs(f.parameters["alpha"]!.ci95[1] - alphaCI.1) < 1e-3 * alphaCI.1)
    }

    @Test("saturating law: profile intervals match lmfit's conf_interval", arguments: ["saturating-nmt", "power-nmt"])
    func matchesLmfit(_ name: String) throws {
        let f = try Self.fixture(name)
        var options = FitOptions()
        options.intervals = .profile
        let law: any ScalingLaw = f.law == "saturating" ? SaturatingLaw() : PowerLaw()
        let result = try law.fit(to: Self.series(f), options: options)
        #expect(result.converged)
        #expect(abs(result.chiSquared / f.chi_squared - 1) < 1e-6)
        for (pname, expected) in f.parameters {
            let p = try #require(result.parameter(pname))
            #expect(abs(p.value / expected.value - 1) < 1e-4, "\(pname) value \(p.value) vs lmfit \(expected.value)")
            let ci = try #require(p.ci95, "\(pname): \(p.note ?? "")")
            #expect(p.ci95Method == .profile)
            // lmfit stops its root search at a relative change of 1e-5 in the probability;
            // 2e-3 relative on the ends is well inside what that allows.
            #expect(abs(ci.lower / expected.ci95[0] - 1) < 2e-3, "\(pname) lower \(ci.lower) vs lmfit \(expected.ci95[0])")
            #expect(abs(ci.upper / expected.ci95[1] - 1) < 2e-3, "\(pname) upper \(ci.upper) vs lmfit \(expected.ci95[1])")
        }
    }

    /// Issue 17's example: A = 306 had the interval [−63, 675] as value ± t·se. On log A it
    /// is [exp(ln A − t·se_lnA), exp(ln A + t·se_lnA)], inside (0, ∞), and its geometric
    /// centre is the estimate.
    @Test("positive parameters get wald-log intervals that stay positive and are centred in log")
    func positiveStaysPositive() throws {
        let f = try Self.fixture("saturating-nmt")
        let result = try SaturatingLaw().fit(to: Self.series(f), options: FitOptions())
        for name in ["E", "A", "alpha"] {
            let p = try #require(result.parameter(name))
            let ci = try #require(p.ci95)
            #expect(p.ci95Method == .waldLog)
            #expect(ci.lower > 0 && ci.lower < p.value && p.value < ci.upper)
            #expect(abs(Double.log(ci.lower) + Double.log(ci.upper) - 2 * Double.log(p.value)) < 1e-9)
        }
        // The standard error is still the delta-method one on the natural scale, and the
        // symmetric interval value ± t·se would have crossed zero: 306 − 2.3646·156 = −63,
        // issue 17's "A 306 [−63, 675]". t₀.₉₇₅(ν = 10 − 3 = 7) = 2.364624251592785
        // (scipy.stats.t.ppf(0.975, 7)).
        let a = try #require(result.parameter("A"))
        let se = try #require(a.standardError)
        #expect(a.value - 2.364624251592785 * se < 0)
        #expect(abs(a.value - 2.364624251592785 * se - -63.3) < 1)
    }

    @Test("a bounded parameter's interval stays inside its bounds (wald-logit)")
    func boundedStaysInside() {
        let domain = ParameterDomain.interval(0, 1)
        // θ = logit(0.98) with a large standard error: value ± t·se would leave (0, 1).
        let theta = Double.log(0.98 / 0.02)
        let wald = domain.waldInterval(theta: theta, thetaStandardError: 3, t: 2)
        #expect(wald?.source == .waldLogit)
        #expect(wald.map { $0.interval.lower > 0 && $0.interval.upper < 1 && $0.interval.lower < 0.98 } == true)
        let real = ParameterDomain.real.waldInterval(theta: 0.5, thetaStandardError: 0.1, t: 2)
        #expect(real?.source == .wald)
        #expect(real.map { abs($0.interval.lower - 0.3) < 1e-15 && abs($0.interval.upper - 0.7) < 1e-15 } == true)
    }

    /// ln x far from 0 makes A (the value at x = 1) and α correlated (ρ ≈ 0.999 here) on
    /// any data; at the data's centre they are uncorrelated for a log-space power law
    /// (centred regressors). The warning reports only the latter.
    @Test("the A–alpha correlation warning is judged at the data's centre")
    func centredCorrelation() throws {
        let f = try Self.fixture("power-nmt")
        let result = try PowerLaw().fit(to: Self.series(f), options: FitOptions())
        let cov = try #require(result.covariance)
        let rhoAtOne = cov[0][1] / (cov[0][0] * cov[1][1]).squareRoot()
        #expect(abs(rhoAtOne) > 0.99)  // the uncentred correlation is there …
        #expect(!result.warnings.contains { $0.contains("correlated") })  // … and is not reported
        // The reported A is the usual A at x = 1: the curve through the data.
        let a = try #require(result.parameter("A")?.value), alpha = try #require(result.parameter("alpha")?.value)
        #expect(abs(a * Double.pow(f.x[0], -alpha) / f.y[0] - 1) < 0.2)

        // A real non-identifiability is still reported: a saturating law on a curve that
        // does not bend lets the floor trade against the scale.
        let x = (0..<12).map { Double.pow(10, 3 + 0.25 * Double($0)) }
        let y = x.map { 0.01 + 5 * Double.pow($0, -0.2) }
        let flat = try SaturatingLaw().fit(to: Series(run: "s", metric: "l", x: x, values: y.enumerated().map { $1 * (1 + 0.01 * Double($0 % 3 - 1)) }), options: FitOptions())
        #expect(flat.warnings.contains { $0.contains("correlated") })
    }
}
