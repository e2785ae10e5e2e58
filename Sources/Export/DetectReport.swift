import Detect
import Fit
import ScalefitCore

/// Renders verdicts as the `scalefit detect --json` document and as text.
///
/// Schema (`schema_version` 1; fixed keys from docs/design.md's output contract):
/// ```
/// { "schema_version": 1, "tool": {…}, "inputs": [{"path", "sha256"}], "criteria": {…},
///   "verdicts": [{ "series", "verdict": "scaling|saturating|plateaued|collapsed|grokking|degrading",
///     "breakpoints": [{"x", "ci95": [lo, hi] | null, "meaning", "inside_data"}],
///     "plateau": {"level", "from_x", "to_x"} | null, "scaling_stops": x | null,
///     "evidence": {"chosen_model", "reasons": […], "segments": [{"from_x", "to_x", "slope", "ci95"}],
///                  "models": [{"model", "aicc", "delta_aicc", "converged", "holdout_rmsle"}]},
///     "warnings": […] }],
///   "references": [{"series", "reference", "separates_at", "exponent_ratio", "implied_beta",
///                   "implied_narrowed_beta", "implied_cut", "synthetic_floor", "gaps": [{"x", "gap"}]}],
///   "families": [{"column", "members": [{"series", "key", "exponent", "floor", "floor_ci95"}],
///                 "floor_laws": [{"model", "aicc", "parameters": {…}}]}] }
/// ```
/// NaN and ±∞ are written as `null`.
public enum DetectReport {
    public static func json(
        verdicts: [Verdict], references: [ReferenceComparison], families: [FamilyAnalysis], inputs: [InputRecord],
        criteria: DetectionCriteria, toolVersion: String
    ) -> JSONNode {
        var document: [(String, JSONNode)] = [
            ("schema_version", .integer(1)),
            ("tool", .object([("name", .string("scalefit")), ("version", .string(toolVersion))])),
            ("inputs", .array(inputs.map { .object([("path", .string($0.path)), ("sha256", .string($0.sha256))]) })),
            ("criteria", .object([
                ("flat_ratio", .number(criteria.flatRatio)),
                ("min_plateau_decades", .number(criteria.minimumPlateauDecades)),
                ("stop_fraction", .number(criteria.stopFraction)), ("aicc_margin", .number(criteria.aiccMargin)),
                ("holdout", .integer(criteria.holdout)),
            ])),
            ("verdicts", .array(verdicts.map(verdictObject))),
        ]
        if !references.isEmpty { document.append(("references", .array(references.map(referenceObject)))) }
        if !families.isEmpty { document.append(("families", .array(families.map(familyObject)))) }
        return .object(document)
    }

    static func verdictObject(_ v: Verdict) -> JSONNode {
        let plateau: JSONNode = v.plateau.map {
            .object([("level", .finite($0.level)), ("from_x", .finite($0.fromX)), ("to_x", .finite($0.toX))])
        } ?? .null
        let evidence: JSONNode = .object([
            ("chosen_model", .string(v.chosenModel)),
            ("reasons", .array(v.reasons.map { .string($0) })),
            ("segments", .array(v.segments.map { s in
                .object([("from_x", .finite(s.fromX)), ("to_x", .finite(s.toX)), ("slope", .finite(s.slope)), ("ci95", .pair(s.ci95))])
            })),
            ("models", .array(v.models.map { m in
                .object([
                    ("model", .string(m.model)), ("aicc", .finite(m.aicc)), ("delta_aicc", .finite(m.deltaAICc)),
                    ("converged", .bool(m.converged)), ("holdout_rmsle", .finite(m.holdoutRMSLE)),
                ])
            })),
            ("fit", v.fit.map(FitReport.fitObject) ?? .null),
        ])
        return .object([
            ("series", .string(v.series)), ("verdict", .string(v.kind.rawValue)),
            ("breakpoints", .array(v.breakpoints.map { b in
                .object([("x", .finite(b.x)), ("ci95", .pair(b.ci95)), ("meaning", .string(b.meaning)), ("inside_data", .bool(b.insideData))])
            })),
            ("plateau", plateau), ("scaling_stops", .finite(v.scalingStops)), ("evidence", evidence),
            ("warnings", .array(v.warnings.map { .string($0) })),
        ])
    }

