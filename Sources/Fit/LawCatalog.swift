import ScalefitCore

/// The zoo: every law by name, and model selection across the laws that apply.
public enum LawCatalog {
    /// Every law, in the order `scalefit models` lists them.
    public static let all: [any ScalingLaw] = [
        PowerLaw(), SaturatingLaw(), BrokenPowerLaw(breaks: 1), BrokenPowerLaw(breaks: 2), BrokenPowerLaw(breaks: 3),
        M3Law(), M4Law(), ChinchillaLaw(), KaplanLaw(), DataConstrainedLaw(), ExactTailCutLaw(), ExactNarrowingLaw(), ExactMixingLaw(),
        TailCutLaw(), NarrowingLaw(), MixingLaw(),
        GenerationLaw(.linear), GenerationLaw(.power), GenerationLaw(.log),
        AccuracyLaw(.exponential), AccuracyLaw(.sigmoid),
    ]

    /// Names that select a group of laws compared by AICc rather than one law.
    public static let groups: [String: String] = [
        "auto": "the laws that apply to the data, compared by AICc",
        "generations": "floor vs generation: linear, power and log forms, compared by AICc",
    ]

    /// Whether a collapse law is the memoriser's exact curve or the papers' asymptotic form
    /// (docs/collapse-theory.md), as `scalefit models` states it; nil for other laws.
    public static func theoryKind(_ name: String) -> String? {
        switch name {
        case "tailcut", "narrowing", "mixing":
            "exact: the memoriser's expected error itself (fits generator curves without bias)"
        case "tailcut-asymptotic", "narrowing-asymptotic", "mixing-asymptotic":
            "asymptotic: the papers' ≍ form (crossover dropped); biased on exact curves"
        default: nil
        }
    }

    /// The law called `name` (`broken` means `broken1`).
    public static func law(named name: String) -> (any ScalingLaw)? {
        let wanted = name == "broken" ? "broken1" : name.lowercased()
        return all.first { $0.name == wanted }
    }

    /// The candidate laws for `auto` on data with `inputCount` inputs and `pointCount` points.
    public static func candidates(inputCount: Int, pointCount: Int) -> [any ScalingLaw] {
        if inputCount == 2 { return [ChinchillaLaw()] }
        var list: [any ScalingLaw] = [PowerLaw(), SaturatingLaw(), M3Law(), M4Law()]
        if pointCount >= 8 { list.append(BrokenPowerLaw(breaks: 1)) }
        // More breaks only where the data leave a few points per parameter; they are ranked
        // only when they converge, like every law.
        // Above 200 points their multi-start search costs tens of seconds (9 and 12
        // parameters, 50–80 starts), so `auto` leaves them to `--model broken2|broken3`.
        if (14...200).contains(pointCount) { list.append(BrokenPowerLaw(breaks: 2)) }
        if (20...200).contains(pointCount) { list.append(BrokenPowerLaw(breaks: 3)) }
        return list
    }

    /// The options a law is fitted with when the caller left the iteration cap at its
    /// default: broken1 gets ``brokenIterations``. A break beyond the data (or a sharp
    /// one) leaves a curved valley along its (c_k, d_k) that Levenberg–Marquardt follows in
    /// many short steps: on the BNSL 4-digit-addition simulation (Caballero et al. 2022)
    /// broken1 stops at the default 400 iterations short of the optimum and converges within
    /// 2,000.
    public static func options(for law: any ScalingLaw, _ options: FitOptions) -> FitOptions {
        var options = options
        if (law as? BrokenPowerLaw)?.breaks == 1, options.solver.maxIterations == FitOptions().solver.maxIterations {
            options.solver.maxIterations = brokenIterations
        }
        return options
    }

    /// A fit that stopped rank-deficient with parameters at a bound of their domain (a floor
    /// run to 0): the Jacobian loses those columns, so the solver cannot call it converged.
    /// Refitted with them fixed at the bound, from the fit's own point; returned only when
    /// that converges, with a warning naming what was fixed (the boundary sub-model, whose
    /// AICc counts the parameters still free).
    public static func refitAtBounds(_ law: any ScalingLaw, _ fit: FitResult, _ series: Series, options: FitOptions) throws -> FitResult? {
        guard case .rankDeficient = fit.status else { return nil }
        let atBound = fit.parameters.filter { if case .atBound = $0.errorBar { true } else { false } }
        guard !atBound.isEmpty else { return nil }
        var options = options
        var start = fit.values
        for p in atBound {
            guard let j = law.parameterNames.firstIndex(of: p.name), let domain = law.parameters.first(where: { $0.name == p.name })?.domain else { return nil }
            let bound: Double
            switch domain {
            case .nonNegative: bound = 0
            default: return nil  // open intervals have no attainable bound
            }
            options.fixed[p.name] = bound
            start[j] = bound
        }
        options.starts = [start]
        options.start = nil
        guard var again = try? law.fit(to: series, options: options), again.converged else { return nil }
        again.warnings.append(atBound.map(\.name).joined(separator: ", ") + " ran to the bound 0 of " + (atBound.count == 1 ? "its" : "their") + " domain (the free fit was rank-deficient there): refitted with " + (atBound.count == 1 ? "it" : "them") + " fixed at 0")
        return again
    }

    /// The iteration cap of broken1 (see ``options(for:_:)``). broken2 and broken3 keep the
    /// default: on the same data 3,000 iterations cost them 70 and 170 s and still end
    /// rank-deficient (a second break is not identified by a one-break curve).
    public static let brokenIterations = 3000

