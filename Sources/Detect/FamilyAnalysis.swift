import Foundation
import Fit
import ScalefitCore

/// A synthetic-data curve against its clean counterpart (`detect --reference CLEAN`).
public struct ReferenceComparison: Sendable {
    public struct GapPoint: Sendable {
        public var x: Double
        /// L_synthetic/L_clean − 1 at x (clean curve interpolated in log–log).
        public var gap: Double
    }
    public var series: String
    public var reference: String
    public var gaps: [GapPoint]
    /// The first x from which the gap stays above ``separationThreshold``.
    public var separatesAt: Double?
    public var separationThreshold: Double
    /// Power-law exponents fitted to each curve over the shared range, and their ratio.
    public var cleanExponent: Double?
    public var syntheticExponent: Double?
    public var exponentRatio: Double?
    /// β = 1/(1 − c_clean) from the clean exponent (docs/collapse-models.md §1.4).
    public var impliedBeta: Double?
    /// β′ = (β − 1)/c_synthetic if the synthetic curve is a narrowed power law (§1.4).
    public var impliedNarrowedBeta: Double?
    /// The cut rank k whose Zipf(β) tail mass equals the synthetic curve's floor (§1.2b).
    public var impliedCut: Double?
    public var syntheticFloor: Double?
    public var warnings: [String]
}

/// How exponent and floor move across a family of curves (`detect --by COLUMN`).
public struct FamilyAnalysis: Sendable {
    public struct Member: Sendable {
        public var series: String
        public var key: Double
        public var exponent: Double?
        public var floor: Double?
        public var floorCI95: (lower: Double, upper: Double)?
    }
    public var column: String
    public var members: [Member]
    /// Floor against the family key, forms compared by AICc (best first).
    public var floorLaws: [FitResult]
    public var warnings: [String]
}

extension CurveDetector {
    /// Compares a synthetic-data curve with its clean counterpart.
    public func compare(_ synthetic: Series, toReference clean: Series, separationThreshold: Double = 0.05) throws -> ReferenceComparison {
        let s = synthetic.sortedByX(), c = clean.sortedByX()
        guard c.count >= 3, s.count >= 3 else { throw FitError("--reference: each curve needs at least 3 points") }
        var warnings: [String] = []
        let logCX = c.x.map { Foundation.log($0) }, logCY = c.values.map { Foundation.log($0) }
        func cleanAt(_ x: Double) -> Double? {
            let lx = Foundation.log(x)
            guard lx >= logCX.first!, lx <= logCX.last! else { return nil }
            var i = 0
            while i + 1 < logCX.count && logCX[i + 1] < lx { i += 1 }
            let j = min(i + 1, logCX.count - 1)
            let t = j == i ? 0 : (lx - logCX[i]) / (logCX[j] - logCX[i])
            return Foundation.exp(logCY[i] + t * (logCY[j] - logCY[i]))
        }
        var gaps: [ReferenceComparison.GapPoint] = []
        for (x, y) in zip(s.x, s.values) {
            if let reference = cleanAt(x) { gaps.append(.init(x: x, gap: y / reference - 1)) }
        }
        if gaps.isEmpty { warnings.append("the curves share no x range; no gap computed") }
        var separatesAt: Double? = nil
        for (i, point) in gaps.enumerated() where gaps[i...].allSatisfy({ $0.gap > separationThreshold }) {
            separatesAt = point.x
            break
        }
        var options = FitOptions()
        options.threads = threads
        let cleanPower = try? PowerLaw().fit(to: c, options: options)
        let cleanExponent = cleanPower?.values[1]
        // The synthetic exponent: from the part before it separates (a cut keeps the slope,
        // a narrowing changes it everywhere).
        let early = separatesAt.map { cut in s.subset(s.x.indices.filter { s.x[$0] < cut }) } ?? s
        let syntheticPower = try? PowerLaw().fit(to: early.count >= 3 ? early : s, options: options)
        let syntheticExponent = syntheticPower?.values[1]
        let beta = cleanExponent.flatMap { $0 > 0 && $0 < 1 ? 1 / (1 - $0) : nil }
        let saturating = try? SaturatingLaw().fit(to: s, options: options)
        let floor = saturating.flatMap { fit in (fit.parameter("E")?.ci95?.lower ?? 0) > 0 ? fit.values[0] : nil }
        var impliedCut: Double? = nil
        if let beta, let floor {
            var tailcut = FitOptions()
            tailcut.fixed = ["beta": beta]
            tailcut.threads = threads
            impliedCut = (try? TailCutLaw().fit(to: s, options: tailcut))?.derived.first { $0.name == "k" }?.value
        }
        let narrowed: Double? = (beta != nil && syntheticExponent != nil && floor == nil && syntheticExponent! > 0)
            ? (beta! - 1) / syntheticExponent! : nil
        if beta == nil { warnings.append("the clean exponent is not in (0, 1), so no Zipf β is implied") }
        return ReferenceComparison(
            series: synthetic.name, reference: clean.name, gaps: gaps, separatesAt: separatesAt,
            separationThreshold: separationThreshold, cleanExponent: cleanExponent, syntheticExponent: syntheticExponent,
            exponentRatio: cleanExponent.flatMap { ce in syntheticExponent.map { $0 / ce } },
            impliedBeta: beta, impliedNarrowedBeta: narrowed, impliedCut: impliedCut, syntheticFloor: floor,
            warnings: warnings)
    }

