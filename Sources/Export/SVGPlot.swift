import Foundation
import ScalefitCore

/// Draws a ``Plot`` as a standalone SVG document (text; write it with `AtomicWriter`).
///
/// Arrangement (``arrangement(of:)``): one series is one panel with a residual panel below
/// sharing its x axis; a family (a `generation`, `synthetic_fraction` … label) or up to
/// ``overlayLimit`` series share one panel, each named in the legend (a family on a discrete
/// colour scale ordered by its value, so every member is told apart); more series than that
/// are small multiples: one panel per series, titled with its full name and law, on shared
/// axes.
///
/// Each panel shows the data (a long series thinned for drawing to the first, last, lowest
/// and highest point of each pixel column, and the plot says how many were drawn), W&B
/// min/max bands, fitted curves solid over the fitted range and dashed where extrapolated,
/// their 95% confidence band (the mean curve) and 95% prediction band (a new observation),
/// held-out points as open circles, breakpoints and plateaus, and for a two-input law the
/// curves at the data's fixed second input (or compute budget) with the compute-optimal
/// frontier. Every axis has at least three labelled ticks; labels are placed so that none
/// overlaps another; legend names are wrapped, never cut.
///
/// ```swift
/// let svg = SVGPlot.render(plot)   // "<svg xmlns=… viewBox=\"0 0 760 560\">…</svg>\n"
/// ```
public enum SVGPlot {
    /// The SVG text of `plot`.
    public static func render(_ plot: Plot) -> String {
        var canvas = Canvas(plot: plot)
        return canvas.draw()
    }

    /// How the layers of a plot are laid out.
    public enum Arrangement: Equatable, Sendable {
        case single
        case overlay
        case smallMultiples(columns: Int, rows: Int)
    }

    /// The most series drawn on one panel when they are not a family.
    public static let overlayLimit = 4

    /// One panel for one series, a family or a few series; a grid of panels beyond.
    public static func arrangement(of plot: Plot) -> Arrangement {
        let count = plot.layers.count
        if count <= 1 { return .single }
        if plot.familyLabel != nil || count <= overlayLimit { return .overlay }
        // At most four columns: the grid then fits the report's page (1,180 px) at full size.
        let columns = min(4, Int(Double(count).squareRoot().rounded(.up)))
        return .smallMultiples(columns: columns, rows: (count + columns - 1) / columns)
    }

