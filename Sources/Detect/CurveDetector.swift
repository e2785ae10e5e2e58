import Foundation
import Fit
import ScalefitCore

/// Classifies one curve as scaling, saturating, collapsed, grokking or degrading.
///
/// The procedure (every threshold is in ``DetectionCriteria``):
/// 1. Fit, in log space, a power law, a saturating law, and smoothly broken power laws with
///    one and two breaks (floor fixed at 0, so a plateau must show as a flat segment). Each
///    fit starts from the best point of a profile search (``ProfileStarts``); one that
///    cannot win on AICc is stopped after a short screen.
/// 2. Choose the simplest law unless a more complex one lowers AICc by more than
///    ``DetectionCriteria/aiccMargin`` (order: power, saturating, broken1, broken2).
/// 3. Read the verdict off the chosen law: the sign and significance of the exponent
///    (power), how far inside the data the curve gets onto its floor (saturating), or the
///    slopes of the segments between breaks (broken), and the local slope of the fitted
///    curve at the end of the data: a segment with |slope| below
///    ``DetectionCriteria/plateauSlope`` is flat, and a plateau must last at least
///    ``DetectionCriteria/minimumPlateauDecades`` decades inside the data.
public struct CurveDetector: Sendable {
    public var criteria: DetectionCriteria
    /// Threads for each fit's multi-start (results do not depend on it).
    public var threads: Int?

    public init(criteria: DetectionCriteria = .init(), threads: Int? = nil) {
        self.criteria = criteria
        self.threads = threads
    }

    /// The laws compared, simplest first, with the options each is fitted with.
    func candidates(pointCount: Int) -> [(law: any ScalingLaw, fixed: [String: Double])] {
        var list: [(any ScalingLaw, [String: Double])] = [(PowerLaw(), [:]), (SaturatingLaw(), [:])]
        if pointCount >= 7 { list.append((BrokenPowerLaw(breaks: 1), ["E": 0])) }
        if pointCount >= 12 { list.append((BrokenPowerLaw(breaks: 2), ["E": 0])) }
        return list
    }

    // Search settings, chosen on the validation set (benchmarks/detect): the profile grids
    // place one start per law close enough that a short screen settles most fits.
    /// Break locations tried inside the data, per number of breaks.
    static let breakLocations = [1: 24, 2: 16]
    /// Starts per law, the best of its profile search first.
    static let saturatingStarts = 1
    static let brokenStarts = [1: 1, 2: 1]
    /// Iteration caps of the screen, and of the polish of a fit that could still win.
    static let screenIterations = 30
    static let brokenScreenIterations = 40
    static let polishIterations = 200
    /// How close (in AICc) to winning a screened fit must be to be polished: the polish
    /// lowered AICc by less than 2 in the validation, nearly always by less than 0.5.
    static let polishSlack = 2.0

    /// A fit in two stages: every start with a small iteration cap, then, only when the
    /// best screened fit has not converged and `worthPolishing` says it could matter, a
    /// polish from it with the full cap.
    func staged(
        _ law: any ScalingLaw, _ series: Series, options: FitOptions, screenIterations: Int,
        worthPolishing: (FitResult) -> Bool
    ) throws -> FitResult {
        guard screenIterations < options.solver.maxIterations else { return try law.fit(to: series, options: options) }
        var screen = options
        screen.solver.maxIterations = screenIterations
        screen.retriesUnconverged = false  // capped on purpose; the polish runs the full search
        let first = try law.fit(to: series, options: screen)
        guard !first.converged, worthPolishing(first) else { return first }
        return try polish(law, series, from: first, options: options)
    }

    /// Refits from an unconverged fit's parameters with the full iteration cap; keeps the
    /// better of the two (a converged fit first).
    func polish(_ law: any ScalingLaw, _ series: Series, from first: FitResult, options: FitOptions) throws -> FitResult {
        var full = options
        full.starts = [first.values]
        let second = try law.fit(to: series, options: full)
        return second.converged || !(first.objective < second.objective) ? second : first
    }

