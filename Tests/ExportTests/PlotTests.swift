import Analysis
import Export
import Fit
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import RealModule
import ScalefitCore
import Testing

@Suite("SVG plots")
struct PlotTests {
    /// A saturating curve E = 0.5, A = 10, α = 0.3 (no noise) on 12 points from 10³ to 10^8.5.
    static let series: Series = {
        let x = (0..<12).map { Foundation.pow(10, 3 + 0.5 * Double($0)) }
        return Series(run: "curve", metric: "loss", x: x, values: x.map { 0.5 + 10 * Foundation.pow($0, -0.3) })
    }()

    static func fitted(holdout: Int = 0) throws -> SeriesFit {
        var options = FitOptions()
        options.holdout = holdout
        return try SeriesFit(result: try SaturatingLaw().fit(to: series, options: options), law: SaturatingLaw())
    }

    @Test("log axis: a tick at every power of ten, labelled 10ⁿ beyond 1000")
    func decadeTicks() {
        let axis = PlotAxis(lower: 50, upper: 2e8, logarithmic: true)
        let major = axis.ticks().major
        #expect(major.map(\.value) == [100, 1000, 1e4, 1e5, 1e6, 1e7, 1e8])
        #expect(major.map(\.label) == ["100", "1000", "10⁴", "10⁵", "10⁶", "10⁷", "10⁸"])
    }

    @Test("log axis under three decades also labels 2× and 5×; under half a decade every multiple")
    func narrowTicks() {
        let axis = PlotAxis(lower: 4e-4, upper: 0.08, logarithmic: true)
        #expect(axis.ticks().major.map(\.label) == ["5×10⁻⁴", "0.001", "0.002", "0.005", "0.01", "0.02", "0.05"])
        let narrow = PlotAxis(lower: 0.31, upper: 0.9, logarithmic: true)
        #expect(narrow.ticks().major.map(\.label) == ["0.4", "0.5", "0.6", "0.7", "0.8", "0.9"])
    }

    @Test("every axis has at least three labelled ticks, however narrow or wide its range")
    func threeTicksEverywhere() {
        for (lo, hi) in [(0.28, 1.05), (2.2, 4.4), (0.31, 0.39), (0.5, 0.8), (1.0, 1.5), (0.9, 1.1), (3e5, 3e11), (1e-5, 2e-5), (95.0, 105.0), (0.45, 1.3)] {
            let ticks = PlotAxis(lower: lo, upper: hi, logarithmic: true).ticks().major
            #expect(ticks.count >= 3, "[\(lo), \(hi)]: \(ticks.map(\.label))")
            #expect(ticks.allSatisfy { $0.value >= lo * (1 - 1e-9) && $0.value <= hi * (1 + 1e-9) }, "[\(lo), \(hi)]: \(ticks.map(\.label))")
            #expect(Set(ticks.map(\.label)).count == ticks.count, "[\(lo), \(hi)]: \(ticks.map(\.label))")
            let linear = PlotAxis(lower: lo, upper: hi, logarithmic: false).ticks().major
            #expect(linear.count >= 3, "linear [\(lo), \(hi)]: \(linear.map(\.label))")
        }
        // The NMT curve's range: 0.3 to 0.95 gets 0.3 … 0.9, not a lone 0.5.
        #expect(PlotAxis(lower: 0.29, upper: 0.95, logarithmic: true).ticks().major.map(\.label) == ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"])
        // A range inside one integer step gets round numbers on a linear step.
        #expect(PlotAxis(lower: 2.2, upper: 4.4, logarithmic: true).ticks().major.map(\.label) == ["2.5", "3", "3.5", "4"])
    }

    @Test("linear axis ticks are round numbers and include 0")
    func linearTicks() {
        let axis = PlotAxis(lower: -0.23, upper: 0.23, logarithmic: false)
        #expect(axis.ticks().major.map(\.label) == ["-0.2", "-0.1", "0", "0.1", "0.2"])
    }

    @Test("positions: the ends of a log axis map to 0 and 1, its geometric middle to 1/2")
    func fractions() {
        let axis = PlotAxis(lower: 10, upper: 1000, logarithmic: true)
        #expect(axis.fraction(10).isApproximatelyEqual(to: 0, absoluteTolerance: 1e-12))
        #expect(axis.fraction(1000).isApproximatelyEqual(to: 1, absoluteTolerance: 1e-12))
        #expect(axis.fraction(100).isApproximatelyEqual(to: 0.5, absoluteTolerance: 1e-12))
    }

