import Fit
import Foundation
import ScalefitCore

/// The known truth of a generated data set (`truth.json`, written by `scalefit generate`),
/// compared with a fit: the loop that shows whether a fit recovers what made the data.
///
/// A fitted parameter is matched by name with a number under the file's `parameters`
/// (`beta`, `k`, `pi`, `beta_prime`, …); a derived quantity by name with a number under
/// `law` (`plateau`, `plateau_onset`, `second_descent_onset`, `c`, …). Names the truth does
/// not give, and values that are not numbers (`"inf"`, lists), are left alone.
public struct TruthFile: Sendable {
    public var parameters: [String: Double]
    public var law: [String: Double]

    public init(parameters: [String: Double], law: [String: Double] = [:]) {
        self.parameters = parameters
        self.law = law
    }

    /// Reads `truth.json`. Throws ``UsageError`` naming the file and the problem.
    public static func load(_ path: String) throws -> TruthFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw UsageError("--truth \(path): cannot read the file")
        }
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw UsageError("--truth \(path): not valid JSON (\(error.localizedDescription))")
        }
        guard let root = object as? [String: Any], let parameters = root["parameters"] as? [String: Any] else {
            throw UsageError("--truth \(path): no \"parameters\" object (expected the truth.json that scalefit generate writes)")
        }
        func numbers(_ members: [String: Any]?) -> [String: Double] {
            var out: [String: Double] = [:]
            for (key, value) in members ?? [:] {
                // Numbers only: booleans, strings ("inf"), lists (the T grid) and null are not truths.
                if value is Bool { continue }
                if let n = value as? NSNumber, n.doubleValue.isFinite { out[key] = n.doubleValue }
            }
            return out
        }
        return TruthFile(parameters: numbers(parameters), law: numbers(root["law"] as? [String: Any]))
    }

    /// One comparison of a true value with a fitted estimate's intervals.
    public struct Check: Sendable {
        public var name: String
        public var value: Double
        /// Whether the truth lies in the 95% interval; nil when there is none.
        public var inCI95: Bool?
        public var inBootstrapCI95: Bool?
        /// The parameter was fixed by the user (no interval expected).
        public var fixed: Bool
        /// (estimate − truth)/|truth|, nil when the truth is 0 or there is no estimate.
        public var relativeError: Double?

        /// A miss for `--fail-on-miss`: outside the interval, or no interval to check against.
        public var isMiss: Bool { !fixed && inCI95 != true }
    }

    static func relative(_ estimate: Double, _ truth: Double) -> Double? {
        truth != 0 && estimate.isFinite ? (estimate - truth) / abs(truth) : nil
    }

    /// Whether v lies in the interval, widened by 1e-6 relative on each side: the exact
    /// collapse laws reproduce the generator's curves to about 1e-7 relative
    /// (benchmarks/collapse), and a fit to a noiseless curve has an interval narrower than
    /// that (its residuals are that numerical difference), which would call a value that
    /// agrees to 1e-8 a miss.
    static let numericalTolerance = 1e-6
    static func inside(_ v: Double, _ ci: (lower: Double, upper: Double)?) -> Bool? {
        ci.map { v >= $0.lower - numericalTolerance * abs($0.lower) && v <= $0.upper + numericalTolerance * abs($0.upper) }
    }

    /// The check of parameter `p`, or nil when the truth does not name it.
    public func check(_ p: ParameterEstimate) -> Check? {
        guard let v = parameters[p.name] else { return nil }
        return Check(
            name: p.name, value: v, inCI95: Self.inside(v, p.ci95), inBootstrapCI95: Self.inside(v, p.bootstrapCI95),
            fixed: p.errorBar == .fixed, relativeError: Self.relative(p.value, v))
    }

    /// The check of derived quantity `d`, or nil when the truth's `law` does not name it.
    public func check(_ d: DerivedEstimate) -> Check? {
        guard let v = law[d.name] else { return nil }
        return Check(
            name: d.name, value: v, inCI95: Self.inside(v, d.ci95), inBootstrapCI95: Self.inside(v, d.bootstrapCI95),
            fixed: false, relativeError: d.value.flatMap { Self.relative($0, v) })
    }

    /// Every check of a fit.
    public func checks(_ fit: FitResult) -> [Check] {
        fit.parameters.compactMap(check) + fit.derived.compactMap(check)
    }

    /// The JSON member `"truth": {"value", "in_ci95", "in_bootstrap_ci95"}`.
    static func node(_ c: Check) -> JSONNode {
        .object([
            ("value", .finite(c.value)),
            ("in_ci95", c.inCI95.map { .bool($0) } ?? .null),
            ("in_bootstrap_ci95", c.inBootstrapCI95.map { .bool($0) } ?? .null),
            ("relative_error", .finite(c.relativeError)),
        ])
    }

    /// The table cell: the true value and whether the 95% interval holds it.
    public static func cell(_ c: Check?) -> String {
        guard let c else { return "" }
        let verdict: String
        if c.fixed { verdict = "fixed" } else {
            switch c.inCI95 {
            case true?: verdict = "inside 95% CI"
            case false?: verdict = "MISS: outside 95% CI"
            case nil: verdict = "MISS: no interval"
            }
        }
        let off = c.relativeError.map { ", off by \(FitReport.number(abs($0) * 100))%" } ?? ""
        return "\(FitReport.number(c.value)) (\(verdict)\(off))"
    }
}
