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
struct Panel {
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
struct LegendEntry {
    var symbol: (Double, Double) -> String
    var text: String
    var heading = false
    /// The height taken when the symbol is taller than the text (a colour bar).
    var height: Double? = nil
}

/// The drawing state: panels, axes, colours and the output text.
struct Canvas {
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
}