    /// Why a converged fit's estimates are absurd for these data, or nil: a parameter more
    /// than 20 orders of magnitude beyond every magnitude in the data (x, x2, y), or a
    /// break of a broken law further beyond the data's x range than the range spans
    /// (in decades). Such a fit is not ranked (Sources/Fit/LawCatalog.swift, `compare`).
    public static func absurdity(of fit: FitResult, on series: Series) -> String? {
        let magnitudes = (series.x + (series.x2 ?? []) + series.values).map(abs).filter { $0 > 0 && $0.isFinite }
        guard let largest = magnitudes.max(), let lo = series.x.min(), let hi = series.x.max(), lo > 0, hi > lo else { return nil }
        var reasons: [String] = []
        for p in fit.parameters where p.note != "fixed" {
            guard p.value.isFinite else { reasons.append("\(p.name) is not finite"); continue }
            if abs(p.value) > 1e20 * largest {
                reasons.append("\(p.name) = \(String(format: "%.3g", p.value)) lies more than 20 orders of magnitude beyond the data (largest |value| \(String(format: "%.3g", largest)))")
            }
        }
        if fit.model.hasPrefix("broken") {
            let span = hi / lo
            for p in fit.parameters where p.name.hasPrefix("d") && p.note != "fixed" && p.value.isFinite {
                if p.value > hi * span || p.value < lo / span {
                    reasons.append("break \(p.name) = \(String(format: "%.3g", p.value)) lies further beyond the data (x \(String(format: "%.3g", lo))–\(String(format: "%.3g", hi))) than the data span")
                }
            }
        }
        return reasons.isEmpty ? nil : "absurd estimates: " + reasons.joined(separator: "; ")
    }

    /// Fits every law in `laws` and returns the fits, best (lowest AICc, then BIC) first.
    /// Laws that cannot take the data are skipped; their reasons come back in `skipped`.
    public static func compare(
        _ laws: [any ScalingLaw], on series: Series, options: FitOptions
    ) -> (fits: [FitResult], skipped: [(law: String, reason: String)]) {
        if series.count > options.longSeriesThreshold, series.count > LongSeries.sampleSize {
            return compareLong(laws, on: series, options: options)
        }
        var fits: [FitResult] = []
        var skipped: [(String, String)] = []
        for law in laws {
            var lawOptions = options
            // Fixes and ties name parameters of particular laws; keep the ones that apply.
            let names = Set(law.parameterNames)
            lawOptions.fixed = options.fixed.filter { names.contains($0.key) }
            lawOptions.tied = options.tied.filter { names.contains($0.key) && names.contains($0.value) }
            do {
                var fit = try law.fit(to: series, options: Self.options(for: law, lawOptions))
                if !fit.converged, let bounded = try refitAtBounds(law, fit, series, options: Self.options(for: law, lawOptions)) { fit = bounded }
                if fit.converged { fit.disqualification = absurdity(of: fit, on: series) }
                fits.append(fit)
            } catch {
                skipped.append((law.name, "\(error)"))
            }
        }
        fits.sort { a, b in
            if a.isRanked != b.isRanked { return a.isRanked }
            if a.converged != b.converged { return a.converged }
            let x = a.aicc ?? .infinity, y = b.aicc ?? .infinity
            return x != y ? x < y : a.bic < b.bic
        }
        // Laws within ΔAICc ≤ 2 of the best are statistically indistinguishable (Burnham &
        // Anderson 2002); among them prefer the better extrapolator. M4 is the strongest
        // published one on the revisiting benchmark (Alabdulmohsin et al. 2022).
        if let best = fits.first, best.isRanked, let bestScore = best.aicc {
            let close = fits.prefix { $0.isRanked && ($0.aicc ?? .infinity) <= bestScore + 2 }
            if let preferred = close.min(by: { extrapolationRank($0.model) < extrapolationRank($1.model) }),
               let index = fits.firstIndex(where: { $0.model == preferred.model }) {
                fits.insert(fits.remove(at: index), at: 0)
            }
        }
        return (fits, skipped)
    }

    /// The rule `compare` applied, in words, for the chosen fit (the first of `ranked`):
    /// lowest AICc among converged fits, and among laws within ΔAICc ≤ 2 of it the better
    /// extrapolator, with every law's ΔAICc; unconverged fits are named as not ranked.
    public static func selectionNote(_ ranked: [FitResult]) -> String {
        guard let chosen = ranked.first else { return "no law could be fitted" }
        let best = ranked.filter(\.isRanked).compactMap(\.aicc).min()
        let deltas = ranked.filter(\.isRanked).map { f in
            "\(f.model) \(best.flatMap { b in f.aicc.map { String(format: "%+.3g", $0 - b) } } ?? "-")"
        }
        let unranked = ranked.filter { !$0.isRanked }.map { f in
            "\(f.model) (" + (f.converged ? f.disqualification ?? "" : "not converged: \(f.status)") + ")"
        }
        var text: String
        if chosen.isRanked {
            text = "\(chosen.model) chosen by the rule: lowest AICc among the converged fits with sensible estimates, except that among laws within ΔAICc ≤ 2 of the lowest (indistinguishable, Burnham & Anderson 2002) the better extrapolator wins (m4, saturating, m3, broken1, power, then the rest); ΔAICc: " + deltas.joined(separator: ", ")
        } else {
            text = "no law could be ranked (none converged with sensible estimates); \(chosen.model) is shown as the lowest-AICc attempt, not as a result"
        }
        if !unranked.isEmpty { text += "; not ranked: " + unranked.joined(separator: ", ") }
        return text
    }

    /// Preference among laws that fit equally well: lower extrapolates better.
    static func extrapolationRank(_ model: String) -> Int {
        ["m4": 0, "saturating": 1, "m3": 2, "broken1": 3, "power": 4][model] ?? 5
    }
}