    /// Colours for a family: a perceptually ordered scale from dark purple to yellow
    /// (the end points and mid stops of matplotlib's viridis, linearly interpolated).
    public static func familyColour(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37),
        ]
        let u = min(max(t.isFinite ? t : 0, 0), 1) * 0.85  // stop before the pale yellow end (unreadable on white)
        let position = u * Double(stops.count - 1)
        let i = min(Int(position), stops.count - 2)
        let f = position - Double(i)
        func mix(_ a: Double, _ b: Double) -> Int { Int((a + (b - a) * f).rounded()) }
        let (r0, g0, b0) = stops[i], (r1, g1, b1) = stops[i + 1]
        return hex(mix(r0, r1), mix(g0, g1), mix(b0, b1))
    }

    /// Colours for a few series that are not a family (Okabe & Ito's colour-blind-safe set).
    public static let categorical = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]

    /// Each value's place on a discrete family scale: its rank among the distinct values,
    /// over [0, 1]. Generations 0, 1, 2, 5, 50 get evenly spaced colours, not 0, 0.02 … 1.
    public static func familyPositions(_ values: [Double]) -> [Double] {
        let distinct = Array(Set(values.filter(\.isFinite))).sorted()
        guard distinct.count > 1 else { return values.map { _ in 0 } }
        return values.map { v in
            guard let rank = distinct.firstIndex(of: v) else { return 0 }
            return Double(rank) / Double(distinct.count - 1)
        }
    }

    static func hex(_ r: Int, _ g: Int, _ b: Int) -> String {
        "#" + [r, g, b].map { String(format: "%02x", $0) }.joined()
    }

    /// XML text escaping for labels. Characters XML 1.0 forbids even as references (most
    /// C0 controls, U+FFFE, U+FFFF) and those HTML calls errors (DEL, C1) are shown as
    /// `\xHH` text (``VisibleText``), so a name from a log cannot make the file ill-formed.
    static func escaped(_ raw: String) -> String {
        let text = VisibleText.escaped(raw, keeping: "\t\n\r")
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// One plotting area: where it is, which layers it shows, which of its axes carry labels.
private struct Panel {
    var x0: Double, y0: Double, x1: Double, y1: Double
    var layers: [Int]
    var title: [String] = []
    var subtitle: String?
    var xLabels: Bool
    var yLabels: Bool
    /// The residual panel's top and bottom, when there is one.
    var residual: (y0: Double, y1: Double)?
    var width: Double { x1 - x0 }
}

/// One legend line: a symbol drawn at (x, y) and its text.
private struct LegendEntry {
    var symbol: (Double, Double) -> String
    var text: String
    var heading = false
    /// The height taken when the symbol is taller than the text (a colour bar).
    var height: Double? = nil
}

/// The drawing state: panels, axes, colours and the output text.
private struct Canvas {
    let plot: Plot
    let arrangement: SVGPlot.Arrangement
    var out = ""
    var width: Double
    var height: Double
    let left = 78.0
    let legendWidth = 210.0
    let xAxis: PlotAxis
    let yAxis: PlotAxis
    let residualAxis: PlotAxis
    var panels: [Panel] = []
    var titleLines: [String] = []
    var notes: [String] = []
    /// Per layer: the indices of the points drawn, and of the residuals drawn.
    var drawn: [[Int]] = []
    var drawnResiduals: [[Int]] = []
    var residuals: [[Double]] = []
    let familyPositions: [Double]
    var placer = LabelPlacer()
    let single = (points: "#1f4e79", curve: "#d95f02")
    let grey = "#555555"

    static let smallPanel = (width: 190.0, height: 130.0, gapX: 24.0, gapY: 10.0)

    init(plot: Plot) {
        self.plot = plot
        arrangement = SVGPlot.arrangement(of: plot)
        width = plot.width
        height = plot.height
        familyPositions = SVGPlot.familyPositions(plot.layers.enumerated().map { $1.familyValue ?? Double($0) })

        // Axes shared by every panel.
        var xs: [Double] = [], ys: [Double] = [], allResiduals: [Double] = []
        for layer in plot.layers {
            xs += layer.x
            ys += layer.y
            for curve in [layer.curve, layer.frontier].compactMap({ $0 }) + layer.profiles.map(\.curve) {
                xs += curve.x
                ys += curve.value
            }
            for marker in layer.markers + plot.markers {
                if case .plateau(let level, _, _) = marker { ys.append(level) }
            }
            var r: [Double] = []
            if let fitted = layer.fitted {
                r = layer.y.indices.map { i in
                    guard fitted[i].isFinite, layer.y[i].isFinite else { return .nan }
                    return plot.residualsInLogSpace
                        ? (layer.y[i] > 0 && fitted[i] > 0 ? Foundation.log(layer.y[i] / fitted[i]) : .nan)
                        : layer.y[i] - fitted[i]
                }
                allResiduals += r.filter(\.isFinite)
            }
            residuals.append(r)
            if let lo = layer.bandLower { ys += lo }
            if let hi = layer.bandUpper { ys += hi }
        }
        let dataY = plot.layers.flatMap(\.y).filter { $0.isFinite }
        // Curves may run far below the data when extrapolated; clip the axis to a decade below.
        if let minData = dataY.filter({ $0 > 0 }).min() {
            ys = ys.filter { !($0 > 0) || $0 >= minData / 10 }
        }
        let xLog = xs.filter { $0.isFinite }.allSatisfy { $0 > 0 } && !xs.isEmpty
        let yLog = dataY.allSatisfy { $0 > 0 } && !dataY.isEmpty
        xAxis = PlotAxis(covering: xs, logarithmic: xLog)
        yAxis = PlotAxis(covering: ys, logarithmic: yLog)
        let largest = allResiduals.map(abs).max() ?? 1
        let r = largest > 0 ? largest * 1.15 : 1
        residualAxis = PlotAxis(lower: -r, upper: r, logarithmic: false)
        layout(hasResiduals: !allResiduals.isEmpty)
    }

    // MARK: Layout

    /// Places the panels, the title and the notes; thins long series for the panel widths.
    mutating func layout(hasResiduals: Bool) {
        // Horizontal first: the thinning depends on the panels' widths.
        var columns = 1, rows = 1
        var panelWidth = width - legendWidth - left
        if case .smallMultiples(let c, let r) = arrangement {
            columns = c
            rows = r
            panelWidth = Self.smallPanel.width
            width = left + Double(c) * panelWidth + Double(c - 1) * Self.smallPanel.gapX + 20 + legendWidth
        }
        thin(panelWidth: panelWidth)
        titleLines = PlotText.wrap(plot.title, maxWidth: width - left - 10, size: 15)
        var top = 24.0 + 19 * Double(titleLines.count - 1)
        for note in notes { top += 14 * Double(PlotText.wrap(note, maxWidth: width - left - 10, size: 11).count) }
        top += 20

        switch arrangement {
        case .single, .overlay:
            let extra = top - 44
            height = plot.height + max(0, extra)
            let bottom = height - 62
            let mainBottom = hasResiduals ? bottom - 110 - 22 : bottom
            panels = [Panel(
                x0: left, y0: top, x1: width - legendWidth, y1: mainBottom, layers: Array(plot.layers.indices),
                xLabels: !hasResiduals, yLabels: true, residual: hasResiduals ? (bottom - 110, bottom) : nil)]
        case .smallMultiples:
            let titleSize = 11.0
            let titles = plot.layers.map { PlotText.wrap($0.name, maxWidth: panelWidth, size: titleSize) }
            let subtitles = plot.layers.map { layer -> String? in layer.curve.map(\.label) ?? (layer.profiles.isEmpty ? nil : "fit") }
            let titleHeight = 14 * Double(titles.map(\.count).max() ?? 1) + (subtitles.contains { $0 != nil } ? 14 : 0) + 4
            let rowHeight = titleHeight + Self.smallPanel.height + Self.smallPanel.gapY
            for (index, layer) in plot.layers.indices.enumerated() {
                let column = index % columns, row = index / columns
                let x0 = left + Double(column) * (panelWidth + Self.smallPanel.gapX)
                let y0 = top + Double(row) * rowHeight + titleHeight
                // x tick labels where no panel sits below; y tick labels on the first column.
                let below = index + columns < plot.layers.count
                panels.append(Panel(
                    x0: x0, y0: y0, x1: x0 + panelWidth, y1: y0 + Self.smallPanel.height, layers: [layer],
                    title: titles[layer], subtitle: subtitles[layer], xLabels: !below, yLabels: column == 0))
            }
            height = top + Double(rows) * rowHeight + 60
        }
    }

    /// Chooses the points to draw of each layer (all of them up to four per pixel column).
    mutating func thin(panelWidth: Double) {
        let columns = Int(panelWidth.rounded(.up)) * 2 + 2
        var thinned: [(String, Int, Int)] = []
        for (index, layer) in plot.layers.enumerated() {
            let limit = Int(panelWidth) * 4
            let column: (Int) -> Int? = { i in
                let f = xAxis.fraction(layer.x[i])
                guard f.isFinite, f >= 0, f <= 1 else { return nil }
                return Int(f * Double(columns - 2))
            }
            let points = PlotThinning.indices(
                count: layer.x.count, limit: limit, always: layer.heldOut, columns: columns, column: column, value: { layer.y[$0] })
            drawn.append(points)
            let r = residuals[index]
            drawnResiduals.append(r.isEmpty ? [] : PlotThinning.indices(
                count: r.count, limit: limit, always: layer.heldOut, columns: columns, column: column, value: { r[$0] }))
            if points.count < layer.x.count { thinned.append((layer.name, layer.x.count, points.count)) }
        }
        if thinned.count == 1, let (name, total, kept) = thinned.first {
            let who = plot.layers.count == 1 ? "" : " of \(name)"
            notes.append("\(PlotText.count(total)) points\(who), \(PlotText.count(kept)) drawn: the first, last, lowest and highest of each half-pixel column (fits use every point)")
        } else if thinned.count > 1 {
            let total = thinned.map(\.1).reduce(0, +), kept = thinned.map(\.2).reduce(0, +)
            notes.append("\(thinned.count) long series thinned for drawing: \(PlotText.count(total)) points, \(PlotText.count(kept)) drawn (first, last, lowest and highest of each half-pixel column; fits used every point)")
        }
    }

    // MARK: Coordinates and colours

    func px(_ x: Double, _ p: Panel) -> Double { p.x0 + xAxis.fraction(x) * (p.x1 - p.x0) }
    func py(_ y: Double, _ p: Panel) -> Double { p.y1 - yAxis.fraction(y) * (p.y1 - p.y0) }
    func ry(_ r: Double, _ p: Panel) -> Double {
        guard let (t, b) = p.residual else { return 0 }
        return b - residualAxis.fraction(r) * (b - t)
    }

    /// `%.2f`, without Foundation's formatter (thousands of coordinates per plot).
    func n(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let scaled = (v * 100).rounded()
        guard abs(scaled) < 1e15 else { return String(format: "%.2f", v) }
        let i = Int(scaled), a = abs(i)
        let fraction = a % 100
        return (i < 0 ? "-" : "") + String(a / 100) + (fraction < 10 ? ".0" : ".") + String(fraction)
    }

    var isOverlay: Bool { arrangement == .overlay }
    var isFamily: Bool { isOverlay && plot.familyLabel != nil }

    func colour(of index: Int) -> (points: String, curve: String) {
        guard isOverlay else { return single }
        if isFamily {
            let c = SVGPlot.familyColour(familyPositions[index])
            return (c, c)
        }
        let c = SVGPlot.categorical[index % SVGPlot.categorical.count]
        return (c, c)
    }

    func profileColour(_ k: Int, of count: Int) -> String {
        SVGPlot.familyColour(count > 1 ? Double(k) / Double(count - 1) : 0)
    }

    func inRange(_ axis: PlotAxis, _ value: Double) -> Bool {
        let f = axis.fraction(value)
        return f.isFinite && f >= -1e-9 && f <= 1 + 1e-9
    }

    func drawable(_ x: Double, _ y: Double) -> Bool {
        x.isFinite && y.isFinite && (!xAxis.isLogarithmic || x > 0) && (!yAxis.isLogarithmic || y > 0)
    }

    // MARK: Drawing

    mutating func draw() -> String {
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        out += "<title>\(SVGPlot.escaped(plot.title))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(n(width))\" height=\"\(n(height))\" fill=\"#ffffff\"/>\n"
        out += "<defs>"
        for (k, p) in panels.enumerated() {
            out += "<clipPath id=\"\(plot.identifier)-panel\(k)\"><rect x=\"\(n(p.x0))\" y=\"\(n(p.y0))\" width=\"\(n(p.width))\" height=\"\(n(p.y1 - p.y0))\"/></clipPath>"
            if let (t, b) = p.residual {
                out += "<clipPath id=\"\(plot.identifier)-residuals\(k)\"><rect x=\"\(n(p.x0))\" y=\"\(n(t))\" width=\"\(n(p.width))\" height=\"\(n(b - t))\"/></clipPath>"
            }
        }
        out += "</defs>\n"
        var y = 24.0
        for line in titleLines {
            out += "<text class=\"title\" x=\"\(n(left))\" y=\"\(n(y))\" font-size=\"15\" font-weight=\"bold\">\(SVGPlot.escaped(line))</text>\n"
            y += 19
        }
        y -= 5
        for note in notes {
            for line in PlotText.wrap(note, maxWidth: width - left - 10, size: 11) {
                out += "<text class=\"note\" x=\"\(n(left))\" y=\"\(n(y))\" font-size=\"11\" fill=\"#555555\">\(SVGPlot.escaped(line))</text>\n"
                y += 14
            }
        }
        for (k, panel) in panels.enumerated() { drawPanel(panel, k) }
        // Axis names: centred under the panels, and along the left edge.
        let x0 = panels.map(\.x0).min() ?? left, x1 = panels.map(\.x1).max() ?? width - legendWidth
        let y0 = panels.map(\.y0).min() ?? 44, y1 = panels.map(\.y1).max() ?? height - 62
        out += "<text class=\"axis-name\" x=\"\(n((x0 + x1) / 2))\" y=\"\(n(height - 22))\" text-anchor=\"middle\" font-size=\"13\">\(SVGPlot.escaped(plot.xLabel))</text>\n"
        out += "<text class=\"axis-name\" transform=\"translate(18 \(n((y0 + y1) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">\(SVGPlot.escaped(plot.yLabel))</text>\n"
        drawLegend(x: x1 + 18, top: y0)
        out += "</svg>\n"
        return out
    }

    mutating func drawPanel(_ p: Panel, _ k: Int) {
        var titleY = p.y0 - 6 - (p.subtitle == nil ? 0 : 14) - 14 * Double(p.title.count - 1)
        for line in p.title {
            out += "<text class=\"panel-title\" x=\"\(n(p.x0))\" y=\"\(n(titleY))\" font-size=\"11\" font-weight=\"bold\">\(SVGPlot.escaped(line))</text>\n"
            titleY += 14
        }
        if let subtitle = p.subtitle {
            out += "<text class=\"panel-title\" x=\"\(n(p.x0))\" y=\"\(n(titleY))\" font-size=\"11\" fill=\"#555555\">\(SVGPlot.escaped(subtitle))</text>\n"
        }
        drawGrid(p)
        out += "<g clip-path=\"url(#\(plot.identifier)-panel\(k))\">\n"
        drawMarkers(p)
        for i in p.layers { drawBandsAndCurves(plot.layers[i], i, p) }
        for i in p.layers { drawPoints(plot.layers[i], i, p) }
        out += "</g>\n"
        drawFrame(p.x0, p.y0, p.x1, p.y1)
        drawXTicks(p, at: p.y1, labels: p.xLabels)
        drawYTicks(p)
        if p.residual != nil { drawResiduals(p, k) }
    }

    mutating func drawGrid(_ p: Panel) {
        let (major, minor) = xAxis.ticks()
        for value in minor where inRange(xAxis, value) {
            out += "<line x1=\"\(n(px(value, p)))\" y1=\"\(n(p.y0))\" x2=\"\(n(px(value, p)))\" y2=\"\(n(p.y1))\" stroke=\"#f2f2f2\"/>\n"
        }
        for (value, _) in major where inRange(xAxis, value) {
            out += "<line x1=\"\(n(px(value, p)))\" y1=\"\(n(p.y0))\" x2=\"\(n(px(value, p)))\" y2=\"\(n(p.y1))\" stroke=\"#dddddd\"/>\n"
        }
        for (value, _) in yAxis.ticks().major where inRange(yAxis, value) {
            out += "<line x1=\"\(n(p.x0))\" y1=\"\(n(py(value, p)))\" x2=\"\(n(p.x1))\" y2=\"\(n(py(value, p)))\" stroke=\"#dddddd\"/>\n"
        }
    }

    mutating func drawFrame(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) {
        out += "<rect class=\"panel\" x=\"\(n(x0))\" y=\"\(n(y0))\" width=\"\(n(x1 - x0))\" height=\"\(n(y1 - y0))\" fill=\"none\" stroke=\"#333333\"/>\n"
    }

    /// The labelled ticks that fit side by side (or one above the other): every k-th of them,
    /// the smallest k for which no two overlap, keeping a power of ten where there is one.
    func spaced(_ ticks: [(value: Double, label: String)], position: (Double) -> Double, extent: (String) -> Double) -> [(value: Double, label: String)] {
        guard ticks.count > 2 else { return ticks }
        let anchor = ticks.firstIndex { !$0.label.contains("×") && ($0.label.hasPrefix("10") || $0.label == "1" || $0.label.hasPrefix("0.") && $0.label.hasSuffix("1")) } ?? 0
        for k in 1...ticks.count {
            let chosen = ticks.indices.filter { ($0 - anchor) % k == 0 }.map { ticks[$0] }
            let clear = zip(chosen, chosen.dropFirst()).allSatisfy { a, b in
                abs(position(b.value) - position(a.value)) >= (extent(a.label) + extent(b.label)) / 2 + 6
            }
            if clear { return chosen }
        }
        return [ticks[anchor]]
    }

    mutating func drawXTicks(_ p: Panel, at bottom: Double, labels: Bool) {
        let (all, minor) = xAxis.ticks()
        let major = all.filter { inRange(xAxis, $0.value) }
        let labelled = spaced(major, position: { px($0, p) }, extent: { PlotText.width($0, size: 12) })
        let labelledValues = Set(labelled.map(\.value))
        for value in minor where inRange(xAxis, value) {
            out += "<line x1=\"\(n(px(value, p)))\" y1=\"\(n(bottom))\" x2=\"\(n(px(value, p)))\" y2=\"\(n(bottom - 3))\" stroke=\"#333333\"/>\n"
        }
        for (value, label) in major {
            let long = labelledValues.contains(value)
            out += "<line x1=\"\(n(px(value, p)))\" y1=\"\(n(bottom))\" x2=\"\(n(px(value, p)))\" y2=\"\(n(bottom - (long ? 6 : 4)))\" stroke=\"#333333\"/>\n"
            if labels && long {
                out += "<text class=\"tick-label x-tick\" x=\"\(n(px(value, p)))\" y=\"\(n(bottom + 16))\" text-anchor=\"middle\">\(SVGPlot.escaped(label))</text>\n"
            }
        }
    }

    mutating func drawYTicks(_ p: Panel) {
        let (all, minor) = yAxis.ticks()
        let major = all.filter { inRange(yAxis, $0.value) }
        let labelled = spaced(major, position: { py($0, p) }, extent: { _ in 12 })
        let labelledValues = Set(labelled.map(\.value))
        for value in minor where inRange(yAxis, value) {
            out += "<line x1=\"\(n(p.x0))\" y1=\"\(n(py(value, p)))\" x2=\"\(n(p.x0 + 3))\" y2=\"\(n(py(value, p)))\" stroke=\"#333333\"/>\n"
        }
        for (value, label) in major {
            let long = labelledValues.contains(value)
            out += "<line x1=\"\(n(p.x0))\" y1=\"\(n(py(value, p)))\" x2=\"\(n(p.x0 + (long ? 6 : 4)))\" y2=\"\(n(py(value, p)))\" stroke=\"#333333\"/>\n"
            if p.yLabels && long {
                out += "<text class=\"tick-label y-tick\" x=\"\(n(p.x0 - 6))\" y=\"\(n(py(value, p) + 4))\" text-anchor=\"end\">\(SVGPlot.escaped(label))</text>\n"
            }
        }
    }

    /// Breakpoints and plateaus of the panel's layers. Shaded intervals only where one series'
    /// markers are drawn (shading from many series piles up into a background); labels only
    /// on a single panel, placed clear of each other.
    mutating func drawMarkers(_ p: Panel) {
        var all: [(PlotMarker, String)] = plot.markers.map { ($0, "#7f7f7f") }
        for i in p.layers {
            all += plot.layers[i].markers.map { ($0, isOverlay ? colour(of: i).curve : "#7f7f7f") }
        }
        let markedLayers = p.layers.filter { !plot.layers[$0].markers.isEmpty }.count
        let shade = markedLayers <= 1
        let labels = arrangement == .single
        let ordered = all.sorted { a, b in
            func key(_ m: PlotMarker) -> Double { if case .breakpoint(let x, _) = m { x } else { -.infinity } }
            return key(a.0) < key(b.0)
        }
        for (marker, colour) in ordered {
            switch marker {
            case .breakpoint(let x, let ci):
                if shade, let ci, ci.lower.isFinite, ci.upper.isFinite {
                    let a = px(max(ci.lower, xAxis.lower), p), b = px(min(ci.upper, xAxis.upper), p)
                    out += "<rect class=\"breakpoint-ci\" x=\"\(n(min(a, b)))\" y=\"\(n(p.y0))\" width=\"\(n(abs(b - a)))\" height=\"\(n(p.y1 - p.y0))\" fill=\"\(colour)\" fill-opacity=\"0.12\"/>\n"
                }
                guard inRange(xAxis, x) else { continue }
                let at = px(x, p)
                // Many series' breakpoints: a short tick each at the top, not lines across the panel.
                let end = shade ? p.y1 : p.y0 + 12
                out += "<line class=\"breakpoint\" x1=\"\(n(at))\" y1=\"\(n(p.y0))\" x2=\"\(n(at))\" y2=\"\(n(end))\" stroke=\"\(colour)\" stroke-width=\"\(shade ? "1.5" : "2")\"\(shade ? " stroke-dasharray=\"2 3\"" : "")/>\n"
                guard labels else { continue }
                let w = PlotText.width("break", size: 11)
                let candidates = (0..<6).flatMap { row -> [PlotBox] in
                    let base = p.y0 + 14 + 13 * Double(row)
                    return [PlotBox(x0: at + 4, y0: base - 10, x1: at + 4 + w, y1: base + 2),
                            PlotBox(x0: at - 4 - w, y0: base - 10, x1: at - 4, y1: base + 2)]
                }
                if let box = placer.place(candidates, within: PlotBox(x0: p.x0, y0: p.y0, x1: p.x1, y1: p.y1)) {
                    out += "<text class=\"marker-label\" x=\"\(n(box.x0))\" y=\"\(n(box.y1 - 2))\" fill=\"#555555\" font-size=\"11\">break</text>\n"
                }
            case .plateau(let level, let from, let to):
                let a = px(max(from, xAxis.lower), p), b = px(min(to, xAxis.upper), p)
                if shade {
                    out += "<rect class=\"plateau\" x=\"\(n(min(a, b)))\" y=\"\(n(p.y0))\" width=\"\(n(abs(b - a)))\" height=\"\(n(p.y1 - p.y0))\" fill=\"#f2c14e\" fill-opacity=\"0.18\"/>\n"
                }
                if inRange(yAxis, level) {
                    out += "<line class=\"\(shade ? "plateau-level" : "plateau")\" x1=\"\(n(min(a, b)))\" y1=\"\(n(py(level, p)))\" x2=\"\(n(max(a, b)))\" y2=\"\(n(py(level, p)))\" stroke=\"\(colour)\" stroke-width=\"1\" stroke-dasharray=\"6 3\"/>\n"
                }
                guard labels else { continue }
                let w = PlotText.width("plateau", size: 11)
                let candidates = (0..<4).map { row -> PlotBox in
                    let base = p.y1 - 6 - 13 * Double(row)
                    return PlotBox(x0: min(a, b) + 4, y0: base - 10, x1: min(a, b) + 4 + w, y1: base + 2)
                }
                if let box = placer.place(candidates, within: PlotBox(x0: p.x0, y0: p.y0, x1: p.x1, y1: p.y1)) {
                    out += "<text class=\"marker-label\" x=\"\(n(box.x0))\" y=\"\(n(box.y1 - 2))\" fill=\"#8a6d1f\" font-size=\"11\">plateau</text>\n"
                }
            }
        }
    }

    /// A shaded band between `lower` and `upper` over the curve's usable points.
    mutating func band(_ curve: PlotCurve, _ lower: [Double], _ upper: [Double], usable: [Int], class name: String, fill: String, opacity: Double, _ p: Panel) {
        let banded = usable.filter { lower[$0].isFinite && upper[$0].isFinite && (!yAxis.isLogarithmic || lower[$0] > 0) }
        guard banded.count >= 2 else { return }
        let forward = banded.map { "\(n(px(curve.x[$0], p))),\(n(py(upper[$0], p)))" }
        let back = banded.reversed().map { "\(n(px(curve.x[$0], p))),\(n(py(lower[$0], p)))" }
        out += "<polygon class=\"\(name)\" points=\"\((forward + back).joined(separator: " "))\" fill=\"\(fill)\" fill-opacity=\"\(opacity)\" stroke=\"none\"/>\n"
    }

    mutating func drawCurve(_ curve: PlotCurve, colour: String, bands: Bool, _ p: Panel, width: Double = 2) {
        let usable = curve.x.indices.filter { drawable(curve.x[$0], curve.value[$0]) }
        if bands {
            let crowded = isOverlay && plot.layers.count > 1
            // The prediction band under the confidence band; on a shared panel only the latter.
            if !crowded, let lower = curve.predictionLower, let upper = curve.predictionUpper {
                band(curve, lower, upper, usable: usable, class: "prediction-band", fill: colour, opacity: 0.09, p)
            }
            if let lower = curve.lower, let upper = curve.upper {
                band(curve, lower, upper, usable: usable, class: "confidence-band", fill: colour, opacity: crowded ? 0.10 : 0.24, p)
            }
        }
        // Solid over the fitted range, dashed beyond (sharing the joining point).
        let fitted = usable.filter { curve.x[$0] <= curve.fittedUpTo * (1 + 1e-12) }
        var beyond = usable.filter { curve.x[$0] > curve.fittedUpTo * (1 + 1e-12) }
        if let last = fitted.last, !beyond.isEmpty { beyond.insert(last, at: 0) }
        if fitted.count >= 2 {
            out += "<polyline class=\"fit\" points=\"\(fitted.map { "\(n(px(curve.x[$0], p))),\(n(py(curve.value[$0], p)))" }.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(n(width))\"/>\n"
        }
        if beyond.count >= 2 {
            out += "<polyline class=\"extrapolation\" points=\"\(beyond.map { "\(n(px(curve.x[$0], p))),\(n(py(curve.value[$0], p)))" }.joined(separator: " "))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(n(width))\" stroke-dasharray=\"7 4\"/>\n"
        }
    }

    mutating func drawBandsAndCurves(_ layer: PlotLayer, _ index: Int, _ p: Panel) {
        let colours = colour(of: index)
        // W&B min/max band: a shaded polygon over runs of drawn points where both ends are finite.
        if let lower = layer.bandLower, let upper = layer.bandUpper {
            var runs: [[Int]] = [[]]
            for i in drawn[index] {
                if lower[i].isFinite && upper[i].isFinite && (!yAxis.isLogarithmic || lower[i] > 0) && layer.x[i].isFinite {
                    runs[runs.count - 1].append(i)
                } else if !runs[runs.count - 1].isEmpty {
                    runs.append([])
                }
            }
            for run in runs where run.count >= 2 {
                let forward = run.map { "\(n(px(layer.x[$0], p))),\(n(py(upper[$0], p)))" }
                let back = run.reversed().map { "\(n(px(layer.x[$0], p))),\(n(py(lower[$0], p)))" }
                out += "<polygon class=\"minmax-band\" points=\"\((forward + back).joined(separator: " "))\" fill=\"\(colours.points)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
            for run in runs where run.count == 1 {
                let i = run[0]
                out += "<line class=\"minmax-band\" x1=\"\(n(px(layer.x[i], p)))\" y1=\"\(n(py(lower[i], p)))\" x2=\"\(n(px(layer.x[i], p)))\" y2=\"\(n(py(upper[i], p)))\" stroke=\"\(colours.points)\" stroke-opacity=\"0.4\"/>\n"
            }
        }
        for (k, profile) in layer.profiles.enumerated() {
            drawCurve(profile.curve, colour: profileColour(k, of: layer.profiles.count), bands: true, p, width: 1.6)
        }
        if let frontier = layer.frontier {
            let usable = frontier.x.indices.filter { drawable(frontier.x[$0], frontier.value[$0]) }
            if usable.count >= 2 {
                out += "<polyline class=\"frontier\" points=\"\(usable.map { "\(n(px(frontier.x[$0], p))),\(n(py(frontier.value[$0], p)))" }.joined(separator: " "))\" fill=\"none\" stroke=\"#222222\" stroke-width=\"2.2\" stroke-dasharray=\"10 3 2 3\"/>\n"
            }
        }
        if let curve = layer.curve { drawCurve(curve, colour: colours.curve, bands: true, p) }
    }

    mutating func drawPoints(_ layer: PlotLayer, _ index: Int, _ p: Panel) {
        let colours = colour(of: index)
        var pointColour = [String](repeating: colours.points, count: 0)
        if !layer.profiles.isEmpty {
            pointColour = [String](repeating: colours.points, count: layer.x.count)
            for (k, profile) in layer.profiles.enumerated() {
                for i in profile.points where i < layer.x.count { pointColour[i] = profileColour(k, of: layer.profiles.count) }
            }
        }
        let indices = drawn[index]
        if layer.x.count > 300 {
            // A dense training curve reads better as a thin line than as thousands of dots.
            let usable = indices.filter { drawable(layer.x[$0], layer.y[$0]) }
            out += "<polyline class=\"data\" points=\"\(usable.map { "\(n(px(layer.x[$0], p))),\(n(py(layer.y[$0], p)))" }.joined(separator: " "))\" fill=\"none\" stroke=\"\(colours.points)\" stroke-width=\"1\" stroke-opacity=\"0.8\"/>\n"
            for i in usable where layer.heldOut.contains(i) {
                out += "<circle class=\"held-out\" cx=\"\(n(px(layer.x[i], p)))\" cy=\"\(n(py(layer.y[i], p)))\" r=\"3.5\" fill=\"#ffffff\" stroke=\"\(colours.points)\" stroke-width=\"1.5\"/>\n"
            }
            return
        }
        let small = arrangement != .single && !isOverlay
        for i in indices {
            let x = layer.x[i], y = layer.y[i]
            guard drawable(x, y) else { continue }
            let c = pointColour.isEmpty ? colours.points : pointColour[i]
            if layer.heldOut.contains(i) {
                out += "<circle class=\"held-out\" cx=\"\(n(px(x, p)))\" cy=\"\(n(py(y, p)))\" r=\"\(small ? "3.5" : "4.5")\" fill=\"#ffffff\" stroke=\"\(c)\" stroke-width=\"1.8\"/>\n"
            } else {
                out += "<circle class=\"data\" cx=\"\(n(px(x, p)))\" cy=\"\(n(py(y, p)))\" r=\"\(small ? "2.4" : "3.2")\" fill=\"\(c)\" fill-opacity=\"0.9\"/>\n"
            }
        }
        for (k, profile) in layer.profiles.enumerated() {
            guard let (x, y) = profile.optimum, drawable(x, y) else { continue }
            let cx = px(x, p), cy = py(y, p)
            out += "<path class=\"optimum\" d=\"M\(n(cx)) \(n(cy - 6))L\(n(cx + 6)) \(n(cy))L\(n(cx)) \(n(cy + 6))L\(n(cx - 6)) \(n(cy))Z\" fill=\"\(profileColour(k, of: layer.profiles.count))\" stroke=\"#222222\" stroke-width=\"1.2\"/>\n"
        }
    }

    mutating func drawResiduals(_ p: Panel, _ k: Int) {
        guard let (t, b) = p.residual else { return }
        drawFrame(p.x0, t, p.x1, b)
        out += "<line x1=\"\(n(p.x0))\" y1=\"\(n(ry(0, p)))\" x2=\"\(n(p.x1))\" y2=\"\(n(ry(0, p)))\" stroke=\"#999999\" stroke-dasharray=\"4 3\"/>\n"
        out += "<g clip-path=\"url(#\(plot.identifier)-residuals\(k))\">\n"
        for index in p.layers {
            let layer = plot.layers[index], r = residuals[index]
            guard !r.isEmpty else { continue }
            let colours = colour(of: index)
            let dense = drawnResiduals[index].count > 600
            for i in drawnResiduals[index] where r[i].isFinite && layer.x[i].isFinite && (!xAxis.isLogarithmic || layer.x[i] > 0) {
                if layer.heldOut.contains(i) {
                    out += "<circle class=\"residual held-out\" cx=\"\(n(px(layer.x[i], p)))\" cy=\"\(n(ry(r[i], p)))\" r=\"3.5\" fill=\"#ffffff\" stroke=\"\(colours.points)\" stroke-width=\"1.5\"/>\n"
                } else {
                    out += "<circle class=\"residual\" cx=\"\(n(px(layer.x[i], p)))\" cy=\"\(n(ry(r[i], p)))\" r=\"\(dense ? "1.2" : "2.5")\" fill=\"\(colours.points)\"/>\n"
                }
            }
        }
        out += "</g>\n"
        drawXTicks(p, at: b, labels: true)
        let ticks = residualAxis.ticks().major.filter { inRange(residualAxis, $0.value) }
        for (value, label) in spaced(ticks, position: { ry($0, p) }, extent: { _ in 11 }) {
            out += "<line x1=\"\(n(p.x0))\" y1=\"\(n(ry(value, p)))\" x2=\"\(n(p.x0 + 5))\" y2=\"\(n(ry(value, p)))\" stroke=\"#333333\"/>\n"
            out += "<text class=\"tick-label y-tick\" x=\"\(n(p.x0 - 6))\" y=\"\(n(ry(value, p) + 4))\" text-anchor=\"end\" font-size=\"11\">\(SVGPlot.escaped(label))</text>\n"
        }
        let caption = plot.residualsInLogSpace ? "ln(data / fit)" : "data − fit"
        out += "<text class=\"axis-name\" transform=\"translate(18 \(n((t + b) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"11\">\(caption)</text>\n"
    }

    // MARK: Legend

    mutating func drawLegend(x x0: Double, top: Double) {
        let entries = legendEntries(x0: x0)
        var y = top + 8
        out += "<g class=\"legend\" font-size=\"12\">\n"
        for entry in entries {
            let lines = PlotText.wrap(entry.text, maxWidth: legendWidth - 40, size: 12)
            let textX = entry.heading ? x0 : x0 + 30
            out += "<g class=\"legend-entry\">\(entry.symbol(x0, y))"
            for (k, line) in lines.enumerated() {
                out += "<text x=\"\(n(textX))\" y=\"\(n(y + 4 + 14 * Double(k)))\"\(entry.heading ? " font-weight=\"bold\"" : "")>\(SVGPlot.escaped(line))</text>"
            }
            out += "</g>\n"
            y += entry.height ?? 6 + 14 * Double(lines.count)
        }
        out += "</g>\n"
    }

    func legendEntries(x0: Double) -> [LegendEntry] {
        var entries: [LegendEntry] = []
        let n = self.n
        let layers = plot.layers
        let anyHeld = layers.contains { !$0.heldOut.isEmpty }
        let anyBand = layers.contains { $0.bandLower != nil }
        let curves = layers.compactMap(\.curve) + layers.flatMap(\.profiles).map(\.curve)
        let anyCurve = !curves.isEmpty
        let anyConfidence = curves.contains { $0.lower != nil }
        let crowded = isOverlay && layers.count > 1
        let anyPrediction = !crowded && curves.contains { $0.predictionLower != nil }
        let anyExtrapolation = curves.contains { c in c.x.contains { $0 > c.fittedUpTo * (1 + 1e-12) } }
        let markers = plot.markers + layers.flatMap(\.markers)
        let anyBreak = markers.contains { if case .breakpoint = $0 { true } else { false } }
        let anyPlateau = markers.contains { if case .plateau = $0 { true } else { false } }
        let crowdedMarkers = isOverlay && layers.filter({ !$0.markers.isEmpty }).count > 1
        func line(_ colour: String, dashed: Bool = false) -> (Double, Double) -> String {
            { x, y in "<line x1=\"\(n(x))\" y1=\"\(n(y))\" x2=\"\(n(x + 24))\" y2=\"\(n(y))\" stroke=\"\(colour)\" stroke-width=\"2\"\(dashed ? " stroke-dasharray=\"7 4\"" : "")/>" }
        }
        func swatch(_ colour: String, _ opacity: Double) -> (Double, Double) -> String {
            { x, y in "<rect x=\"\(n(x))\" y=\"\(n(y - 6))\" width=\"24\" height=\"12\" fill=\"\(colour)\" fill-opacity=\"\(opacity)\"/>" }
        }
        func dot(_ colour: String, line lineColour: String? = nil) -> (Double, Double) -> String {
            { x, y in
                let l = lineColour.map { "<line x1=\"\(n(x))\" y1=\"\(n(y))\" x2=\"\(n(x + 24))\" y2=\"\(n(y))\" stroke=\"\($0)\" stroke-width=\"2\"/>" } ?? ""
                return l + "<circle cx=\"\(n(x + 12))\" cy=\"\(n(y))\" r=\"3.2\" fill=\"\(colour)\"/>"
            }
        }
        let none: (Double, Double) -> String = { _, _ in "" }
        let c = isOverlay ? (points: grey, curve: grey) : single

        switch arrangement {
        case .single:
            if let layer = layers.first {
                entries.append(LegendEntry(symbol: dot(single.points), text: layer.name))
                if !layer.profiles.isEmpty {
                    entries.append(LegendEntry(symbol: none, text: "fit at fixed " + (layer.profiles.first?.label.split(separator: " ").first.map(String.init) ?? ""), heading: true))
                    for (k, profile) in layer.profiles.enumerated() {
                        let colour = profileColour(k, of: layer.profiles.count)
                        entries.append(LegendEntry(symbol: dot(colour, line: colour), text: profile.label))
                    }
                    if layer.profiles.contains(where: { $0.optimum != nil }) {
                        entries.append(LegendEntry(symbol: { x, y in "<path d=\"M\(n(x + 12)) \(n(y - 6))L\(n(x + 18)) \(n(y))L\(n(x + 12)) \(n(y + 6))L\(n(x + 6)) \(n(y))Z\" fill=\"#ffffff\" stroke=\"#222222\" stroke-width=\"1.2\"/>" }, text: "lowest loss at that compute"))
                    }
                }
                if let frontier = layer.frontier {
                    entries.append(LegendEntry(symbol: { x, y in "<line x1=\"\(n(x))\" y1=\"\(n(y))\" x2=\"\(n(x + 24))\" y2=\"\(n(y))\" stroke=\"#222222\" stroke-width=\"2.2\" stroke-dasharray=\"10 3 2 3\"/>" }, text: frontier.label))
                }
                if let curve = layer.curve { entries.append(LegendEntry(symbol: line(c.curve), text: curve.label)) }
            }
        case .overlay:
            if isFamily, let label = plot.familyLabel {
                entries.append(LegendEntry(symbol: none, text: label, heading: true))
                if layers.count <= 16 {
                    let order = layers.indices.sorted { (layers[$0].familyValue ?? Double($0), $0) < (layers[$1].familyValue ?? Double($1), $1) }
                    for i in order {
                        let colour = colour(of: i).points
                        let text = layers[i].familyValue.map { "\(label) \(PlotAxis.plain($0))" } ?? layers[i].name
                        entries.append(LegendEntry(symbol: dot(colour, line: layers[i].curve == nil ? nil : colour), text: text))
                    }
                } else {
                    let count = Set(layers.enumerated().map { $1.familyValue ?? Double($0) }).count
                    entries.append(LegendEntry(symbol: colourBar(), text: "", height: min(12, 240 / Double(count)) * Double(count) + 10))
                }
            } else {
                for i in layers.indices {
                    let colour = colour(of: i).points
                    entries.append(LegendEntry(symbol: dot(colour, line: layers[i].curve == nil ? nil : colour), text: layers[i].name))
                }
            }
            if anyCurve {
                let laws = Set(layers.compactMap(\.curve?.label))
                entries.append(LegendEntry(symbol: line(grey), text: laws.count == 1 ? laws.first! : "fit (each series its own law)"))
            }
        case .smallMultiples:
            entries.append(LegendEntry(symbol: dot(single.points), text: "data (one panel per series)"))
            if anyCurve { entries.append(LegendEntry(symbol: line(single.curve), text: "fit (law named over each panel)")) }
        }
        if anyBand { entries.append(LegendEntry(symbol: swatch(c.points, 0.15), text: "min–max band")) }
        if anyHeld {
            entries.append(LegendEntry(symbol: { x, y in "<circle cx=\"\(n(x + 12))\" cy=\"\(n(y))\" r=\"4.5\" fill=\"#ffffff\" stroke=\"\(c.points)\" stroke-width=\"1.8\"/>" }, text: "held out (not fitted)"))
        }
        if anyConfidence { entries.append(LegendEntry(symbol: swatch(c.curve, crowded ? 0.18 : 0.24), text: "95% confidence band (the fitted curve)")) }
        if anyPrediction { entries.append(LegendEntry(symbol: swatch(c.curve, 0.09), text: "95% prediction band (a new measurement)")) }
        if anyExtrapolation { entries.append(LegendEntry(symbol: line(c.curve, dashed: true), text: "extrapolation")) }
        if anyBreak {
            entries.append(LegendEntry(symbol: { x, y in "<line x1=\"\(n(x + 12))\" y1=\"\(n(y - 7))\" x2=\"\(n(x + 12))\" y2=\"\(n(y + 7))\" stroke=\"#7f7f7f\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/><rect x=\"\(n(x))\" y=\"\(n(y - 7))\" width=\"24\" height=\"14\" fill=\"#7f7f7f\" fill-opacity=\"0.12\"/>" }, text: crowdedMarkers ? "breakpoint (a tick at the top; its 95% CI on each series' own plot)" : "breakpoint (95% CI)"))
        }
        if anyPlateau {
            entries.append(LegendEntry(symbol: { x, y in "<rect x=\"\(n(x))\" y=\"\(n(y - 7))\" width=\"24\" height=\"14\" fill=\"#f2c14e\" fill-opacity=\"0.3\"/><line x1=\"\(n(x))\" y1=\"\(n(y))\" x2=\"\(n(x + 24))\" y2=\"\(n(y))\" stroke=\"#7f7f7f\" stroke-dasharray=\"6 3\"/>" }, text: crowdedMarkers ? "plateau level (dashed)" : "plateau (its level dashed)"))
        }
        return entries
    }

    /// A discrete colour bar for a family too large to list: one swatch per distinct value,
    /// in order, with labels on the first, the last and evenly spread ones between.
    func colourBar() -> (Double, Double) -> String {
        let values = Array(Set(plot.layers.enumerated().map { $1.familyValue ?? Double($0) })).sorted()
        let n = self.n
        return { x, y in
            let step = min(12, 240 / Double(max(values.count, 1)))
            var text = ""
            var lastLabel = -Double.infinity
            let lastTop = y - 6 + Double(values.count - 1) * step
            for (k, value) in values.enumerated() {
                let t = values.count > 1 ? Double(k) / Double(values.count - 1) : 0
                let top = y - 6 + Double(k) * step
                text += "<rect class=\"colour-step\" x=\"\(n(x))\" y=\"\(n(top))\" width=\"16\" height=\"\(n(step - 0.5))\" fill=\"\(SVGPlot.familyColour(t))\"/>"
                if k == 0 || k == values.count - 1 || top - lastLabel >= 16 && lastTop - top >= 16 {
                    text += "<text x=\"\(n(x + 22))\" y=\"\(n(top + step / 2 + 4))\">\(SVGPlot.escaped(PlotAxis.plain(value)))</text>"
                    lastLabel = top
                }
            }
            return text
        }
    }
}
