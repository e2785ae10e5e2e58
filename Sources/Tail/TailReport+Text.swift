import Foundation

extension TailReport {
    /// The human-readable report `scalefit tail` prints (warnings go to stderr separately).
    public func text(inputPath: String, scale: Double) -> String {
        func f(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : "n/a" }
        func range(_ r: ClosedRange<Double>?) -> String {
            guard let r else { return "n/a" }
            return "[\(f(r.lowerBound)), \(f(r.upperBound))]"
        }
        var lines: [String] = []
        let scaleNote = scale == 1 ? "" : " (values × \(f(scale)))"
        lines.append("scalefit tail: \(inputPath)\(scaleNote), \(fit.kind.rawValue) power law (Clauset, Shalizi & Newman 2009)")
        let how: String
        switch fit.xminPosition {
        case .fixed: how = "given"
        default: how = "minimises the KS distance over \(fit.candidateCount) candidates in [\(f(fit.searchRange.lowerBound)), \(f(fit.searchRange.upperBound))]"
        }
        lines.append("  x_min     = \(f(fit.xmin))  (\(how))")
        lines.append("  n_tail    = \(fit.tailCount) of \(fit.sampleCount)")
        lines.append("  alpha     = \(f(fit.alpha)) ± \(f(fit.standardError))  95% CI \(range(fit.confidenceInterval95))")
        lines.append("              reported: alpha, the exponent of the distribution of values, p(x) ∝ x^-alpha")
        lines.append("  zipf beta = \(f(zipf.beta)) ± \(f(zipf.standardError))  95% CI \(range(zipf.confidenceInterval95))")
        lines.append("              rank-frequency exponent p_i ∝ i^-beta, beta = 1/(alpha - 1)")
        lines.append("  KS distance D = \(f(fit.ksDistance))")
        if let b = bootstrap {
            lines.append("  bootstrap (\(b.replicates) replicates, seed \(b.seed)): goodness-of-fit p = \(f(b.goodnessOfFitP))"
                + (b.goodnessOfFitP <= 0.1 ? "  (p ≤ 0.1: power law ruled out)" : "  (p > 0.1: power law plausible)"))
            lines.append("              resampled spread: sd(alpha) = \(f(b.alphaStandardDeviation)), sd(x_min) = \(f(b.xminStandardDeviation))")
            lines.append("              central 68%: alpha \(range(b.alphaCentral68)), x_min \(range(b.xminCentral68))")
        }
        if !comparisons.isEmpty {
            lines.append("  likelihood-ratio tests (R > 0 favours the power law; p < 0.1 to be conclusive):")
            lines.append("    alternative             R          normalized R   p          favoured")
            for c in comparisons {
                let name = c.alternative.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
                let r = f(c.logLikelihoodRatio).padding(toLength: 10, withPad: " ", startingAt: 0)
                let z = (c.nested ? "(nested)" : f(c.normalizedRatio)).padding(toLength: 14, withPad: " ", startingAt: 0)
                let p = f(c.pValue).padding(toLength: 10, withPad: " ", startingAt: 0)
                lines.append("    \(name)  \(r) \(z) \(p) \(c.favoured.rawValue)")
            }
        }
        if let p = prediction {
            lines.append("  collapse prediction (docs/collapse-models.md §1, with beta = \(f(p.beta))):")
            lines.append("    clean scaling exponent c = 1 - 1/beta = \(f(p.cleanExponent.value))  95% CI \(range(p.cleanExponent.confidenceInterval95))")
            for cut in p.cuts {
                let head = cut.source == "t0"
                    ? "generator trained on T0 = \(f(cut.t0 ?? .nan)) samples ≍ tail cut at k ≈ T0^(1/beta) = \(f(cut.k.value)) (order of magnitude)"
                    : "tail cut at k = \(f(cut.k.value))"
                lines.append("    \(head):")
                lines.append("      floor  sum_{i>k} p_i = zeta(beta, k+1)/zeta(beta) = \(f(cut.floor.value))  95% CI \(range(cut.floor.confidenceInterval95))")
                lines.append("      plateau begins near T1 ≈ k^beta·zeta(beta) = \(f(cut.plateauOnset.value)) samples  95% CI \(range(cut.plateauOnset.confidenceInterval95))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
