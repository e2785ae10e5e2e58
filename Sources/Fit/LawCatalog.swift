import ScalefitCore

/// The zoo: every law by name, and model selection across the laws that apply.
public enum LawCatalog {
    /// Every law, in the order `scalefit models` lists them.
    public static let all: [any ScalingLaw] = [
        PowerLaw(), SaturatingLaw(), BrokenPowerLaw(breaks: 1), BrokenPowerLaw(breaks: 2), BrokenPowerLaw(breaks: 3),
        M3Law(), M4Law(), ChinchillaLaw(), KaplanLaw(), DataConstrainedLaw(), ExactTailCutLaw(), ExactNarrowingLaw(), ExactMixingLaw(),
        TailCutLaw(), NarrowingLaw(), MixingLaw(),
        GenerationLaw(.linear), GenerationLaw(.power), GenerationLaw(.log),
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
        return list
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
                fits.append(try law.fit(to: series, options: lawOptions))
            } catch {
                skipped.append((law.name, "\(error)"))
            }
        }
        fits.sort { a, b in
            if a.converged != b.converged { return a.converged }
            let x = a.aicc ?? .infinity, y = b.aicc ?? .infinity
            return x != y ? x < y : a.bic < b.bic
        }
        // Laws within ΔAICc ≤ 2 of the best are statistically indistinguishable (Burnham &
        // Anderson 2002); among them prefer the better extrapolator. M4 is the strongest
        // published one on the revisiting benchmark (Alabdulmohsin et al. 2022).
        if let best = fits.first, best.converged, let bestScore = best.aicc {
            let close = fits.prefix { $0.converged && ($0.aicc ?? .infinity) <= bestScore + 2 }
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
        let best = ranked.filter(\.converged).compactMap(\.aicc).min()
        let deltas = ranked.filter(\.converged).map { f in
            "\(f.model) \(best.flatMap { b in f.aicc.map { String(format: "%+.3g", $0 - b) } } ?? "-")"
        }
        let unconverged = ranked.filter { !$0.converged }.map(\.model)
        var text = "\(chosen.model) chosen among the converged fits by AICc: lowest AICc, and among laws within ΔAICc ≤ 2 of the lowest (indistinguishable, Burnham & Anderson 2002) the better extrapolator (m4, saturating, m3, broken1, power, then the rest); ΔAICc: " + deltas.joined(separator: ", ")
        if !unconverged.isEmpty { text += "; not converged, not ranked: " + unconverged.joined(separator: ", ") }
        return text
    }

    /// Preference among laws that fit equally well: lower extrapolates better.
    static func extrapolationRank(_ model: String) -> Int {
        ["m4": 0, "saturating": 1, "m3": 2, "broken1": 3, "power": 4][model] ?? 5
    }
}
