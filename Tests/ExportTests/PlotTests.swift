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