    private func evidence(_ fit: FitResult, best: Double?) -> ModelEvidence {
        ModelEvidence(
            model: fit.model, aicc: fit.aicc, deltaAICc: fit.aicc.flatMap { a in best.map { a - $0 } },
            converged: fit.converged, holdoutRMSLE: nil)
    }

    /// The verdict on `series`.
    /// - Throws: ``FitError`` when the data cannot be fitted at all (too few points,
    ///   values ≤ 0).
    public func verdict(on input: Series) throws -> Verdict {
        let series = input.sortedByX()
        guard series.count >= 4 else {
            throw FitError("\(series.name): detection needs at least 4 points, got \(series.count)")
        }
        var fits: [(law: any ScalingLaw, fit: FitResult)] = []
        var warnings: [String] = []
        let profile = ProfileStarts(x: series.x, y: series.values, weights: series.weights)
        for (law, fixed) in candidates(pointCount: series.count) {
            var options = FitOptions()
            options.fixed = fixed
            options.threads = threads
            options.solver.maxIterations = Self.polishIterations
            var screenIterations = Self.screenIterations
            if law is SaturatingLaw {
                options.starts = profile.saturating(keep: Self.saturatingStarts)
            }
            if let broken = law as? BrokenPowerLaw {
                // Two breaks only when one break already beats the smooth laws: a clean power
                // law never pays for the most expensive fit.
                if broken.breaks == 2 {
                    let smooth = fits.filter { !($0.law is BrokenPowerLaw) }.compactMap { $0.fit.aicc }.min() ?? .infinity
                    let oneBreak = fits.first { $0.law is BrokenPowerLaw }?.fit.aicc ?? .infinity
                    if !(oneBreak < smooth - criteria.aiccMargin) { continue }
                }
                options.starts = profile.broken(
                    breaks: broken.breaks, locations: Self.breakLocations[broken.breaks]!, keep: Self.brokenStarts[broken.breaks]!
                ).starts
                screenIterations = Self.brokenScreenIterations
            }
            if law is PowerLaw { screenIterations = options.solver.maxIterations }
            // No usable start from the profile search (e.g. zero weights): the law's own grid.
            if options.starts?.isEmpty == true { options.starts = nil; screenIterations = options.solver.maxIterations }
            // The best AICc of the simpler laws: a fit that stays far from beating it by the
            // margin cannot be chosen, so it is not polished to convergence.
            let simpler = fits.compactMap { $0.fit.aicc }.min() ?? .infinity
            let needed = simpler - criteria.aiccMargin + Self.polishSlack
            do {
                fits.append((law, try staged(law, series, options: options, screenIterations: screenIterations) { ($0.aicc ?? .infinity) < needed }))
            } catch let error as FitError where error.exitStatus == .badInput && fits.isEmpty {
                throw error
            } catch {
                warnings.append("\(law.name) could not be fitted: \(error)")
            }
        }
        guard !fits.isEmpty else { throw FitError("\(series.name): no law could be fitted", exitStatus: .failure) }

        // Simplest law unless a more complex one wins by the margin.
        var chosen = fits[0]
        for candidate in fits.dropFirst() where candidate.fit.converged || !chosen.fit.converged {
            let a = candidate.fit.aicc ?? .infinity, b = chosen.fit.aicc ?? .infinity
            if a < b - criteria.aiccMargin || (!chosen.fit.converged && candidate.fit.converged) { chosen = candidate }
        }
        let bestAICc = fits.compactMap { $0.fit.aicc }.min()
        var models = fits.map { evidence($0.fit, best: bestAICc) }
        if criteria.holdout > 0 && series.count - criteria.holdout >= 4 {
            // Refits without the last points start from the full fit and from the profile
            // search on the points kept.
            let kept = series.count - criteria.holdout
            let training = ProfileStarts(
                x: Array(series.x.prefix(kept)), y: Array(series.values.prefix(kept)),
                weights: series.weights.map { Array($0.prefix(kept)) })
            for (i, entry) in fits.enumerated() {
                var options = FitOptions()
                options.threads = threads
                options.holdout = criteria.holdout
                options.solver.maxIterations = Self.polishIterations
                if let broken = entry.law as? BrokenPowerLaw {
                    options.fixed = ["E": 0]
                    options.starts = [entry.fit.values] + training.broken(
                        breaks: broken.breaks, locations: Self.breakLocations[broken.breaks]!, keep: 1).starts
                } else if entry.law is SaturatingLaw {
                    options.starts = [entry.fit.values] + training.saturating(keep: 1)
                }
                models[i].holdoutRMSLE = (try? entry.law.fit(to: series, options: options))?.holdout?.rmsle
            }
        }

        var verdict = interpret(chosen.fit, law: chosen.law, series: series)
        // A collapse read off a broken law also gets the model-free plateau onset: the x
        // where the decreasing part equals the floor, from the saturating fit.
        if verdict.kind == .collapsed, !(chosen.law is SaturatingLaw),
           let index = fits.firstIndex(where: { $0.law is SaturatingLaw }) {
            // The screen may have stopped the saturating fit short of convergence when it
            // could not win on AICc; its crossover is needed now, so finish it.
            if !fits[index].fit.converged {
                var options = FitOptions()
                options.threads = threads
                options.solver.maxIterations = Self.polishIterations
                if let finished = try? polish(fits[index].law, series, from: fits[index].fit, options: options) {
                    fits[index].fit = finished
                    models[index] = evidence(finished, best: bestAICc)
                }
            }
        }
        if verdict.kind == .collapsed, !(chosen.law is SaturatingLaw),
           let saturating = fits.first(where: { $0.law is SaturatingLaw })?.fit, saturating.converged,
           (saturating.parameter("E")?.ci95?.lower ?? 0) > 0 {
            let e = saturating.values[0], a = saturating.values[1], alpha = saturating.values[2]
            let formula = Foundation.pow(a / e, 1 / alpha)
            // Where the chosen (more flexible) curve is twice the floor: the decreasing part
            // equals the floor. Its interval is the saturating fit's, moved to this estimate.
            let crossover = crossing(of: chosen.law, parameters: chosen.fit.values, level: 2 * e, in: series) ?? formula
            if crossover > series.x.first! && crossover < series.x.last! {
                let ci = crossoverInterval(saturating).map { ($0.0 * crossover / formula, $0.1 * crossover / formula) }
                verdict.breakpoints.insert(
                    Breakpoint(x: crossover, ci95: ci, meaning: "plateau begins: the decreasing part equals the floor \(short(e))"),
                    at: 0)
                verdict.scalingStops = formula * Foundation.pow(1 / criteria.stopFraction, 1 / alpha)
            }
        }
        verdict.models = models
        verdict.warnings = warnings + verdict.warnings
        if !chosen.fit.converged { verdict.warnings.append("the chosen law did not converge: \(chosen.fit.status)") }
        return verdict
    }

