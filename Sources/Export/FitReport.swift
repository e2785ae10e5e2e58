import Fit
import ScalefitCore

/// One input file as the JSON documents describe it.
public struct InputRecord: Sendable {
    public var path: String
    public var sha256: String
    public init(path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }
}

/// Renders fit results as the `scalefit fit --json` document and as a human table.
///
/// The JSON schema (`schema_version` 1; fixed keys from docs/design.md's output contract):
/// ```
/// { "schema_version": 1,
///   "tool": {"name": "scalefit", "version": "0.1.0"},
///   "inputs": [{"path": "runs.csv", "sha256": "…"}],
///   "options": {"model": "saturating", "space": "log", "loss": "lsq", "seed": 0, …},
///   "fits": [{
///     "series", "model", "formula", "n_points", "converged", "status", "status_detail",
///     "objective", "chi_squared", "aicc", "bic", "degrees_of_freedom", "condition_number",
///     "starts": {"tried", "converged", "reached_best", "screen_iterations" | null, "continued" | null}, "iterations",
///     "parameters": [{"name", "value", "stderr", "ci95": [lo, hi], "ci95_method": "wald"|"wald-log"|"wald-logit"|"profile"|null, "bootstrap_ci95": [lo, hi] | null, "note"}],
///     "derived": [{"name", "meaning", "value", "ci95": [lo, hi] | null, "bootstrap_ci95"}],
///     (with --truth, each parameter and derived quantity the truth names also has
///      "truth": {"value", "in_ci95", "in_bootstrap_ci95"})
///     "holdout": {"k", "rmsle", "points": [{"x", "x2", "observed", "predicted", "log_error"}]} | null,
///     "predictions": [{"x", "x2", "value", "confidence_band": [lo, hi], "prediction_interval": [lo, hi]}],
///     "selection": "…" (only when laws were compared: the rule that chose this one),
///     "warnings": ["…"] }],
///   "comparison": [{"series", "model", "aicc", "bic", "converged", "ranked", "not_ranked_reason",
///     "holdout_rmsle"}] (with --model auto) }
/// ```
/// NaN and ±∞ are written as `null`, and the fit's `warnings` say which value was not finite.
/// The machine-readable JSON Schema is `docs/schema/fit.schema.json`; `docs/json-schema.md`
/// documents every document scalefit writes.
public enum FitReport {
    public static func json(
        fits: [FitResult], comparison: [FitResult] = [], inputs: [InputRecord], options: [(String, JSONNode)],
        toolVersion: String, truth: TruthFile? = nil
    ) -> JSONNode {
        var document: [(String, JSONNode)] = [
            ("schema_version", .integer(1)),
            ("tool", .object([("name", .string("scalefit")), ("version", .string(toolVersion))])),
            ("inputs", .array(inputs.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })),
            ("options", .object(options)),
            ("fits", .array(fits.map { fitObject($0, truth: truth) })),
        ]
        if !comparison.isEmpty {
            document.append(("comparison", .array(comparison.map { fit in
                .object([
                    ("series", .string(fit.series)), ("model", .string(fit.model)), ("aicc", .finite(fit.aicc)),
                    ("bic", .finite(fit.bic)), ("converged", .bool(fit.converged)),
                    ("ranked", .bool(fit.isRanked)),
                    ("not_ranked_reason", fit.isRanked ? .null : .string(fit.converged ? fit.disqualification ?? "" : "not converged: \(fit.status)")),
                    ("holdout_rmsle", .finite(fit.holdout?.rmsle)),
                ])
            })))
        }
        return .object(document)
    }

    static func fitObject(_ fit: FitResult) -> JSONNode { fitObject(fit, truth: nil) }

    static func fitObject(_ fit: FitResult, truth: TruthFile?) -> JSONNode {
        var warnings = fit.warnings
        func checked(_ name: String, _ value: Double?) -> JSONNode {
            if let value, !value.isFinite { warnings.append("\(name) is not finite (\(value)); written as null") }
            return .finite(value)
        }
        let parameters: [JSONNode] = fit.parameters.enumerated().map { j, p in
            var members: [(String, JSONNode)] = [
                ("name", .string(p.name)), ("value", checked(p.name, p.value)), ("stderr", .finite(p.standardError)),
                ("ci95", .pair(p.ci95)), ("ci95_method", p.ci95 == nil ? .null : p.ci95Method.map { .string($0.rawValue) } ?? .null),
                ("bootstrap_ci95", .pair(p.bootstrapCI95)),
            ]
            if let note = p.note { members.append(("note", .string(note))) }
            // A custom law is rebuilt from its formula and these (`scalefit predict`, `optimal`).
            if fit.model == "custom", let domains = fit.parameterDomains, j < domains.count {
                members.append(("domain", .string(domains[j].specification)))
            }
            if let check = truth?.check(p) { members.append(("truth", TruthFile.node(check))) }
            return .object(members)
        }
        let derived: [JSONNode] = fit.derived.map { d in
            var members: [(String, JSONNode)] = [
                ("name", .string(d.name)), ("meaning", .string(d.meaning)), ("value", .finite(d.value)),
                ("ci95", .pair(d.ci95)), ("bootstrap_ci95", .pair(d.bootstrapCI95)),
            ]
            if let check = truth?.check(d) { members.append(("truth", TruthFile.node(check))) }
            return .object(members)
        }
        let holdout: JSONNode = fit.holdout.map { h in
            .object([
                ("k", .integer(h.k)), ("rmsle", checked("holdout rmsle", h.rmsle)),
                ("points", .array(h.points.map { point in
                    .object([
                        ("x", .finite(point.x)), ("x2", .finite(point.x2)), ("observed", .finite(point.observed)),
                        ("predicted", .finite(point.predicted)), ("log_error", .finite(point.logError)),
                    ])
                })),
            ])
        } ?? .null
        let predictions: [JSONNode] = fit.predictions.map { p in
            .object([
                ("x", .finite(p.x)), ("x2", .finite(p.x2)), ("value", checked("prediction at \(p.x)", p.value)),
                ("confidence_band", .pair(p.confidenceBand)), ("prediction_interval", .pair(p.predictionInterval)),
            ])
        }
        var members: [(String, JSONNode)] = [
            ("series", .string(fit.series)), ("model", .string(fit.model)), ("formula", .string(fit.formula)),
            ("n_points", .integer(fit.pointCount)), ("converged", .bool(fit.converged)),
            ("status", .string(fit.status.code)), ("status_detail", .string(fit.status.description)),
            ("objective", checked("objective", fit.objective)), ("chi_squared", .finite(fit.chiSquared)),
            ("aicc", .finite(fit.aicc)), ("bic", .finite(fit.bic)),
            ("degrees_of_freedom", .integer(fit.degreesOfFreedom)), ("condition_number", .finite(fit.conditionNumber)),
            ("space", .string(fit.space.rawValue)), ("loss", .string(fit.loss.description)),
            ("starts", .object([
                ("tried", .integer(fit.starts.tried)), ("converged", .integer(fit.starts.converged)),
                ("reached_best", .integer(fit.starts.reachedBest)),
                ("screen_iterations", fit.starts.screenIterations.map { .integer($0) } ?? .null),
                ("continued", fit.starts.continued.map { .integer($0) } ?? .null),
            ])),
            ("iterations", .integer(fit.iterations)),
            ("parameters", .array(parameters)), ("derived", .array(derived)),
            ("bootstrap_failures", fit.bootstrapFailures.map { .integer($0) } ?? .null),
            ("holdout", holdout), ("predictions", .array(predictions)),
        ]
        members += savedFitMembers(fit)
        if let selection = fit.selection { members.append(("selection", .string(selection))) }
        members.append(("warnings", .array(warnings.map { .string($0) })))
        return .object(members)
    }

    /// What `scalefit predict` and `scalefit optimal` need besides the estimates: the
    /// residual variance, the covariance (natural scale, law order) and the bootstrap
    /// replicates (each a list of parameter values in law order), or null.
    static func savedFitMembers(_ fit: FitResult) -> [(String, JSONNode)] {
        func rows(_ matrix: [[Double]]?) -> JSONNode {
            matrix.map { .array($0.map { .array($0.map { JSONNode.finite($0) }) }) } ?? .null
        }
        return [
            ("residual_variance", .finite(fit.residualVariance)),
            ("covariance", rows(fit.covariance)),
            ("bootstrap_replicates", rows(fit.bootstrapReplicates)),
        ]
    }

    /// A plain-text table per fit, for people.
    public static func table(_ fits: [FitResult], comparison: [FitResult] = [], truth: TruthFile? = nil) -> String {
        var out = ""
        for fit in fits {
            out += "\(fit.series): \(fit.model)  \(fit.formula)\n"
            if let selection = fit.selection { out += "  \(selection)\n" }
            out += "  \(fit.pointCount) points, \(fit.status), objective \(number(fit.objective)) (\(fit.space.rawValue) space, \(fit.loss))\n"
            out += "  AICc \(number(fit.aicc)), BIC \(number(fit.bic)); starts: \(fit.starts.description)\n"
            let rows = fit.parameters.map { p -> [String] in
                [p.name, number(p.value), number(p.standardError), interval(p.ci95), p.ci95 == nil ? "" : p.ci95Method?.rawValue ?? "", interval(p.bootstrapCI95), p.note ?? ""]
                    + (truth.map { [TruthFile.cell($0.check(p))] } ?? [])
            }
            out += columns(["parameter", "value", "stderr", "95% CI", "CI method", "bootstrap 95% CI", "note"] + (truth == nil ? [] : ["truth"]), rows, indent: 2)
            for d in fit.derived {
                out += "  \(d.name) = \(number(d.value))" + (d.ci95.map { "  95% CI \(interval($0))" } ?? "")
                    + (d.bootstrapCI95.map { "  bootstrap 95% CI \(interval($0))" } ?? "")
                    + (truth?.check(d).map { "  truth \(TruthFile.cell($0))" } ?? "") + "  (\(d.meaning))\n"
            }
            if let h = fit.holdout {
                out += "  hold-out (\(h.k) largest x): RMS log error \(number(h.rmsle))\n"
                for p in h.points {
                    out += "    x = \(number(p.x))\(p.x2.map { ", x2 = \(number($0))" } ?? ""): observed \(number(p.observed)), predicted \(number(p.predicted)), log error \(number(p.logError))\n"
                }
            }
            for p in fit.predictions {
                out += "  predict x = \(number(p.x))\(p.x2.map { ", x2 = \(number($0))" } ?? ""): \(number(p.value)); 95% confidence band (mean curve) \(interval(p.confidenceBand)); 95% prediction interval (a new run) \(interval(p.predictionInterval))\n"
            }
            for w in fit.warnings { out += "  warning: \(w)\n" }
            out += "\n"
        }
        if !comparison.isEmpty {
            out += "model comparison (best first):\n"
            let rows = comparison.map { f in
                [f.series, f.model, number(f.aicc), number(f.bic), f.converged ? "yes" : "no", number(f.holdout?.rmsle),
                 f.isRanked ? "" : "not ranked: " + (f.converged ? f.disqualification ?? "" : "not converged")]
            }
            out += columns(["series", "model", "AICc", "BIC", "converged", "hold-out RMSLE", "note"], rows, indent: 2)
        }
        return out
    }

    /// Six significant digits, `-` for nil, `nan`/`inf` spelled out: the tables' number format.
    public static func number(_ value: Double?) -> String {
        guard let value else { return "-" }
        guard value.isFinite else { return "\(value)" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e-3 && magnitude < 1e6 {
            // Six significant digits.
            let digits = max(0, 5 - Int((magnitude).log10Floor))
            return trimmed(value, digits: digits)
        }
        let exponent = Int((magnitude).log10Floor)
        let mantissa = value / pow10(exponent)
        return trimmed(mantissa, digits: 5) + "e" + String(exponent)
    }

    public static func interval(_ pair: (Double, Double)?) -> String {
        pair.map { "[\(number($0.0)), \(number($0.1))]" } ?? "-"
    }

    private static func trimmed(_ value: Double, digits: Int) -> String {
        let scale = pow10(digits)
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if text.contains("e") { return text }
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    private static func pow10(_ e: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(e) { result *= 10 }
        return e >= 0 ? result : 1 / result
    }

    static func columns(_ header: [String], _ rows: [[String]], indent: Int) -> String {
        let widths = header.indices.map { c in ([header[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            String(repeating: " ", count: indent)
                + cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingTrailingSpaces() + "\n"
        }
        return line(header) + rows.map(line).joined()
    }
}

extension Double {
    fileprivate var log10Floor: Double {
        var e = 0.0, v = self
        while v >= 10 { v /= 10; e += 1 }
        while v < 1 { v *= 10; e -= 1 }
        return e
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
