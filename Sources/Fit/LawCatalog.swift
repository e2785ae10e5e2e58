import ScalefitCore

/// The zoo: every law by name, and model selection across the laws that apply.
public enum LawCatalog {
    /// Every law, in the order `scalefit models` lists them.
    public static let all: [any ScalingLaw] = [
        PowerLaw(), SaturatingLaw(), BrokenPowerLaw(breaks: 1), BrokenPowerLaw(breaks: 2), BrokenPowerLaw(breaks: 3),
        M3Law(), M4Law(), ChinchillaLaw(), TailCutLaw(), NarrowingLaw(), MixingLaw(),
        GenerationLaw(.linear), GenerationLaw(.power), GenerationLaw(.log),
    ]

    /// Names that select a group of laws compared by AICc rather than one law.
    public static let groups: [String: String] = [
        "auto": "the laws that apply to the data, compared by AICc",
        "generations": "floor vs generation: linear, power and log forms, compared by AICc",
    ]

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

    /// Preference among laws that fit equally well: lower extrapolates better.
    static func extrapolationRank(_ model: String) -> Int {
        ["m4": 0, "saturating": 1, "m3": 2, "broken1": 3, "power": 4][model] ?? 5
    }
}