    // MARK: - Reading the verdict off a fit

    private func interpret(_ fit: FitResult, law: any ScalingLaw, series: Series) -> Verdict {
        let xMin = series.x.first!, xMax = series.x.last!
        var verdict = Verdict(
            series: series.name, kind: .scaling, breakpoints: [], plateau: nil, scalingStops: nil, segments: [],
            chosenModel: fit.model, models: [], reasons: [], warnings: [], fit: fit)
        let flat = criteria.plateauSlope
        let decades = { (a: Double, b: Double) in Foundation.log10(b / a) }

        switch law {
        case is PowerLaw:
            let alpha = fit.values[1]
            let ci = fit.parameter("alpha")?.ci95
            verdict.segments = [Segment(fromX: xMin, toX: xMax, slope: -alpha, ci95: ci.map { (-$0.upper, -$0.lower) })]
            if let ci, ci.upper < 0, abs(alpha) > flat {
                verdict.kind = .degrading
                verdict.reasons.append("a power law fits best and its exponent is negative (loss rises as x^\(short(-alpha)), 95% CI excludes 0)")
            } else if abs(alpha) <= flat {
                verdict.kind = .collapsed
                verdict.plateau = Plateau(level: geometricMean(series.values), fromX: xMin, toX: nil)
                verdict.reasons.append("a power law fits best and its slope \(short(-alpha)) is flat (|slope| ≤ \(flat)) over the whole range")
            } else {
                verdict.kind = .scaling
                verdict.reasons.append("a power law with exponent \(short(alpha)) fits best; no floor is detectable in range (ΔAICc margin \(criteria.aiccMargin))")
            }

        case is SaturatingLaw:
            let e = fit.values[0], a = fit.values[1], alpha = fit.values[2]
            let floorDistinct = fit.parameter("E")?.ci95.map { $0.lower > 0 } ?? false
            let crossover = Foundation.pow(a / e, 1 / alpha)
            let stop = crossover * Foundation.pow(1 / criteria.stopFraction, 1 / alpha)
            verdict.scalingStops = stop
            verdict.segments = [Segment(fromX: xMin, toX: xMax, slope: -alpha, ci95: fit.parameter("alpha")?.ci95.map { (-$0.upper, -$0.lower) })]
            if !floorDistinct {
                verdict.kind = .scaling
                verdict.reasons.append("a floor improves the fit, but it is indistinguishable from 0 (its 95% CI reaches 0)")
            } else if stop < xMax && decades(stop, xMax) >= criteria.minimumPlateauDecades {
                verdict.kind = .collapsed
                verdict.plateau = Plateau(level: e, fromX: stop, toX: nil)
                verdict.breakpoints.append(Breakpoint(x: crossover, ci95: crossoverInterval(fit), meaning: "plateau begins: the decreasing part equals the floor"))
                verdict.reasons.append("the curve is within \(Int(criteria.stopFraction * 100))% of its floor \(short(e)) from x = \(short(stop)) on, for \(short(decades(stop, xMax))) decades (≥ \(criteria.minimumPlateauDecades))")
            } else {
                verdict.kind = .saturating
                verdict.breakpoints.append(Breakpoint(x: crossover, ci95: crossoverInterval(fit), meaning: "the decreasing part equals the floor"))
                verdict.reasons.append("a floor \(short(e)) is detected, but the curve is still descending: it reaches \(Int(criteria.stopFraction * 100))% of the floor only at x = \(short(stop))")
            }

        case let broken as BrokenPowerLaw:
            let p = fit.values
            var cumulative = 0.0
            var rates: [Double] = []
            var rateIndices: [[Int]] = []
            for k in 0...broken.breaks {
                cumulative += k == 0 ? p[2] : p[3 * k]
                rates.append(cumulative)
                rateIndices.append([2] + (0..<k).map { 3 * ($0 + 1) })
            }
            let breaks = (0..<broken.breaks).map { p[4 + 3 * $0] }
            let bounds = [xMin] + breaks.map { min(max($0, xMin), xMax) } + [xMax]
            verdict.segments = rates.indices.map { k in
                let slope = -rates[k]
                var ci: (Double, Double)? = nil
                if let cov = fit.covariance {
                    var variance = 0.0
                    for a in rateIndices[k] { for b in rateIndices[k] { variance += cov[a][b] } }
                    let half = 1.96 * variance.squareRoot()
                    if half.isFinite { ci = (slope - half, slope + half) }
                }
                return Segment(fromX: bounds[k], toX: bounds[k + 1], slope: slope, ci95: ci)
            }
            verdict.breakpoints = breaks.indices.map { k in
                Breakpoint(x: breaks[k], ci95: logNormalInterval(fit, index: 4 + 3 * k), meaning: "slope changes from \(short(-rates[k])) to \(short(-rates[k + 1]))")
            }
            // Flat: |slope| ≤ the threshold, or within 3× of it with a 95% interval that
            // reaches the flat band (noise). Rising: the whole interval above the threshold.
            let segmentCI = verdict.segments.map { $0.ci95 }
            let isFlat = rates.indices.map { k -> Bool in
                if abs(rates[k]) <= flat { return true }
                guard abs(rates[k]) <= 3 * flat, let ci = segmentCI[k] else { return false }
                return ci.lower <= flat && ci.upper >= -flat
            }
            let isDescent = rates.indices.map { rates[$0] > flat && !isFlat[$0] }
            let isRise = rates.indices.map { k -> Bool in
                guard rates[k] < -flat, !isFlat[k] else { return false }
                return segmentCI[k].map { $0.lower > flat } ?? false
            }
            let last = rates.count - 1
            if isRise[last] {
                verdict.kind = .degrading
                verdict.reasons.append("the last segment rises (slope \(short(-rates[last])))")
            } else if broken.breaks == 2 && isDescent[0] && isFlat[1] && isDescent[2] && decades(bounds[1], bounds[2]) >= criteria.minimumPlateauDecades {
                verdict.kind = .grokking
                verdict.plateau = Plateau(level: broken.value(Foundation.sqrt(bounds[1] * bounds[2]), .nan, parameters: p), fromX: bounds[1], toX: bounds[2])
                verdict.reasons.append("descent, a plateau of \(short(decades(bounds[1], bounds[2]))) decades (|slope| ≤ \(flat)), then descent again (slope \(short(-rates[2])))")
            } else if isFlat[0] && last >= 1 && isDescent[1] && decades(bounds[0], bounds[1]) >= criteria.minimumPlateauDecades {
                verdict.kind = .grokking
                verdict.plateau = Plateau(level: broken.value(Foundation.sqrt(bounds[0] * bounds[1]), .nan, parameters: p), fromX: bounds[0], toX: bounds[1])
                verdict.reasons.append("a plateau of \(short(decades(bounds[0], bounds[1]))) decades, then descent (slope \(short(-rates[1])))")
            } else if let flatIndex = (1...last).first(where: { isFlat[$0] && isDescent[0..<$0].allSatisfy { $0 } }),
                      decades(bounds[flatIndex], xMax) >= criteria.minimumPlateauDecades {
                verdict.kind = .collapsed
                verdict.plateau = Plateau(level: broken.value(xMax, .nan, parameters: p), fromX: bounds[flatIndex], toX: flatIndex < last ? bounds[flatIndex + 1] : nil)
                verdict.reasons.append("descent, then a flat segment (|slope| ≤ \(flat)) lasting \(short(decades(bounds[flatIndex], xMax))) decades to the end of the data")
            } else if let flatIndex = (1...last).first(where: { k in isFlat[k...].allSatisfy { $0 } }),
                      isDescent[0..<flatIndex].contains(true), !isRise[0..<flatIndex].contains(true),
                      decades(bounds[flatIndex], xMax) >= criteria.minimumPlateauDecades {
                // Flat to the end after a descent, with a segment between whose slope is
                // neither a descent nor a significant rise (a bump within the noise).
                verdict.kind = .collapsed
                verdict.plateau = Plateau(level: broken.value(xMax, .nan, parameters: p), fromX: bounds[flatIndex], toX: nil)
                verdict.reasons.append("descent, then flat (|slope| ≤ \(flat)) for the last \(short(decades(bounds[flatIndex], xMax))) decades of the data; no segment rises significantly before")
            } else if isFlat.allSatisfy({ $0 }) {
                verdict.kind = .collapsed
                verdict.plateau = Plateau(level: geometricMean(series.values), fromX: xMin, toX: nil)
                verdict.reasons.append("every segment is flat (slopes \(rates.map { short(-$0) }.joined(separator: ", ")), |slope| ≤ \(flat) or within the noise) over the whole range")
            } else if let tail = flatTail(of: broken, parameters: p, from: xMin, to: xMax),
                      decades(tail, xMax) >= criteria.minimumPlateauDecades {
                // The asymptotic slopes of a smooth break can differ from what the curve does
                // inside the data: a steep start bent by a wide break leaves the fitted curve
                // flat at the end while its last asymptote still leans up or down.
                verdict.kind = .collapsed
                verdict.plateau = Plateau(level: broken.value(xMax, .nan, parameters: p), fromX: tail, toX: nil)
                verdict.reasons.append("descent, then the fitted curve stays flat (local |slope| ≤ \(flat)) for the last \(short(decades(tail, xMax))) decades of the data (segment asymptotes \(rates.map { short(-$0) }.joined(separator: ", ")))")
            } else if rates.allSatisfy({ $0 > flat }) {
                let slowing = rates[last] < rates[0]
                verdict.kind = slowing && rates[last] < 0.5 * rates[0] ? .saturating : .scaling
                verdict.reasons.append("every segment descends (slopes \(rates.map { short(-$0) }.joined(separator: ", ")))" + (verdict.kind == .saturating ? "; the last one less than half as steep as the first" : ""))
            } else {
                verdict.kind = .scaling
                verdict.reasons.append("segments with slopes \(rates.map { short(-$0) }.joined(separator: ", ")); no plateau lasts \(criteria.minimumPlateauDecades) decades")
            }
        default:
            verdict.reasons.append("\(fit.model) is not one of the detector's laws")
        }
        return verdict
    }