    @Test("a fit plot has data, the fit solid, the extrapolation dashed, the band, held-out points and residuals")
    func fitPlot() throws {
        let fit = try Self.fitted(holdout: 2)
        let layer = FitPlotting.layer(series: Self.series, fit: fit)
        #expect(layer.heldOut == [10, 11])
        #expect(layer.curve?.fittedUpTo == Self.series.x[9])
        let svg = SVGPlot.render(Plot(title: "t", xLabel: "n", yLabel: "loss", layers: [layer]))
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.components(separatedBy: "class=\"data\"").count - 1 == 10)
        #expect(svg.components(separatedBy: "<circle class=\"held-out\"").count - 1 == 2)
        #expect(svg.contains("class=\"fit\""))
        #expect(svg.contains("class=\"extrapolation\""))
        #expect(svg.contains("class=\"confidence-band\""))
        #expect(svg.components(separatedBy: "class=\"residual").count - 1 == 12)
        #expect(svg.contains(">10⁵<"))
        try XMLCheck.wellFormed(svg)
    }

    @Test("the fitted values behind the residuals are the law at the data (noiseless data: residuals ≈ 0)")
    func residualsVanishOnExactData() throws {
        let fit = try Self.fitted()
        let layer = FitPlotting.layer(series: Self.series, fit: fit)
        let fitted = try #require(layer.fitted)
        for (y, f) in zip(Self.series.values, fitted) {
            #expect(y.isApproximatelyEqual(to: f, relativeTolerance: 1e-6))
        }
    }

    @Test("breakpoints and plateaus are drawn shaded, with legend entries")
    func markers() throws {
        let layer = PlotLayer(name: "s", x: [1, 10, 100, 1000], y: [1, 0.5, 0.4, 0.4])
        let plot = Plot(
            title: "m", xLabel: "x", yLabel: "y", layers: [layer],
            markers: [.breakpoint(x: 30, ci95: (20, 45)), .plateau(level: 0.4, fromX: 100, toX: 1000)])
        let svg = SVGPlot.render(plot)
        #expect(svg.contains("class=\"breakpoint\""))
        #expect(svg.contains("class=\"breakpoint-ci\""))
        #expect(svg.contains("class=\"plateau\""))
        #expect(svg.contains("breakpoint (95% CI)"))
        try XMLCheck.wellFormed(svg)
    }

    @Test("a family is coloured along the scale by its key, and labelled by it")
    func family() {
        let series = [0.0, 1, 2].map { g in
            Series(run: "g\(Int(g))", metric: "loss", x: [1, 10, 100], values: [1, 0.5 + 0.1 * g, 0.3 + 0.1 * g],
                   labels: g == 0 ? [:] : ["generation": "\(Int(g))"])
        }
        let family = FitPlotting.family(of: series)
        #expect(family?.key == "generation")
        #expect(family?.values == [0, 1, 2])
        let layers = series.enumerated().map { i, s in FitPlotting.layer(series: s, fit: nil, familyValue: family?.values[i]) }
        let svg = SVGPlot.render(Plot(title: "f", xLabel: "x", yLabel: "y", layers: layers, familyLabel: "generation"))
        #expect(svg.contains(SVGPlot.familyColour(0)))
        #expect(svg.contains(SVGPlot.familyColour(1)))
        #expect(svg.contains(">generation 2<"))
    }

    @Test("W&B min/max bands become a shaded polygon; labels are XML-escaped")
    func bandsAndEscaping() throws {
        let layer = PlotLayer(name: "a<b & \"c\"", x: [1, 2, 4, 8], y: [4, 3, 2, 1], bandLower: [3.5, 2.5, 1.5, 0.8], bandUpper: [4.5, 3.5, 2.5, 1.2])
        let svg = SVGPlot.render(Plot(title: "x < y", xLabel: "x", yLabel: "y", layers: [layer]))
        #expect(svg.contains("class=\"minmax-band\""))
        #expect(svg.contains("a&lt;b &amp; &quot;c&quot;"))
        #expect(!svg.contains("a<b"))
        try XMLCheck.wellFormed(svg)
    }

    @Test("non-positive values switch the axis to linear instead of dropping them")
    func linearFallback() {
        let layer = PlotLayer(name: "g", x: [0, 1, 2, 3], y: [0.1, 0.2, 0.3, 0.35])
        let svg = SVGPlot.render(Plot(title: "g", xLabel: "generation", yLabel: "floor", layers: [layer]))
        #expect(svg.components(separatedBy: "class=\"data\"").count - 1 == 4)
    }

    @Test("more than four series that are not a family: one panel per series, titled in full, on shared axes")
    func smallMultiples() throws {
        let layers = (0..<7).map { k in
            PlotLayer(name: "a long run name number \(k) with/slashes,and commas", x: [1, 10, 100, 1000], y: [1, 0.6, 0.4, 0.3].map { $0 * (1 + 0.1 * Double(k)) })
        }
        let plot = Plot(title: "t", xLabel: "N (parameters)", yLabel: "loss", layers: layers)
        #expect(SVGPlot.arrangement(of: plot) == .smallMultiples(columns: 3, rows: 3))
        let svg = SVGPlot.render(plot)
        #expect(svg.components(separatedBy: "<rect class=\"panel\"").count - 1 == 7)
        #expect(svg.components(separatedBy: "<clipPath id=\"plot-panel").count - 1 == 7)
        // Every name is there in full (wrapped over lines, never cut).
        let titles = svg.components(separatedBy: "class=\"panel-title\"").dropFirst().map { $0.split(separator: ">", maxSplits: 1)[1].prefix { $0 != "<" } }
        for k in 0..<7 {
            let name = "a long run name number \(k) with/slashes,and commas"
            #expect(titles.joined(separator: " ").replacingOccurrences(of: " ", with: "").contains(name.replacingOccurrences(of: " ", with: "")))
        }
        #expect(!svg.contains("…"))
        // Shared axes: the x tick labels are drawn under the bottom panel of each column only.
        #expect(svg.components(separatedBy: ">100<").count - 1 == 3)
        // Up to four series, or a family of any size, share one panel.
        #expect(SVGPlot.arrangement(of: Plot(title: "t", xLabel: "x", yLabel: "y", layers: Array(layers.prefix(4)))) == .overlay)
        #expect(SVGPlot.arrangement(of: Plot(title: "t", xLabel: "x", yLabel: "y", layers: layers, familyLabel: "generation")) == .overlay)
        try XMLCheck.wellFormed(svg)
    }

    @Test("a family's colours are spread by rank: generations 0, 1, 2, 50 get four distinct, evenly spaced colours")
    func familyByRank() {
        let expected: [Double] = [0, 1.0 / 3, 2.0 / 3, 1]
        #expect(SVGPlot.familyPositions([0, 1, 2, 50]) == expected)
        #expect(SVGPlot.familyPositions([5, 5, 7]) == [0, 0, 1])
        let colours = Set(SVGPlot.familyPositions([0, 1, 2, 50]).map { SVGPlot.familyColour($0) })
        #expect(colours.count == 4)
    }

    @Test("a single fit draws both bands, each named in the legend")
    func bothBands() throws {
        let fit = try Self.fitted()
        let layer = FitPlotting.layer(series: Self.series, fit: fit)
        let c = try #require(layer.curve)
        let (lower, upper) = (try #require(c.lower), try #require(c.upper))
        let (pLower, pUpper) = (try #require(c.predictionLower), try #require(c.predictionUpper))
        // The prediction band holds the confidence band wherever both are defined.
        for i in c.x.indices where lower[i].isFinite && pLower[i].isFinite {
            let below: Bool = pLower[i] <= lower[i] * (1 + 1e-12)
            let above: Bool = pUpper[i] >= upper[i] * (1 - 1e-12)
            #expect(below && above)
        }
        let svg = SVGPlot.render(Plot(title: "t", xLabel: "n", yLabel: "loss", layers: [layer]))
        #expect(svg.contains("class=\"confidence-band\"") && svg.contains("class=\"prediction-band\""))
        #expect(svg.contains("95% confidence band") && svg.contains("95% prediction band"))
    }

    @Test("thinning keeps the first, last, lowest and highest point of each column, and every held-out point")
    func thinning() {
        // 100,000 points over 10 columns; in each column a spike up and one down.
        let count = 100_000
        var y = (0..<count).map { Foundation.sin(Double($0) / 500) }
        for c in 0..<10 { y[c * 10_000 + 1234] = 5 + Double(c); y[c * 10_000 + 5678] = -5 - Double(c) }
        let kept = PlotThinning.indices(count: count, limit: 1000, always: [77_777], columns: 10, column: { $0 / 10_000 }, value: { y[$0] })
        #expect(kept.count <= 41)
        #expect(kept == kept.sorted())
        for c in 0..<10 {
            for i in [c * 10_000, c * 10_000 + 9_999, c * 10_000 + 1234, c * 10_000 + 5678] { #expect(kept.contains(i), "column \(c): \(i)") }
        }
        #expect(kept.contains(77_777))
        // The drawn extremes are the data's extremes.
        let keptValues: [Double] = kept.map { y[$0] }
        #expect(keptValues.max() == y.max())
        #expect(keptValues.min() == y.min())
        // Under the limit nothing is dropped.
        #expect(PlotThinning.indices(count: 500, limit: 1000, columns: 10, column: { $0 / 50 }, value: { Double($0) }) == Array(0..<500))
    }

    @Test("a long series is drawn thinned, and the plot says how many points it drew of how many")
    func longSeriesNote() throws {
        let x = (1...200_000).map(Double.init)
        let layer = PlotLayer(name: "long", x: x, y: x.map { 2 + 5 * Foundation.pow($0, -0.3) })
        let svg = SVGPlot.render(Plot(title: "t", xLabel: "step", yLabel: "loss", layers: [layer]))
        let points = try #require(svg.components(separatedBy: "<polyline class=\"data\" points=\"").dropFirst().first?.prefix { $0 != "\"" })
        let drawn = points.split(separator: " ").count
        #expect(drawn < 4_000)
        #expect(svg.contains("200,000 points, \(PlotText.count(drawn)) drawn"))
        #expect(svg.utf8.count < 150_000)
    }

    @Test("a Chinchilla fit on an isoFLOP sweep: one curve per budget, each lowest where the closed form puts N_opt, and the frontier through them")
    func twoInputProfiles() throws {
        // L = E + A/N^α + B/D^β with Hoffmann et al.'s estimates; three budgets, five N each.
        let p = [1.69, 406.4, 410.7, 0.34, 0.28]
        let law = try #require(LawCatalog.law(named: "chinchilla"))
        var n: [Double] = [], d: [Double] = []
        for c in [1e18, 1e19, 1e20] {
            for k in 0..<5 {
                let size = Foundation.pow(10, Foundation.log10(c) / 2 - 1.5 + 0.4 * Double(k))
                n.append(size)
                d.append(c / (6 * size))
            }
        }
        let series = Series(run: "sweep", metric: "loss", x: n, x2: d, values: zip(n, d).map { law.value($0, $1, parameters: p) })
        let (profiles, frontier) = FitPlotting.twoInputCurves(series: series, law: law, parameters: p)
        #expect(profiles.map(\.label) == ["C = 1×10¹⁸", "C = 1×10¹⁹", "C = 1×10²⁰"])
        #expect(profiles.map(\.points) == [Array(0..<5), Array(5..<10), Array(10..<15)])
        for (profile, c) in zip(profiles, [1e18, 1e19, 1e20]) {
            let closed = try #require(ComputeOptimal.chinchillaOptimum(p, compute: c))
            let optimum = try #require(profile.optimum)
            #expect(optimum.x.isApproximatelyEqual(to: closed.n, relativeTolerance: 1e-9))
            // No point of the drawn curve lies below the optimum.
            #expect(profile.curve.value.allSatisfy { $0 >= optimum.y * (1 - 1e-12) })
            // The curve runs through the data of its budget.
            for i in profile.points {
                let at = law.value(n[i], c / (6 * n[i]), parameters: p)
                #expect(at.isApproximatelyEqual(to: series.values[i], relativeTolerance: 1e-6))
            }
        }
        let front = try #require(frontier)
        #expect(front.x.count == 40)
        let rising: Bool = zip(front.x, front.x.dropFirst()).allSatisfy { (a: Double, b: Double) in a < b }
        let falling: Bool = zip(front.value, front.value.dropFirst()).allSatisfy { (a: Double, b: Double) in a > b }
        #expect(rising && falling)
        var layer = FitPlotting.layer(series: series, fit: nil)
        layer.profiles = profiles
        layer.frontier = frontier
        let svg = SVGPlot.render(Plot(title: "t", xLabel: "N (parameters)", yLabel: "loss", layers: [layer]))
        #expect(svg.components(separatedBy: "class=\"fit\"").count - 1 == 3)
        #expect(svg.contains("class=\"frontier\"") && svg.components(separatedBy: "class=\"optimum\"").count - 1 == 3)
        #expect(svg.contains("C = 1×10¹⁹") && svg.contains("compute-optimal frontier"))
    }

    @Test("labels wrap at separators, never lose a character, and keep numbers whole")
    func wrapping() {
        let name = "NMT/log_perplexity/6 Enc, 28 Dec/a-very-long-name-without-spaces-at-all"
        let lines = PlotText.wrap(name, maxWidth: 120, size: 11)
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { PlotText.width($0, size: 11) <= 120 })
        #expect(lines.joined().replacingOccurrences(of: " ", with: "") == name.replacingOccurrences(of: " ", with: ""))
        #expect(!PlotText.wrap("2,000,000 points drawn as 2,332", maxWidth: 60, size: 11).contains { $0.hasSuffix("2,") || $0.hasPrefix("000") })
        #expect(PlotText.count(2_000_000) == "2,000,000" && PlotText.count(999) == "999")
    }

    @Test("axis names carry the column's unit; the title names a law only when every series had it")
    func labels() {
        #expect(PlotLabels.inputAxis(column: "N") == "N (parameters)")
        #expect(PlotLabels.inputAxis(column: "Seen Examples") == "Seen Examples")
        #expect(PlotLabels.valueAxis(metrics: ["loss", "loss"]) == "loss")
        #expect(PlotLabels.valueAxis(metrics: ["a", "b", "c", "d"]).hasPrefix("value"))
        #expect(PlotLabels.lawSuffix(["saturating", "saturating"]) == " — saturating")
        #expect(PlotLabels.lawSuffix(["saturating", "m4"]) == " — best law per series")
        #expect(PlotLabels.lawSuffix([]) == "")
    }
}

/// Checks that text parses as XML (Foundation's parser).
enum XMLCheck {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func wellFormed(_ text: String) throws {
        let parser = XMLParser(data: Data(text.utf8))
        guard parser.parse() else {
            throw Failure(description: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "unknown") at line \(parser.lineNumber)")
        }
    }
}

@Suite("Jupyter notebooks")
struct NotebookTests {
    @Test("nbformat 4.5 structure: cells with ids, sources as lines, a python3 kernel; data and estimates embedded")
    func structure() throws {
        let fit = try PlotTests.fitted(holdout: 2).result
        let text = Notebook.render(
            title: "t", entries: [.init(series: PlotTests.series, fit: fit)],
            inputs: [InputRecord(path: "/somewhere/deep/curve.csv", sha256: String(repeating: "a", count: 64))], toolVersion: "0.1.0")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["nbformat"] as? Int == 4)
        #expect(object["nbformat_minor"] as? Int == 5)
        let kernel = (object["metadata"] as? [String: Any])?["kernelspec"] as? [String: Any]
        #expect(kernel?["name"] as? String == "python3")
        let cells = try #require(object["cells"] as? [[String: Any]])
        let ids = cells.compactMap { $0["id"] as? String }
        #expect(ids.count == cells.count && Set(ids).count == ids.count)
        for cell in cells {
            let lines = try #require(cell["source"] as? [String])
            #expect(lines.dropLast().allSatisfy { $0.hasSuffix("\n") })
            if cell["cell_type"] as? String == "code" { #expect(cell["outputs"] as? [Any] != nil) }
        }
        let code = cells.filter { $0["cell_type"] as? String == "code" }.map { ($0["source"] as! [String]).joined() }
        // The estimates, shortest round-trip form, and the last x, are in the set-up cell.
        #expect(code[0].contains("\(fit.values[2])"))
        #expect(code[0].contains("316227766.01683"))
        #expect(code.last?.contains("1e-3 * abs(ours)") == true)
        // Provenance by file name only: no machine paths.
        #expect(!text.contains("/somewhere"))
        #expect(text.contains("curve.csv"))
    }

    @Test("every law of the zoo has a numpy twin")
    func everyLaw() {
        for law in LawCatalog.all { #expect(Notebook.supports(law.name), "\(law.name)") }
    }
}
