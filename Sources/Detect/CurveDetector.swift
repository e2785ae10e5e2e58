import Foundation
import Fit
import ScalefitCore

/// Classifies one curve as scaling, saturating, plateaued, grokking or degrading.
///
/// The procedure (every threshold is in ``DetectionCriteria``):
/// 1. Fit, in log space, a power law, a saturating law, and smoothly broken power laws with
///    one and two breaks (floor fixed at 0, so a plateau must show as a flat segment). Each
///    fit starts from the best point of a profile search (``ProfileStarts``); one that
///    cannot win on AICc is stopped after a short screen. A fit that could win but has not
///    converged is refitted (more iterations, more starts); one that still has not
///    converged is never ranked, and when it would have won the verdict says that the
///    comparison could not be made.
/// 2. Choose the simplest converged law unless a more complex one lowers AICc by more than
///    ``DetectionCriteria/aiccMargin`` (order: power, saturating, broken1, broken2).
/// 3. Read the verdict off the chosen law. Flat is judged against the curve itself: a
///    segment is flat when its slope is at most ``DetectionCriteria/flatRatio`` of the
///    curve's steepest descent (or within the noise of that); a plateau must last at least
///    ``DetectionCriteria/minimumPlateauDecades`` decades inside the data. A plateau between
///    descents (grokking) is read off the fitted curve's local slope, not the segments'
///    asymptotes, which two smooth breaks close together can leave flat where the curve only
///    slows down. One curve can
///    show a plateau but not why, so the word is `plateaued`; `collapsed` needs a clean
///    reference or a family (``CurveDetector/establishCollapse(_:references:families:)``).
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
        if pointCount >= 10 { list.append((BrokenPowerLaw(breaks: 2), ["E": 0])) }
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
    /// The cap of the last refit of a law that could win but has not converged.
    static let refitIterations = 2000
    /// How close (in AICc) to winning a screened fit must be to be polished.
    static let polishSlack = 2.0

    /// A fit in two stages: every start with a small iteration cap, then, only when the
    /// best screened fit has not converged, a polish from it with the full cap.
    func staged(_ law: any ScalingLaw, _ series: Series, options: FitOptions, screenIterations: Int) throws -> FitResult {
        guard screenIterations < options.solver.maxIterations else { return try law.fit(to: series, options: options) }
        var screen = options
        screen.solver.maxIterations = screenIterations
        screen.retriesUnconverged = false  // capped on purpose; the polish runs the full search
        return try law.fit(to: series, options: screen)
    }

    /// Refits from an unconverged fit's parameters (and any further `starts`) with
    /// `iterations`; keeps the better of the two (a converged fit first).
    func polish(
        _ law: any ScalingLaw, _ series: Series, from first: FitResult, options: FitOptions,
        iterations: Int = polishIterations, starts: [[Double]] = []
    ) throws -> FitResult {
        var full = options
        full.starts = [first.values] + starts
        full.solver.maxIterations = iterations
        full.retriesUnconverged = true
        let second = try law.fit(to: series, options: full)
        if second.converged != first.converged { return second.converged ? second : first }
        return second.objective <= first.objective ? second : first
    }

    /// A broken fit that has not converged after the refits is retried with the smoothness of
    /// its breaks fixed at the median spacing of ln x, the sharpest break these points can
    /// resolve. Two cases end that way:
    /// - a break sharper than the spacing leaves its location unidentified between two
    ///   neighbouring x (rank-deficient Jacobian, smoothness at its lower bound): only those
    ///   breaks are fixed;
    /// - two wide breaks whose slope changes cancel (c_k ≈ −c_(k+1), both large) draw a
    ///   smooth step the law reaches only as those changes grow without bound (a step in
    ///   ln L between two equal slopes, e.g. a plateau between two descents): every break is
    ///   fixed, which keeps them apart.
    /// The refit starts from the unconverged fit and from `starts` (with the fixed
    /// smoothness put in), is kept only when it converges, and says so in a warning.
    func refitWithFixedSmoothness(_ law: BrokenPowerLaw, _ series: Series, _ fit: FitResult, options: FitOptions, starts: [[Double]] = []) -> FitResult? {
        let gaps = zip(series.x.dropFirst(), series.x).map { Foundation.log($0 / $1) }.filter { $0 > 0 }.sorted()
        guard !gaps.isEmpty else { return nil }
        let spacing = gaps[gaps.count / 2]
        let sharp = (0..<law.breaks).filter { fit.values[5 + 3 * $0] < 0.5 * spacing }
        // Slope changes of opposite signs, each steeper than 2 in log–log terms (no loss curve
        // bends that hard), that cancel: |c_j + c_k| below either.
        let changes = (0..<law.breaks).map { fit.values[3 + 3 * $0] }
        let cancelling = changes.indices.contains { j in
            changes.indices.contains { k in
                k != j && changes[j] * changes[k] < 0 && min(abs(changes[j]), abs(changes[k])) > 2
                    && abs(changes[j] + changes[k]) < min(abs(changes[j]), abs(changes[k]))
            }
        }
        guard !sharp.isEmpty || cancelling else { return nil }
        let fixedBreaks = sharp.isEmpty ? Array(0..<law.breaks) : sharp
        var options = options
        for k in fixedBreaks where options.fixed["f\(k + 1)"] == nil { options.fixed["f\(k + 1)"] = spacing }
        guard options.fixed.count > 1 || options.fixed["E"] == nil else { return nil }
        options.starts = ([fit.values] + starts).map { start in
            var start = start
            for k in fixedBreaks { start[5 + 3 * k] = spacing }
            return start
        }
        options.solver.maxIterations = Self.refitIterations
        options.retriesUnconverged = true
        guard var again = try? law.fit(to: series, options: options), again.converged else { return nil }
        again.warnings.append(sharp.isEmpty
            ? "the fit did not converge with free smoothness (its breaks drift apart in slope without bound, drawing a smooth step); it was refitted with every break's smoothness fixed at the median spacing of ln x (\(short(spacing)))"
            : "a break sharper than the points' spacing was refitted with its smoothness fixed at the median spacing of ln x (\(short(spacing))): its location is not resolved more finely by these points")
        return again
    }

    private func evidence(_ fit: FitResult, best: Double?) -> ModelEvidence {
        ModelEvidence(
            model: fit.model, aicc: fit.aicc, deltaAICc: fit.converged ? fit.aicc.flatMap { a in best.map { a - $0 } } : nil,
            converged: fit.converged, holdoutRMSLE: nil)
    }

    /// The options each candidate is fitted with, and the profile-search starts it may use.
    private func options(
        for law: any ScalingLaw, fixed: [String: Double], profile: ProfileStarts, keep: Int
    ) -> (options: FitOptions, screen: Int) {
        var options = FitOptions()
        options.fixed = fixed
        options.threads = threads
        options.solver.maxIterations = Self.polishIterations
        var screen = Self.screenIterations
        if law is SaturatingLaw { options.starts = profile.saturating(keep: keep) }
        if let broken = law as? BrokenPowerLaw {
            options.starts = profile.broken(breaks: broken.breaks, locations: Self.breakLocations[broken.breaks]!, keep: keep).starts
            screen = Self.brokenScreenIterations
        }
        if law is PowerLaw { screen = options.solver.maxIterations }
        // No usable start from the profile search (e.g. zero weights): the law's own grid.
        if options.starts?.isEmpty == true { options.starts = nil; screen = options.solver.maxIterations }
        return (options, screen)
    }

    /// The simplest converged law, unless a more complex converged one lowers AICc by more
    /// than the margin (`fits` simplest first); nil when none converged.
    func choose(_ fits: [(law: any ScalingLaw, fit: FitResult)]) -> Int? {
        var chosen: Int? = nil
        for (i, entry) in fits.enumerated() where entry.fit.converged && entry.fit.aicc != nil {
            guard let c = chosen else { chosen = i; continue }
            if entry.fit.aicc! < fits[c].fit.aicc! - criteria.aiccMargin { chosen = i }
        }
        return chosen
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
        var settings: [(options: FitOptions, screen: Int)] = []
        var warnings: [String] = []
        let profile = ProfileStarts(x: series.x, y: series.values, weights: series.weights)
        for (law, fixed) in candidates(pointCount: series.count) {
            let setting = options(for: law, fixed: fixed, profile: profile, keep: law is BrokenPowerLaw ? Self.brokenStarts[(law as! BrokenPowerLaw).breaks]! : Self.saturatingStarts)
            do {
                fits.append((law, try staged(law, series, options: setting.options, screenIterations: setting.screen)))
                settings.append(setting)
            } catch let error as FitError where error.exitStatus == .badInput && fits.isEmpty {
                throw error
            } catch {
                warnings.append("\(law.name) could not be fitted: \(error)")
            }
        }
        guard !fits.isEmpty else { throw FitError("\(series.name): no law could be fitted", exitStatus: .failure) }

        // A screened fit that has not converged and could still be chosen is polished; one
        // that then still has not converged gets more iterations and more starts. Repeated
        // until the choice no longer depends on an unconverged fit.
        var refitted = Set<Int>()
        while true {
            let chosen = choose(fits)
            let bar = chosen.map { fits[$0].fit.aicc! } ?? .infinity
            // The unconverged fit that could beat the current choice, simplest first.
            guard let index = fits.indices.first(where: { i in
                !fits[i].fit.converged && !refitted.contains(i)
                    && (fits[i].fit.aicc ?? .infinity) < bar - (chosen.map { $0 < i } ?? false ? criteria.aiccMargin : 0) + Self.polishSlack
            }) else { break }
            refitted.insert(index)
            let (law, first) = fits[index]
            var more: [[Double]] = []
            if let broken = law as? BrokenPowerLaw {
                more = profile.broken(breaks: broken.breaks, locations: Self.breakLocations[broken.breaks]!, keep: 4).starts
            } else if law is SaturatingLaw {
                more = profile.saturating(keep: 4)
            }
            var fit = (try? polish(law, series, from: first, options: settings[index].options)) ?? first
            if !fit.converged {
                fit = (try? polish(law, series, from: fit, options: settings[index].options, iterations: Self.refitIterations, starts: more)) ?? fit
            }
            if !fit.converged, let broken = law as? BrokenPowerLaw, let resolved = refitWithFixedSmoothness(broken, series, fit, options: settings[index].options, starts: more) {
                fit = resolved
                if let note = resolved.warnings.last { warnings.append("\(law.name): \(note)") }
            }
            fits[index].fit = fit
        }

        guard let chosenIndex = choose(fits) else {
            throw FitError("\(series.name): no law converged (\(fits.map { "\($0.law.name): \($0.fit.status)" }.joined(separator: "; ")))", exitStatus: .failure)
        }
        let chosen = fits[chosenIndex]
        let bestAICc = fits.filter { $0.fit.converged }.compactMap { $0.fit.aicc }.min()
        var models = fits.map { evidence($0.fit, best: bestAICc) }
        for entry in fits where !entry.fit.converged {
            let delta = (entry.fit.aicc ?? .infinity) - chosen.fit.aicc!
            if delta < -criteria.aiccMargin {
                warnings.append("\(entry.law.name) did not converge (\(entry.fit.status)) although its AICc is \(short(-delta)) below \(chosen.law.name)'s after a refit with more iterations and starts: the comparison with it could not be made, and the verdict rests on \(chosen.law.name)")
            } else {
                warnings.append("\(entry.law.name) did not converge (\(entry.fit.status)); it is not ranked")
            }
        }
        if criteria.holdout > 0 && series.count - criteria.holdout >= 4 {
            // Refits without the last points start from the full fit and from the profile
            // search on the points kept.
            let kept = series.count - criteria.holdout
            let training = ProfileStarts(
                x: Array(series.x.prefix(kept)), y: Array(series.values.prefix(kept)),
                weights: series.weights.map { Array($0.prefix(kept)) })
            for (i, entry) in fits.enumerated() where entry.fit.converged {
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
        verdict.reasons.insert(selectionReason(fits, chosen: chosenIndex), at: 0)
        // A plateau read off a broken law also gets the model-free plateau onset: the x
        // where the decreasing part equals the floor, from the saturating fit.
        if verdict.kind == .plateaued, !(chosen.law is SaturatingLaw),
           let index = fits.firstIndex(where: { $0.law is SaturatingLaw }) {
            if !fits[index].fit.converged,
               let finished = try? polish(fits[index].law, series, from: fits[index].fit, options: settings[index].options) {
                fits[index].fit = finished
                models[index] = evidence(finished, best: bestAICc)
            }
            let saturating = fits[index].fit
            if saturating.converged, (saturating.parameter("E")?.ci95?.lower ?? 0) > 0 {
                let e = saturating.values[0], a = saturating.values[1], alpha = saturating.values[2]
                let formula = Foundation.pow(a / e, 1 / alpha)
                // Where the chosen (more flexible) curve is twice the floor: the decreasing part
                // equals the floor. Its interval is the saturating fit's, moved to this estimate.
                let crossover = crossing(of: chosen.law, parameters: chosen.fit.values, level: 2 * e, in: series) ?? formula
                if crossover > series.x.first! && crossover < series.x.last! {
                    let ci = crossoverInterval(saturating).map { ($0.0 * crossover / formula, $0.1 * crossover / formula) }
                    verdict.breakpoints.append(
                        Breakpoint(x: crossover, ci95: ci, meaning: "plateau begins: the decreasing part equals the floor \(short(e))"))
                    verdict.scalingStops = formula * Foundation.pow(1 / criteria.stopFraction, 1 / alpha)
                }
            }
        }
        // Breakpoints in order of x, each flagged when it lies beyond the data.
        let xMin = series.x.first!, xMax = series.x.last!
        for i in verdict.breakpoints.indices {
            let b = verdict.breakpoints[i]
            verdict.breakpoints[i].insideData = b.x >= xMin && b.x <= xMax
            if !verdict.breakpoints[i].insideData {
                verdict.breakpoints[i].meaning += " (beyond the data, which span \(short(xMin))–\(short(xMax)))"
            }
        }
        verdict.breakpoints.sort { $0.x < $1.x }
        verdict.models = models
        verdict.warnings = warnings + verdict.warnings
        return verdict
    }

    /// The rule that chose, in words, with the ΔAICc of every converged law.
    private func selectionReason(_ fits: [(law: any ScalingLaw, fit: FitResult)], chosen: Int) -> String {
        let best = fits[chosen].fit.aicc!
        let others = fits.enumerated().filter { $0.offset != chosen && $0.element.fit.converged }
            .map { "\($0.element.law.name) \(short(($0.element.fit.aicc ?? .infinity) - best))" }
        let lower = fits.enumerated().filter { $0.offset > chosen && $0.element.fit.converged && ($0.element.fit.aicc ?? .infinity) < best }
        var text = "\(fits[chosen].law.name) chosen: the simplest converged law unless a more complex one lowers AICc by more than \(short(criteria.aiccMargin))"
        if !others.isEmpty { text += " (AICc relative to it: " + others.joined(separator: ", ") + ")" }
        if !lower.isEmpty {
            text += "; " + lower.map(\.element.law.name).joined(separator: ", ") + " fit" + (lower.count == 1 ? "s" : "") + " slightly better but not by the margin"
        }
        return text
    }

    // MARK: - Reading the verdict off a fit

    /// Whether each slope (positive: descending) is flat, judged against the steepest
    /// descent `steepest` and the slope's own 95% interval.
    func flatness(_ rates: [Double], intervals: [(lower: Double, upper: Double)?], steepest: Double) -> [Bool] {
        let band = criteria.flatRatio * max(steepest, 0)
        return rates.indices.map { k in
            if abs(rates[k]) <= band { return true }
            guard abs(rates[k]) <= 3 * band, let ci = intervals[k] else { return false }
            return ci.lower <= 0 && ci.upper >= 0
        }
    }

    private func interpret(_ fit: FitResult, law: any ScalingLaw, series: Series) -> Verdict {
        let xMin = series.x.first!, xMax = series.x.last!
        var verdict = Verdict(
            series: series.name, kind: .scaling, breakpoints: [], plateau: nil, scalingStops: nil, segments: [],
            chosenModel: fit.model, models: [], reasons: [], warnings: [], fit: fit, law: law)
        let ratio = criteria.flatRatio
        let decades = { (a: Double, b: Double) in Foundation.log10(b / a) }

        switch law {
        case is PowerLaw:
            let alpha = fit.values[1]
            let ci = fit.parameter("alpha")?.ci95
            verdict.segments = [Segment(fromX: xMin, toX: xMax, slope: -alpha, ci95: ci.map { (-$0.upper, -$0.lower) })]
            if let ci, ci.lower <= 0 && ci.upper >= 0 {
                verdict.kind = .plateaued
                verdict.plateau = Plateau(level: geometricMean(series.values), fromX: xMin, toX: nil)
                verdict.reasons.append("the power law's slope \(short(-alpha)) [\(short(-ci.upper)), \(short(-ci.lower))] is flat within the noise (its 95% interval reaches 0) over the whole range: no descent is seen")
            } else if let ci, ci.upper < 0 {
                verdict.kind = .degrading
                verdict.reasons.append("the power law's exponent is negative (loss rises as x^\(short(-alpha)), 95% CI excludes 0)")
            } else {
                verdict.kind = .scaling
                verdict.reasons.append("the power law's exponent \(short(alpha))" + (ci.map { " [\(short($0.lower)), \(short($0.upper))]" } ?? "") + " is above 0; no floor is detectable in range")
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
            } else if case let steepest = steepestLocalDescent(of: law, parameters: fit.values, from: xMin, to: xMax),
                      let tail = flatTail(of: law, parameters: fit.values, from: xMin, to: xMax, band: ratio * steepest),
                      decades(tail, xMax) >= criteria.minimumPlateauDecades {
                // The same rule as for every other law: flat is the fitted curve's local slope
                // within flatRatio of its own steepest descent inside the data, for the last
                // minimumPlateauDecades or more.
                verdict.kind = .plateaued
                verdict.plateau = Plateau(level: e, fromX: tail, toX: nil)
                verdict.breakpoints.append(Breakpoint(x: crossover, ci95: crossoverInterval(fit), meaning: "plateau begins: the decreasing part equals the floor"))
                verdict.reasons.append("descent, then the fitted curve stays flat (local |slope| ≤ \(short(ratio * steepest)), \(short(ratio)) of its steepest descent \(short(steepest))) for the last \(short(decades(tail, xMax))) decades of the data, within \(short(100 * (law.value(tail, .nan, parameters: fit.values) / e - 1)))% of its floor \(short(e)) from x = \(short(tail)) on")
            } else {
                verdict.kind = .saturating
                verdict.breakpoints.append(Breakpoint(x: crossover, ci95: crossoverInterval(fit), meaning: "the decreasing part equals the floor"))
                verdict.reasons.append("a floor \(short(e)) is detected, but the fitted curve is still descending: its local slope does not stay within \(short(ratio)) of its steepest descent for the last \(criteria.minimumPlateauDecades) decades (it reaches \(Int(criteria.stopFraction * 100))% of the floor at x = \(short(stop)))")
            }

        case let broken as BrokenPowerLaw:
            // Breaks in order of location (the law does not depend on their order).
            let p = broken.canonicalized(fit.values)
            let order = (0..<broken.breaks).sorted { fit.values[4 + 3 * $0] < fit.values[4 + 3 * $1] }
            var cumulative = 0.0
            var rates: [Double] = []
            var rateIndices: [[Int]] = []
            for k in 0...broken.breaks {
                cumulative += k == 0 ? p[2] : p[3 * k]
                rates.append(cumulative)
                rateIndices.append([2] + order.prefix(k).map { 3 * ($0 + 1) })
            }
            let breaks = (0..<broken.breaks).map { p[4 + 3 * $0] }
            let bounds = [xMin] + breaks.map { min(max($0, xMin), xMax) } + [xMax]
            let allSegments = rates.indices.map { k in
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
            // Segments that lie beyond the data (between a break outside it and the data's
            // end) are not shown and do not count.
            verdict.segments = allSegments.filter { $0.toX > $0.fromX }
            verdict.breakpoints = breaks.indices.map { k in
                Breakpoint(x: breaks[k], ci95: logNormalInterval(fit, index: 4 + 3 * order[k]), meaning: "slope changes from \(short(-rates[k])) to \(short(-rates[k + 1]))")
            }
            let inside = rates.indices.filter { bounds[$0 + 1] > bounds[$0] }
            // The steepest descent: of the segments inside the data, or of the fitted curve
            // itself (a break just beyond the data leaves its asymptotes outside the range).
            let steepest = max(inside.map { rates[$0] }.max() ?? 0, steepestLocalDescent(of: broken, parameters: p, from: xMin, to: xMax))
            // Slopes as descents (positive: falling), with intervals in the same sense.
            let rateCI: [(lower: Double, upper: Double)?] = allSegments.map { s in s.ci95.map { (-$0.upper, -$0.lower) } }
            let flatAll = flatness(rates, intervals: rateCI, steepest: steepest)
            let band = ratio * steepest
            // Each segment's character, computed once (plain arrays: local functions passed
            // as closures here crashed the optimised build, a null capture retained).
            let descent = rates.indices.map { rates[$0] > band && !flatAll[$0] }
            let rise = rates.indices.map { rates[$0] < -band && !flatAll[$0] && (rateCI[$0].map { $0.upper < 0 } ?? false) }
            let isFlat: (Int) -> Bool = { flatAll[$0] }
            let isDescent: (Int) -> Bool = { descent[$0] }
            let isRise: (Int) -> Bool = { rise[$0] }
            guard let first = inside.first, let last = inside.last else { break }
            let slopeList = inside.map { short(-rates[$0]) }.joined(separator: ", ")
            let bandText = "|slope| ≤ \(short(band)), \(short(ratio)) of the steepest descent \(short(steepest)), or within the noise"
            if isRise(last) {
                verdict.kind = .degrading
                verdict.reasons.append("the last segment rises (slope \(short(-rates[last])), 95% CI excludes 0)")
            } else if let stretch = flatStretch(of: broken, parameters: p, from: xMin, to: xMax) {
                // Read off the fitted curve's local slope, not the segments' asymptotes: two
                // smooth breaks close together leave a flat middle asymptote that the curve
                // itself never reaches (a slow-down, not a plateau).
                verdict.kind = .grokking
                verdict.plateau = Plateau(level: broken.value(Foundation.sqrt(stretch.from * stretch.to), .nan, parameters: p), fromX: stretch.from, toX: stretch.to)
                let localBand = "local |slope| of the fitted curve ≤ \(short(ratio * stretch.steepest)), \(short(ratio)) of its steepest descent \(short(stretch.steepest))"
                if stretch.afterDescent {
                    verdict.reasons.append("descent, a plateau of \(short(decades(stretch.from, stretch.to))) decades (\(localBand)), then descent again (local slope down to \(short(-stretch.descentAfter)))")
                } else {
                    verdict.reasons.append("a plateau of \(short(decades(stretch.from, stretch.to))) decades (\(localBand)), then descent (local slope down to \(short(-stretch.descentAfter)))")
                }
            } else if let flatIndex = inside.first(where: { k in k > first && inside.filter({ $0 >= k }).allSatisfy(isFlat) }),
                      inside.filter({ $0 < flatIndex }).contains(where: isDescent),
                      !inside.filter({ $0 < flatIndex }).contains(where: isRise),
                      decades(bounds[flatIndex], xMax) >= criteria.minimumPlateauDecades {
                verdict.kind = .plateaued
                verdict.plateau = Plateau(level: broken.value(xMax, .nan, parameters: p), fromX: bounds[flatIndex], toX: nil)
                verdict.reasons.append("descent, then flat (\(bandText)) for the last \(short(decades(bounds[flatIndex], xMax))) decades of the data (slopes \(slopeList))")
            } else if inside.allSatisfy(isFlat) && inside.allSatisfy({ k in rateCI[k].map { $0.lower <= 0 && $0.upper >= 0 } ?? false }) {
                verdict.kind = .plateaued
                verdict.plateau = Plateau(level: geometricMean(series.values), fromX: xMin, toX: nil)
                verdict.reasons.append("every segment is flat within the noise (slopes \(slopeList), each 95% interval reaches 0): no descent is seen")
            } else if let tail = flatTail(of: broken, parameters: p, from: xMin, to: xMax, band: band),
                      decades(tail, xMax) >= criteria.minimumPlateauDecades {
                // The asymptotic slopes of a smooth break can differ from what the curve does
                // inside the data: a steep start bent by a wide break leaves the fitted curve
                // flat at the end while its last asymptote still leans up or down.
                verdict.kind = .plateaued
                verdict.plateau = Plateau(level: broken.value(xMax, .nan, parameters: p), fromX: tail, toX: nil)
                verdict.reasons.append("descent, then the fitted curve stays flat (local |slope| ≤ \(short(band)), \(short(ratio)) of the steepest descent) for the last \(short(decades(tail, xMax))) decades of the data (segment asymptotes \(slopeList))")
            } else if inside.allSatisfy(isDescent) {
                let slowing = rates[last] < 0.5 * rates[first]
                verdict.kind = slowing ? .saturating : .scaling
                verdict.reasons.append("every segment descends (slopes \(slopeList))" + (slowing ? "; the last one less than half as steep as the first" : ""))
            } else {
                verdict.kind = .scaling
                verdict.reasons.append("segments with slopes \(slopeList); no plateau lasts \(criteria.minimumPlateauDecades) decades")
            }
        default:
            verdict.reasons.append("\(fit.model) is not one of the detector's laws")
        }
        return verdict
    }

    /// The first flat stretch of the fitted curve that descent follows: local log–log slopes on
    /// 400 steps evenly spaced in ln x, flat where |slope| ≤ ``DetectionCriteria/flatRatio`` of
    /// the steepest local descent inside the data. The stretch lasts at least
    /// ``DetectionCriteria/minimumPlateauDecades``, starts at the data's first point or after a
    /// descent, ends in a descent inside the data, and no flat tail of that length follows it
    /// (that would be a plateau at the end).
    func flatStretch(of law: BrokenPowerLaw, parameters p: [Double], from xMin: Double, to xMax: Double)
        -> (from: Double, to: Double, steepest: Double, descentAfter: Double, afterDescent: Bool)?
    {
        let lo = Foundation.log(xMin), hi = Foundation.log(xMax), steps = 400
        let h = (hi - lo) / Double(steps)
        guard h > 0 else { return nil }
        var logValues: [Double] = []
        for k in 0...steps { logValues.append(Foundation.log(law.value(Foundation.exp(lo + Double(k) * h), .nan, parameters: p))) }
        let descents = (0..<steps).map { (logValues[$0] - logValues[$0 + 1]) / h }
        guard descents.allSatisfy(\.isFinite), let steepest = descents.max(), steepest > 0 else { return nil }
        let band = criteria.flatRatio * steepest
        let needed = criteria.minimumPlateauDecades * Foundation.log(10.0)
        // Runs of flat steps, as [first, end) step indices.
        var runs: [(Int, Int)] = []
        var start: Int? = nil
        for j in 0...steps {
            let flat = j < steps && abs(descents[j]) <= band
            if flat, start == nil { start = j }
            if !flat, let s = start { runs.append((s, j)); start = nil }
        }
        for (index, run) in runs.enumerated() {
            let (first, end) = run
            guard Double(end - first) * h >= needed, end < steps, descents[end] > band else { continue }
            let afterDescent = descents[..<first].contains { $0 > band }
            guard afterDescent || first == 0 else { continue }
            if runs[(index + 1)...].contains(where: { $0.1 == steps && Double(steps - $0.0) * h >= needed }) { continue }
            return (Foundation.exp(lo + Double(first) * h), Foundation.exp(lo + Double(end) * h), steepest,
                    descents[end...].max() ?? 0, afterDescent)
        }
        return nil
    }

    /// Where the fitted curve's local log–log slope stays within the flat band up to the end of
    /// the data, if it descended (local slope below −flat) somewhere before: checked on 200
    /// points evenly spaced in ln x.
    private func flatTail(of law: any ScalingLaw, parameters p: [Double], from xMin: Double, to xMax: Double, band: Double) -> Double? {
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
            if abs(slope) > band {
                // The flat tail ends here; it counts only after a descent.
                return slope < -band ? start : nil
            }
            start = Foundation.exp(u)
            previous = current
            k -= 1
        }
        return nil
    }

    /// The largest local descent −d ln L/d ln x of the fitted curve inside the data (200 steps).
    private func steepestLocalDescent(of law: any ScalingLaw, parameters p: [Double], from xMin: Double, to xMax: Double) -> Double {
        let lo = Foundation.log(xMin), hi = Foundation.log(xMax), steps = 200
        let h = (hi - lo) / Double(steps)
        guard h > 0 else { return 0 }
        var best = 0.0
        var previous = Foundation.log(law.value(xMin, .nan, parameters: p))
        for k in 1...steps {
            let current = Foundation.log(law.value(Foundation.exp(lo + Double(k) * h), .nan, parameters: p))
            let descent = (previous - current) / h
            if descent.isFinite { best = max(best, descent) }
            previous = current
        }
        return best
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