    /// Where the fitted curve's local log–log slope stays within the flat band up to the end of
    /// the data, if it descended (local slope below −flat) somewhere before: checked on 200
    /// points evenly spaced in ln x.
    private func flatTail(of law: BrokenPowerLaw, parameters p: [Double], from xMin: Double, to xMax: Double) -> Double? {
        let lo = Foundation.log(xMin), hi = Foundation.log(xMax), steps = 200
        let h = (hi - lo) / Double(steps)
        guard h > 0 else { return nil }
        let logValue = { (u: Double) in Foundation.log(law.value(Foundation.exp(u), .nan, parameters: p)) }
        var start: Double? = nil
        var k = steps
        var previous = logValue(hi)
        while k > 0 {
            let u = lo + Double(k - 1) * h
            let current = logValue(u)
            let slope = (previous - current) / h
            guard slope.isFinite else { return nil }
            if abs(slope) > criteria.plateauSlope {
                // The flat tail ends here; it counts only after a descent.
                return slope < -criteria.plateauSlope ? start : nil
            }
            start = Foundation.exp(u)
            previous = current
            k -= 1
        }
        return nil
    }

    /// The x in the data range where a decreasing fitted curve falls to `level` (bisection in ln x).
    private func crossing(of law: any ScalingLaw, parameters p: [Double], level: Double, in series: Series) -> Double? {
        var lo = Foundation.log(series.x.first!), hi = Foundation.log(series.x.last!)
        let f = { (u: Double) in law.value(Foundation.exp(u), .nan, parameters: p) - level }
        guard f(lo) > 0, f(hi) < 0 else { return nil }
        for _ in 0..<60 {
            let mid = 0.5 * (lo + hi)
            if f(mid) > 0 { lo = mid } else { hi = mid }
        }
        return Foundation.exp(0.5 * (lo + hi))
    }