    /// Fits each member of a family (keyed by a numeric label such as `generation`) and the
    /// law of its floor against the key: linear, power and log forms compared by AICc
    /// (docs/collapse-models.md §1.2e).
    public func family(_ members: [Series], by column: String) throws -> FamilyAnalysis {
        var warnings: [String] = []
        var rows: [FamilyAnalysis.Member] = []
        var options = FitOptions()
        options.threads = threads
        for series in members {
            guard let text = series.labels[column], let key = Double(text) else {
                warnings.append("\(series.name) has no numeric \(column); left out")
                continue
            }
            let fit = try? SaturatingLaw().fit(to: series, options: options)
            rows.append(.init(
                series: series.name, key: key, exponent: fit?.values[2], floor: fit?.values[0],
                floorCI95: fit?.parameter("E")?.ci95))
        }
        rows.sort { $0.key < $1.key }
        var floorLaws: [FitResult] = []
        let usable = rows.filter { $0.floor != nil && $0.key > 0 }
        if usable.count >= 4 {
            var floors = Series(run: "floor", metric: "floor", x: usable.map(\.key), values: usable.map { $0.floor! })
            // Each floor weighted by its own precision (1/se², se from its 95% interval) when
            // every member has one: the floors' errors differ by orders of magnitude, and an
            // unweighted linear fit gives intervals 98–100% wide where 95% is asked
            // (benchmarks/collapse, floor-vs-generation rows).
            let standardErrors = usable.map { row in row.floorCI95.map { ($0.upper - $0.lower) / (2 * 1.96) } }
            if standardErrors.allSatisfy({ ($0 ?? 0) > 0 && $0!.isFinite }) {
                floors.weights = standardErrors.map { 1 / ($0! * $0!) }
            }
            var lawOptions = FitOptions()
            lawOptions.space = .linear
            lawOptions.threads = threads
            floorLaws = LawCatalog.compare(GenerationLaw.Form.allCases.map { GenerationLaw($0) }, on: floors, options: lawOptions).fits
            if !floorLaws.isEmpty { floorLaws[0].selection = LawCatalog.selectionNote(floorLaws) }
        } else {
            warnings.append("the floor-vs-\(column) law needs at least 4 members with a positive \(column) and a fitted floor (have \(usable.count))")
        }
        return FamilyAnalysis(column: column, members: rows, floorLaws: floorLaws, warnings: warnings)
    }
}

extension CurveDetector {
    /// Turns the plateaus that a clean reference or a family explains into collapses.
    ///
    /// One curve's plateau can be an irreducible floor or model collapse; what tells them
    /// apart is a comparison (docs/collapse-models.md §1.2):
    /// - `--reference`: the curve is `plateaued` and separates from the clean curve (its
    ///   gap to it stays above the threshold to the end), and the clean curve is not itself
    ///   plateaued over that range: the plateau is what the synthetic data did.
    /// - `--by`: the family's fitted floors rise with the key (each member's floor above the
    ///   first member's, the last one's 95% interval above the first one's): the members
    ///   that plateau after the first are collapsed.
    public func establishCollapse(
        _ verdicts: [Verdict], references: [ReferenceComparison], referenceVerdict: Verdict? = nil,
        families: [FamilyAnalysis]
    ) -> [Verdict] {
        var out = verdicts
        for i in out.indices where out[i].kind == .plateaued {
            if let r = references.first(where: { $0.series == out[i].series }), let at = r.separatesAt {
                if let clean = referenceVerdict, clean.kind == .plateaued {
                    out[i].warnings.append("the clean reference \(r.reference) is itself plateaued, so the comparison does not establish a collapse")
                } else {
                    out[i].kind = .collapsed
                    out[i].reasons.append("the clean reference \(r.reference) keeps descending where this curve plateaus: the curves separate (gap > \(short(r.separationThreshold))) from x = \(short(at)) on")
                }
            }
        }
        for family in families {
            let members = family.members.filter { $0.floor != nil }
            guard members.count >= 2, let first = members.first, let last = members.last,
                  members.dropFirst().allSatisfy({ $0.floor! > first.floor! }),
                  let lastCI = last.floorCI95, let firstCI = first.floorCI95, lastCI.lower > firstCI.upper else { continue }
            for i in out.indices where out[i].kind == .plateaued {
                guard let member = members.first(where: { $0.series == out[i].series }), member.key > first.key else { continue }
                out[i].kind = .collapsed
                out[i].reasons.append("the family's floor rises with \(family.column): \(short(first.floor!)) at \(family.column) = \(short(first.key)), \(short(member.floor!)) here (\(family.column) = \(short(member.key))), \(short(last.floor!)) at the last")
            }
        }
        return out
    }
}
