import Foundation
import ScalefitCore

extension TailReport {
    /// The report as one JSON document (`scalefit tail --json`).
    ///
    /// Schema (version 1; keys are fixed, more may be added):
    /// ```
    /// {"schema_version": 1, "tool": {"name", "version"}, "inputs": [{"path", "format", "rows"}],
    ///  "options": {"kind", "xmin", "xmin_range", "bootstrap", "seed" (a string: 64-bit),
    ///              "scale", "predict", "cut", "t0"},
    ///  "power_law": {"kind", "xmin", "alpha", "stderr", "ci95": [lo, hi], "n_tail", "n",
    ///                "ks_distance", "log_likelihood", "xmin_search": {"candidates", "range",
    ///                "position"}, "converged"},
    ///  "exponents": {"reported": "alpha", "alpha": "…meaning…", "zipf_beta": {"value",
    ///                "stderr", "ci95"}, "relation": "beta = 1/(alpha - 1)"},
    ///  "bootstrap": {"replicates", "seed", "gof_p", "fitted_replicates", "alpha_sd",
    ///                "xmin_sd", "alpha_central68": [p16, p84], "xmin_central68": [p16, p84]}
    ///                or null,
    ///  "comparisons": [{"alternative", "parameters": {name: value}, "log_likelihood",
    ///                   "R", "normalized_R", "p_value", "nested", "favoured", "converged"}],
    ///  "prediction": {"beta", "c": {"value", "ci95"}, "cuts": [{"source", "k": {…},
    ///                 "t0", "floor": {…}, "plateau_onset": {…}}]} or null,
    ///  "warnings": [{"code", "message"}]}
    /// ```
    /// A number that is not finite is written as `null`, and a `non_finite` warning names it.
    public func json(toolVersion: String, inputPath: String, inputFormat: TailInputFormat, rows: Int, scale: Double) -> String {
        var nonFinite: [String] = []
        func num(_ x: Double, _ name: String) -> JSONNode {
            if !x.isFinite { nonFinite.append(name) }
            return .number(x)
        }
        func interval(_ r: ClosedRange<Double>?, _ name: String) -> JSONNode {
            guard let r else { return .null }
            return .array([num(r.lowerBound, name + ".ci95[0]"), num(r.upperBound, name + ".ci95[1]")])
        }
        func interval68(_ r: ClosedRange<Double>?, _ name: String) -> JSONNode {
            guard let r else { return .null }
            return .array([num(r.lowerBound, name + "[0]"), num(r.upperBound, name + "[1]")])
        }
        func estimate(_ e: CollapsePrediction.Estimate, _ name: String) -> JSONNode {
            .object([("value", num(e.value, name)), ("ci95", interval(e.confidenceInterval95, name))])
        }
        let fitObject: JSONNode = .object([
            ("kind", .string(fit.kind.rawValue)),
            ("xmin", num(fit.xmin, "power_law.xmin")),
            ("alpha", num(fit.alpha, "power_law.alpha")),
            ("stderr", num(fit.standardError, "power_law.stderr")),
            ("ci95", interval(fit.confidenceInterval95, "power_law")),
            ("n_tail", .integer(fit.tailCount)),
            ("n", .integer(fit.sampleCount)),
            ("ks_distance", num(fit.ksDistance, "power_law.ks_distance")),
            ("log_likelihood", num(fit.logLikelihood, "power_law.log_likelihood")),
            ("xmin_search", .object([
                ("candidates", .integer(fit.candidateCount)),
                ("range", .array([num(fit.searchRange.lowerBound, "xmin_search.range[0]"), num(fit.searchRange.upperBound, "xmin_search.range[1]")])),
                ("position", .string(fit.xminPosition.rawValue)),
            ])),
            ("converged", .bool(fit.converged)),
        ])
        let exponents: JSONNode = .object([
            ("reported", .string("alpha")),
            ("alpha", .string("exponent of the distribution of values, p(x) ∝ x^(-alpha), x ≥ xmin")),
            ("zipf_beta", .object([
                ("value", num(zipf.beta, "zipf_beta")),
                ("stderr", num(zipf.standardError, "zipf_beta.stderr")),
                ("ci95", interval(zipf.confidenceInterval95, "zipf_beta")),
            ])),
            ("relation", .string("zipf_beta = 1/(alpha - 1): rank-frequency exponent, p_i ∝ i^(-beta)")),
        ])
        let bootstrapObject: JSONNode = bootstrap.map { b in
            .object([
                ("replicates", .integer(b.replicates)),
                ("seed", .string(String(b.seed))),
                ("gof_p", num(b.goodnessOfFitP, "bootstrap.gof_p")),
                ("fitted_replicates", .integer(b.fittedReplicates)),
                ("alpha_sd", num(b.alphaStandardDeviation, "bootstrap.alpha_sd")),
                ("xmin_sd", num(b.xminStandardDeviation, "bootstrap.xmin_sd")),
                ("alpha_central68", interval68(b.alphaCentral68, "bootstrap.alpha_central68")),
                ("xmin_central68", interval68(b.xminCentral68, "bootstrap.xmin_central68")),
            ])
        } ?? .null
        let comparisonArray: JSONNode = .array(comparisons.map { c in
            let name = "comparisons." + c.alternative.rawValue
            return .object([
                ("alternative", .string(c.alternative.rawValue)),
                ("parameters", .object(zip(c.alternative.parameterNames, c.parameters).map { ($0.0, num($0.1, name + "." + $0.0)) })),
                ("log_likelihood", num(c.logLikelihood, name + ".log_likelihood")),
                ("R", num(c.logLikelihoodRatio, name + ".R")),
                ("normalized_R", num(c.normalizedRatio, name + ".normalized_R")),
                ("p_value", num(c.pValue, name + ".p_value")),
                ("nested", .bool(c.nested)),
                ("favoured", .string(c.favoured.rawValue)),
                ("converged", .bool(c.converged)),
            ])
        })
        let predictionObject: JSONNode = prediction.map { p in
            .object([
                ("beta", num(p.beta, "prediction.beta")),
                ("c", estimate(p.cleanExponent, "prediction.c")),
                ("cuts", .array(p.cuts.map { cut in
                    .object([
                        ("source", .string(cut.source)),
                        ("k", estimate(cut.k, "prediction.k")),
                        ("t0", cut.t0.map { num($0, "prediction.t0") } ?? .null),
                        ("floor", estimate(cut.floor, "prediction.floor")),
                        ("plateau_onset", estimate(cut.plateauOnset, "prediction.plateau_onset")),
                    ])
                })),
            ])
        } ?? .null
        let optionsObject: JSONNode = .object([
            ("kind", .string(options.kind?.rawValue ?? "auto")),
            ("xmin", options.xmin.map { .number($0) } ?? .string("auto")),
            ("xmin_range", options.xminSearchRange.map { .array([.number($0.lowerBound), .number($0.upperBound)]) } ?? .null),
            ("bootstrap", .integer(options.bootstrapReplicates)),
            ("seed", .string(String(options.seed))),
            ("scale", .number(scale)),
            ("predict", .bool(options.predict)),
            ("cut", options.cut.map { .integer($0) } ?? .null),
            ("t0", options.t0.map { .number($0) } ?? .null),
        ])
        var allWarnings = warnings
        // Build everything first so that the non-finite names are known.
        var document: [(String, JSONNode)] = [
            ("schema_version", .integer(1)),
            ("tool", .object([("name", .string("scalefit")), ("version", .string(toolVersion))])),
            ("inputs", .array([.object([("path", .string(inputPath)), ("format", .string(inputFormat.rawValue)), ("rows", .integer(rows))])])),
            ("options", optionsObject),
            ("power_law", fitObject),
            ("exponents", exponents),
            ("bootstrap", bootstrapObject),
            ("comparisons", comparisonArray),
            ("prediction", predictionObject),
        ]
        if !nonFinite.isEmpty {
            allWarnings.append(TailWarning(.nonFinite, "not finite, written as null: " + nonFinite.joined(separator: ", ")))
        }
        document.append(("warnings", .array(allWarnings.map { .object([("code", .string($0.code.rawValue)), ("message", .string($0.message))]) })))
        return JSONNode.object(document).rendered(layout: .numberArraysInline) + "\n"
    }
}