    /// 95% interval of the crossover (A/E)^(1/α) by the delta method on ln n_c.
    private func crossoverInterval(_ fit: FitResult) -> (Double, Double)? {
        guard let cov = fit.covariance else { return nil }
        let e = fit.values[0], a = fit.values[1], alpha = fit.values[2]
        let logCross = (Foundation.log(a) - Foundation.log(e)) / alpha
        let g = [-1 / (alpha * e), 1 / (alpha * a), -logCross / alpha]
        var variance = 0.0
        for i in 0..<3 { for j in 0..<3 { variance += g[i] * cov[i][j] * g[j] } }
        let half = 1.96 * variance.squareRoot()
        guard half.isFinite else { return nil }
        return (Foundation.exp(logCross - half), Foundation.exp(logCross + half))
    }

    /// 95% interval of a positive parameter, symmetric in its logarithm.
    private func logNormalInterval(_ fit: FitResult, index: Int) -> (Double, Double)? {
        guard let cov = fit.covariance else { return nil }
        let value = fit.values[index], se = cov[index][index].squareRoot()
        let half = 1.96 * se / value
        guard half.isFinite else { return nil }
        return (value * Foundation.exp(-half), value * Foundation.exp(half))
    }
}

func geometricMean(_ values: [Double]) -> Double {
    Foundation.exp(values.map { Foundation.log($0) }.reduce(0, +) / Double(values.count))
}

/// Four significant digits.
func short(_ value: Double) -> String { String(format: "%.4g", value) }