    static func referenceObject(_ r: ReferenceComparison) -> JSONNode {
        .object([
            ("series", .string(r.series)), ("reference", .string(r.reference)), ("separates_at", .finite(r.separatesAt)),
            ("separation_threshold", .number(r.separationThreshold)),
            ("clean_exponent", .finite(r.cleanExponent)), ("synthetic_exponent", .finite(r.syntheticExponent)),
            ("exponent_ratio", .finite(r.exponentRatio)), ("implied_beta", .finite(r.impliedBeta)),
            ("implied_narrowed_beta", .finite(r.impliedNarrowedBeta)), ("implied_cut", .finite(r.impliedCut)),
            ("synthetic_floor", .finite(r.syntheticFloor)),
            ("gaps", .array(r.gaps.map { .object([("x", .finite($0.x)), ("gap", .finite($0.gap))]) })),
            ("warnings", .array(r.warnings.map { .string($0) })),
        ])
    }

    static func familyObject(_ f: FamilyAnalysis) -> JSONNode {
        .object([
            ("column", .string(f.column)),
            ("members", .array(f.members.map { m in
                .object([
                    ("series", .string(m.series)), ("key", .finite(m.key)), ("exponent", .finite(m.exponent)),
                    ("floor", .finite(m.floor)), ("floor_ci95", .pair(m.floorCI95)),
                ])
            })),
            ("floor_laws", .array(f.floorLaws.map { fit in
                .object([
                    ("model", .string(fit.model)), ("formula", .string(fit.formula)), ("aicc", .finite(fit.aicc)),
                    ("converged", .bool(fit.converged)),
                    ("parameters", .object(fit.parameters.map { ($0.name, JSONNode.finite($0.value)) })),
                ])
            })),
            ("warnings", .array(f.warnings.map { .string($0) })),
        ])
    }

    /// Text for people.
    public static func text(verdicts: [Verdict], references: [ReferenceComparison], families: [FamilyAnalysis]) -> String {
        var out = ""
        for v in verdicts {
            out += "\(v.series): \(v.kind.rawValue.uppercased())  (law: \(v.chosenModel))\n"
            for r in v.reasons { out += "  because \(r)\n" }
            for b in v.breakpoints {
                out += "  breakpoint x = \(FitReport.number(b.x)) \(FitReport.interval(b.ci95)): \(b.meaning)\n"
            }
            if let p = v.plateau {
                out += "  plateau at \(FitReport.number(p.level)) from x = \(FitReport.number(p.fromX))" + (p.toX.map { " to \(FitReport.number($0))" } ?? " to the end of the data") + "\n"
            }
            if let stop = v.scalingStops { out += "  scaling stops (decreasing part < the stated fraction of the floor) at x = \(FitReport.number(stop))\n" }
            for s in v.segments {
                out += "  segment \(FitReport.number(s.fromX))–\(FitReport.number(s.toX)): log–log slope \(FitReport.number(s.slope)) \(FitReport.interval(s.ci95))\n"
            }
            out += "  models (ΔAICc from the best converged law): " + v.models.map { m in
                m.converged
                    ? "\(m.model) ΔAICc \(FitReport.number(m.deltaAICc))" + (m.holdoutRMSLE.map { " hold-out RMSLE \(FitReport.number($0))" } ?? "")
                    : "\(m.model) not converged"
            }.joined(separator: "; ") + "\n"
            for w in v.warnings { out += "  warning: \(w)\n" }
            out += "\n"
        }
        for r in references {
            out += "\(r.series) vs reference \(r.reference):\n"
            out += "  separates (gap > \(FitReport.number(r.separationThreshold))) at x = \(FitReport.number(r.separatesAt))\n"
            out += "  exponents: clean \(FitReport.number(r.cleanExponent)), synthetic \(FitReport.number(r.syntheticExponent)), ratio \(FitReport.number(r.exponentRatio))\n"
            out += "  implied: β \(FitReport.number(r.impliedBeta)), narrowed β′ \(FitReport.number(r.impliedNarrowedBeta)), tail cut k \(FitReport.number(r.impliedCut)) (floor \(FitReport.number(r.syntheticFloor)))\n"
            for w in r.warnings { out += "  warning: \(w)\n" }
            out += "\n"
        }
        for f in families {
            out += "family by \(f.column):\n"
            for m in f.members {
                out += "  \(f.column) = \(FitReport.number(m.key)): exponent \(FitReport.number(m.exponent)), floor \(FitReport.number(m.floor)) \(FitReport.interval(m.floorCI95))\n"
            }
            if let selection = f.floorLaws.first?.selection { out += "  floor law: \(selection)\n" }
            for fit in f.floorLaws {
                out += "  floor law \(fit.model) (\(fit.formula)): AICc \(FitReport.number(fit.aicc)); " + fit.parameters.map { "\($0.name) = \(FitReport.number($0.value))" }.joined(separator: ", ") + "\n"
            }
            for w in f.warnings { out += "  warning: \(w)\n" }
            out += "\n"
        }
        return out
    }
}
