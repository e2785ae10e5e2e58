import Foundation
import ScalefitCore

/// Draws a ``Plot`` as a standalone SVG document (text; write it with `AtomicWriter`).
///
/// Layout: the title; the main panel (log–log when the data allow: every value positive)
/// with the data, W&B min/max bands, fitted curves with their 95% confidence band (solid
/// over the fitted range, dashed where extrapolated), held-out points as open circles,
/// breakpoints and plateaus shaded; a legend (or a colour bar for a family of more than
/// eight curves) at the right; and a residual panel below sharing the x axis.
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

/// The drawing state: panel rectangles, axes and the output text.
private struct Canvas {
    let plot: Plot
    var out = ""
    let left = 78.0
    let legendWidth = 190.0
    let top = 44.0
    var right: Double { plot.width - legendWidth }
    let hasResiduals: Bool
    var mainBottom: Double { hasResiduals ? plot.height - 62 - residualHeight - 22 : plot.height - 62 }
    let residualHeight = 110.0
    var residualTop: Double { plot.height - 62 - residualHeight }
    var residualBottom: Double { plot.height - 62 }
    let xAxis: PlotAxis
    let yAxis: PlotAxis
    let residualAxis: PlotAxis
    let isFamily: Bool
    let single = (points: "#1f4e79", curve: "#d95f02")

    init(plot: Plot) {
        self.plot = plot
        var xs: [Double] = [], ys: [Double] = [], residuals: [Double] = []
        for layer in plot.layers {
            xs += layer.x
            ys += layer.y
            if let c = layer.curve {
                xs += c.x
                // Keep the band from stretching the axis beyond reason: values only, plus the
                // band where it stays within a decade of the data.
                ys += c.value
            }
            for marker in layer.markers + plot.markers {
                if case .plateau(let level, _, _) = marker { ys.append(level) }
            }
            if let fitted = layer.fitted {
                for i in layer.y.indices where fitted[i].isFinite && layer.y[i].isFinite {
                    residuals.append(plot.residualsInLogSpace
                        ? (layer.y[i] > 0 && fitted[i] > 0 ? Foundation.log(layer.y[i] / fitted[i]) : .nan)
                        : layer.y[i] - fitted[i])
                }
            }
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
        hasResiduals = residuals.contains { $0.isFinite }
        let largest = residuals.filter { $0.isFinite }.map(abs).max() ?? 1
        let r = largest > 0 ? largest * 1.15 : 1
        residualAxis = PlotAxis(lower: -r, upper: r, logarithmic: false)
        isFamily = plot.layers.count > 1
    }

    func px(_ x: Double) -> Double { left + xAxis.fraction(x) * (right - left) }
    func py(_ y: Double) -> Double { mainBottom - yAxis.fraction(y) * (mainBottom - top) }
    func ry(_ r: Double) -> Double { residualBottom - residualAxis.fraction(r) * (residualBottom - residualTop) }
    func n(_ v: Double) -> String { String(format: "%.2f", v) }

    func colour(of index: Int) -> (points: String, curve: String) {
        guard isFamily else { return single }
        let c = SVGPlot.familyColour(familyPosition(index))
        return (c, c)
    }

    func familyPosition(_ index: Int) -> Double {
        let values = plot.layers.enumerated().map { $1.familyValue ?? Double($0) }
        guard let lo = values.min(), let hi = values.max(), hi > lo else { return 0 }
        return (values[index] - lo) / (hi - lo)
    }

    func inMain(_ x: Double, _ y: Double) -> Bool {
        let fx = xAxis.fraction(x), fy = yAxis.fraction(y)
        return fx.isFinite && fy.isFinite && fx >= -1e-9 && fx <= 1 + 1e-9 && fy >= -1e-9 && fy <= 1 + 1e-9
    }

    mutating func draw() -> String {
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(plot.width))\" height=\"\(n(plot.height))\" viewBox=\"0 0 \(n(plot.width)) \(n(plot.height))\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        out += "<title>\(SVGPlot.escaped(plot.title))</title>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(n(plot.width))\" height=\"\(n(plot.height))\" fill=\"#ffffff\"/>\n"
        out += "<defs><clipPath id=\"\(plot.identifier)-main\"><rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(right - left))\" height=\"\(n(mainBottom - top))\"/></clipPath>"
        if hasResiduals {
            out += "<clipPath id=\"\(plot.identifier)-residuals\"><rect x=\"\(n(left))\" y=\"\(n(residualTop))\" width=\"\(n(right - left))\" height=\"\(n(residualHeight))\"/></clipPath>"
        }
        out += "</defs>\n"
        out += "<text x=\"\(n(left))\" y=\"24\" font-size=\"15\" font-weight=\"bold\">\(SVGPlot.escaped(plot.title))</text>\n"
        drawGrid()
        out += "<g clip-path=\"url(#\(plot.identifier)-main)\">\n"
        drawMarkers()
        for (i, layer) in plot.layers.enumerated() { drawBandsAndCurve(layer, i) }
        for (i, layer) in plot.layers.enumerated() { drawPoints(layer, i) }
        out += "</g>\n"
        drawFrame(top: top, bottom: mainBottom)
        drawXTicks(at: mainBottom, labels: !hasResiduals)
        drawYTicks()
        if hasResiduals { drawResiduals() }
        let xLabelY = plot.height - 22
        out += "<text x=\"\(n((left + right) / 2))\" y=\"\(n(xLabelY))\" text-anchor=\"middle\" font-size=\"13\">\(SVGPlot.escaped(plot.xLabel))</text>\n"
        out += "<text transform=\"translate(18 \(n((top + mainBottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">\(SVGPlot.escaped(plot.yLabel))</text>\n"
        drawLegend()
        out += "</svg>\n"
        return out
    }

    mutating func drawGrid() {
        let (major, minor) = xAxis.ticks()
        let (yMajor, _) = yAxis.ticks()
        for value in minor where inRange(xAxis, value) {
            out += "<line x1=\"\(n(px(value)))\" y1=\"\(n(top))\" x2=\"\(n(px(value)))\" y2=\"\(n(mainBottom))\" stroke=\"#f0f0f0\"/>\n"
        }
        for (value, _) in major where inRange(xAxis, value) {
            out += "<line x1=\"\(n(px(value)))\" y1=\"\(n(top))\" x2=\"\(n(px(value)))\" y2=\"\(n(mainBottom))\" stroke=\"#dddddd\"/>\n"
        }
        for (value, _) in yMajor where inRange(yAxis, value) {
            out += "<line x1=\"\(n(left))\" y1=\"\(n(py(value)))\" x2=\"\(n(right))\" y2=\"\(n(py(value)))\" stroke=\"#dddddd\"/>\n"
        }
    }

    func inRange(_ axis: PlotAxis, _ value: Double) -> Bool {
        let f = axis.fraction(value)
        return f >= -1e-9 && f <= 1 + 1e-9
    }

    mutating func drawFrame(top: Double, bottom: Double) {
        out += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(right - left))\" height=\"\(n(bottom - top))\" fill=\"none\" stroke=\"#333333\"/>\n"
    }

    mutating func drawXTicks(at bottom: Double, labels: Bool) {
        let (major, minor) = xAxis.ticks()
        for value in minor where inRange(xAxis, value) {
            out += "<line x1=\"\(n(px(value)))\" y1=\"\(n(bottom))\" x2=\"\(n(px(value)))\" y2=\"\(n(bottom - 3))\" stroke=\"#333333\"/>\n"
        }
        for (value, label) in major where inRange(xAxis, value) {
            out += "<line x1=\"\(n(px(value)))\" y1=\"\(n(bottom))\" x2=\"\(n(px(value)))\" y2=\"\(n(bottom - 6))\" stroke=\"#333333\"/>\n"
            if labels {
                out += "<text x=\"\(n(px(value)))\" y=\"\(n(bottom + 16))\" text-anchor=\"middle\">\(SVGPlot.escaped(label))</text>\n"
            }
        }
    }

    mutating func drawYTicks() {
        let (major, minor) = yAxis.ticks()
        for value in minor where inRange(yAxis, value) {
            out += "<line x1=\"\(n(left))\" y1=\"\(n(py(value)))\" x2=\"\(n(left + 3))\" y2=\"\(n(py(value)))\" stroke=\"#333333\"/>\n"
        }
        for (value, label) in major where inRange(yAxis, value) {
            out += "<line x1=\"\(n(left))\" y1=\"\(n(py(value)))\" x2=\"\(n(left + 6))\" y2=\"\(n(py(value)))\" stroke=\"#333333\"/>\n"
            out += "<text x=\"\(n(left - 6))\" y=\"\(n(py(value) + 4))\" text-anchor=\"end\">\(SVGPlot.escaped(label))</text>\n"
        }
    }

    mutating func drawMarkers() {
        var all: [(PlotMarker, String)] = plot.markers.map { ($0, "#7f7f7f") }
        for (i, layer) in plot.layers.enumerated() {
            all += layer.markers.map { ($0, isFamily ? colour(of: i).curve : "#7f7f7f") }
        }
        // Breakpoint labels that would overlap step down a row.
        var lastLabelX = -Double.infinity, row = 0
        let ordered = all.sorted { a, b in
            func key(_ m: PlotMarker) -> Double { if case .breakpoint(let x, _) = m { x } else { -.infinity } }
            return key(a.0) < key(b.0)
        }
        for (marker, colour) in ordered {
            switch marker {
            case .breakpoint(let x, let ci):
                if let ci, ci.lower.isFinite, ci.upper.isFinite {
                    let a = px(max(ci.lower, xAxis.lower)), b = px(min(ci.upper, xAxis.upper))
                    out += "<rect class=\"breakpoint-ci\" x=\"\(n(min(a, b)))\" y=\"\(n(top))\" width=\"\(n(abs(b - a)))\" height=\"\(n(mainBottom - top))\" fill=\"\(colour)\" fill-opacity=\"0.12\"/>\n"
                }
                guard inRange(xAxis, x) else { continue }
                out += "<line class=\"breakpoint\" x1=\"\(n(px(x)))\" y1=\"\(n(top))\" x2=\"\(n(px(x)))\" y2=\"\(n(mainBottom))\" stroke=\"\(colour)\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/>\n"
                row = px(x) - lastLabelX < 40 ? row + 1 : 0
                lastLabelX = px(x)
                out += "<text x=\"\(n(px(x) + 4))\" y=\"\(n(top + 14 + 13 * Double(row)))\" fill=\"#555555\" font-size=\"11\">break</text>\n"
            case .plateau(let level, let from, let to):
                let a = px(max(from, xAxis.lower)), b = px(min(to, xAxis.upper))
                out += "<rect class=\"plateau\" x=\"\(n(min(a, b)))\" y=\"\(n(top))\" width=\"\(n(abs(b - a)))\" height=\"\(n(mainBottom - top))\" fill=\"#f2c14e\" fill-opacity=\"0.18\"/>\n"
                if inRange(yAxis, level) {
                    out += "<line x1=\"\(n(min(a, b)))\" y1=\"\(n(py(level)))\" x2=\"\(n(max(a, b)))\" y2=\"\(n(py(level)))\" stroke=\"\(colour)\" stroke-width=\"1\" stroke-dasharray=\"6 3\"/>\n"
                }
                // Labelled at the foot of the shaded span, clear of the breakpoint labels.
                out += "<text x=\"\(n(min(a, b) + 4))\" y=\"\(n(mainBottom - 6))\" fill=\"#8a6d1f\" font-size=\"11\">plateau</text>\n"
            }
        }
    }

    mutating func drawBandsAndCurve(_ layer: PlotLayer, _ index: Int) {
        let colours = colour(of: index)
        // W&B min/max band: a shaded polygon over runs of points where both ends are finite.
        if let lower = layer.bandLower, let upper = layer.bandUpper {
            var runs: [[Int]] = [[]]
            for i in layer.x.indices {
                if lower[i].isFinite && upper[i].isFinite && (!yAxis.isLogarithmic || lower[i] > 0) && layer.x[i].isFinite {
                    runs[runs.count - 1].append(i)
                } else if !runs[runs.count - 1].isEmpty {
                    runs.append([])
                }
            }
            for run in runs where run.count >= 2 {
                let forward = run.map { "\(n(px(layer.x[$0]))),\(n(py(upper[$0])))" }
                let back = run.reversed().map { "\(n(px(layer.x[$0]))),\(n(py(lower[$0])))" }
                out += "<polygon class=\"minmax-band\" points=\"\((forward + back).joined(separator: " "))\" fill=\"\(colours.points)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
            for run in runs where run.count == 1 {
                let i = run[0]
                out += "<line class=\"minmax-band\" x1=\"\(n(px(layer.x[i])))\" y1=\"\(n(py(lower[i])))\" x2=\"\(n(px(layer.x[i])))\" y2=\"\(n(py(upper[i])))\" stroke=\"\(colours.points)\" stroke-opacity=\"0.4\"/>\n"
            }
        }
        guard let curve = layer.curve else { return }
        let usable = curve.x.indices.filter { i in
            curve.x[i].isFinite && curve.value[i].isFinite && (!yAxis.isLogarithmic || curve.value[i] > 0) && (!xAxis.isLogarithmic || curve.x[i] > 0)
        }
        // Confidence band of the mean curve.
        if let lower = curve.lower, let upper = curve.upper {
            let banded = usable.filter { lower[$0].isFinite && upper[$0].isFinite && (!yAxis.isLogarithmic || lower[$0] > 0) }
            if banded.count >= 2 {
                let forward = banded.map { "\(n(px(curve.x[$0]))),\(n(py(upper[$0])))" }
                let back = banded.reversed().map { "\(n(px(curve.x[$0]))),\(n(py(lower[$0])))" }
                out += "<polygon class=\"confidence-band\" points=\"\((forward + back).joined(separator: " "))\" fill=\"\(colours.curve)\" fill-opacity=\"\(isFamily ? "0.10" : "0.22")\" stroke=\"none\"/>\n"
            }
        }
        // Solid over the fitted range, dashed beyond (sharing the joining point).
        let fitted = usable.filter { curve.x[$0] <= curve.fittedUpTo * (1 + 1e-12) }
        var beyond = usable.filter { curve.x[$0] > curve.fittedUpTo * (1 + 1e-12) }
        if let last = fitted.last, !beyond.isEmpty { beyond.insert(last, at: 0) }
        if fitted.count >= 2 {
            out += "<polyline class=\"fit\" points=\"\(fitted.map { "\(n(px(curve.x[$0]))),\(n(py(curve.value[$0])))" }.joined(separator: " "))\" fill=\"none\" stroke=\"\(colours.curve)\" stroke-width=\"2\"/>\n"
        }
        if beyond.count >= 2 {
            out += "<polyline class=\"extrapolation\" points=\"\(beyond.map { "\(n(px(curve.x[$0]))),\(n(py(curve.value[$0])))" }.joined(separator: " "))\" fill=\"none\" stroke=\"\(colours.curve)\" stroke-width=\"2\" stroke-dasharray=\"7 4\"/>\n"
        }
    }

    mutating func drawPoints(_ layer: PlotLayer, _ index: Int) {
        let colours = colour(of: index)
        let many = layer.x.count > 300
        if many {
            // A dense training curve reads better as a thin line than as thousands of dots.
            let usable = layer.x.indices.filter { inMain(layer.x[$0], layer.y[$0]) || (layer.x[$0].isFinite && layer.y[$0].isFinite && (!yAxis.isLogarithmic || layer.y[$0] > 0)) }
            out += "<polyline class=\"data\" points=\"\(usable.map { "\(n(px(layer.x[$0]))),\(n(py(layer.y[$0])))" }.joined(separator: " "))\" fill=\"none\" stroke=\"\(colours.points)\" stroke-width=\"1\" stroke-opacity=\"0.8\"/>\n"
            return
        }
        for i in layer.x.indices {
            let x = layer.x[i], y = layer.y[i]
            guard x.isFinite, y.isFinite, !xAxis.isLogarithmic || x > 0, !yAxis.isLogarithmic || y > 0 else { continue }
            if layer.heldOut.contains(i) {
                out += "<circle class=\"held-out\" cx=\"\(n(px(x)))\" cy=\"\(n(py(y)))\" r=\"4.5\" fill=\"#ffffff\" stroke=\"\(colours.points)\" stroke-width=\"1.8\"/>\n"
            } else {
                out += "<circle class=\"data\" cx=\"\(n(px(x)))\" cy=\"\(n(py(y)))\" r=\"3.2\" fill=\"\(colours.points)\" fill-opacity=\"0.9\"/>\n"
            }
        }
    }

    mutating func drawResiduals() {
        drawFrame(top: residualTop, bottom: residualBottom)
        out += "<line x1=\"\(n(left))\" y1=\"\(n(ry(0)))\" x2=\"\(n(right))\" y2=\"\(n(ry(0)))\" stroke=\"#999999\" stroke-dasharray=\"4 3\"/>\n"
        out += "<g clip-path=\"url(#\(plot.identifier)-residuals)\">\n"
        for (index, layer) in plot.layers.enumerated() {
            guard let fitted = layer.fitted else { continue }
            let colours = colour(of: index)
            for i in layer.x.indices where layer.x[i].isFinite && fitted[i].isFinite && layer.y[i].isFinite {
                let r = plot.residualsInLogSpace
                    ? (layer.y[i] > 0 && fitted[i] > 0 ? Foundation.log(layer.y[i] / fitted[i]) : .nan)
                    : layer.y[i] - fitted[i]
                guard r.isFinite, !xAxis.isLogarithmic || layer.x[i] > 0 else { continue }
                if layer.heldOut.contains(i) {
                    out += "<circle class=\"residual held-out\" cx=\"\(n(px(layer.x[i])))\" cy=\"\(n(ry(r)))\" r=\"3.5\" fill=\"#ffffff\" stroke=\"\(colours.points)\" stroke-width=\"1.5\"/>\n"
                } else {
                    out += "<circle class=\"residual\" cx=\"\(n(px(layer.x[i])))\" cy=\"\(n(ry(r)))\" r=\"2.5\" fill=\"\(colours.points)\"/>\n"
                }
            }
        }
        out += "</g>\n"
        drawXTicks(at: residualBottom, labels: true)
        for (value, label) in residualAxis.ticks().major where inRange(residualAxis, value) {
            out += "<line x1=\"\(n(left))\" y1=\"\(n(ry(value)))\" x2=\"\(n(left + 5))\" y2=\"\(n(ry(value)))\" stroke=\"#333333\"/>\n"
            out += "<text x=\"\(n(left - 6))\" y=\"\(n(ry(value) + 4))\" text-anchor=\"end\" font-size=\"11\">\(SVGPlot.escaped(label))</text>\n"
        }
        let caption = plot.residualsInLogSpace ? "ln(data / fit)" : "data − fit"
        out += "<text transform=\"translate(18 \(n((residualTop + residualBottom) / 2))) rotate(-90)\" text-anchor=\"middle\" font-size=\"11\">\(caption)</text>\n"
    }

    mutating func drawLegend() {
        let x0 = right + 16
        var y = top + 8
        func entry(_ symbol: String, _ text: String) -> String {
            defer { y += 20 }
            return "<g class=\"legend-entry\">\(symbol)<text x=\"\(n(x0 + 30))\" y=\"\(n(y + 4))\">\(SVGPlot.escaped(text))</text></g>\n"
        }
        out += "<g class=\"legend\" font-size=\"12\">\n"
        let anyHeld = plot.layers.contains { !$0.heldOut.isEmpty }
        let anyBand = plot.layers.contains { $0.bandLower != nil }
        let anyCurve = plot.layers.contains { $0.curve != nil }
        let anyConfidence = plot.layers.contains { $0.curve?.lower != nil }
        let anyExtrapolation = plot.layers.contains { layer in
            guard let c = layer.curve else { return false }
            return c.x.contains { $0 > c.fittedUpTo * (1 + 1e-12) }
        }
        let markers = plot.markers + plot.layers.flatMap(\.markers)
        let anyBreak = markers.contains { if case .breakpoint = $0 { true } else { false } }
        let anyPlateau = markers.contains { if case .plateau = $0 { true } else { false } }
        let grey = "#555555"
        if !isFamily {
            let layer = plot.layers.first
            let c = single
            out += entry("<circle cx=\"\(n(x0 + 12))\" cy=\"\(n(y))\" r=\"3.2\" fill=\"\(c.points)\"/>", layer.map { truncated($0.name) } ?? "data")
            if anyBand { out += entry("<rect x=\"\(n(x0))\" y=\"\(n(y - 6))\" width=\"24\" height=\"12\" fill=\"\(c.points)\" fill-opacity=\"0.15\"/>", "min–max band") }
            if anyHeld { out += entry("<circle cx=\"\(n(x0 + 12))\" cy=\"\(n(y))\" r=\"4.5\" fill=\"#ffffff\" stroke=\"\(c.points)\" stroke-width=\"1.8\"/>", "held out") }
            if let curve = layer?.curve { out += entry("<line x1=\"\(n(x0))\" y1=\"\(n(y))\" x2=\"\(n(x0 + 24))\" y2=\"\(n(y))\" stroke=\"\(c.curve)\" stroke-width=\"2\"/>", truncated(curve.label)) }
            if anyConfidence { out += entry("<rect x=\"\(n(x0))\" y=\"\(n(y - 6))\" width=\"24\" height=\"12\" fill=\"\(c.curve)\" fill-opacity=\"0.22\"/>", "95% confidence band") }
            if anyExtrapolation { out += entry("<line x1=\"\(n(x0))\" y1=\"\(n(y))\" x2=\"\(n(x0 + 24))\" y2=\"\(n(y))\" stroke=\"\(c.curve)\" stroke-width=\"2\" stroke-dasharray=\"7 4\"/>", "extrapolation") }
        } else if plot.layers.count <= 8 {
            if let label = plot.familyLabel { out += "<text x=\"\(n(x0))\" y=\"\(n(y + 4))\" font-weight=\"bold\">\(SVGPlot.escaped(label))</text>\n"; y += 20 }
            for (i, layer) in plot.layers.enumerated() {
                let c = colour(of: i).points
                let text = plot.familyLabel != nil ? layer.familyValue.map { "\(plot.familyLabel!) \(PlotAxis.plain($0))" } ?? layer.name : layer.name
                let line = layer.curve == nil ? "" : "<line x1=\"\(n(x0 + 12))\" y1=\"\(n(y))\" x2=\"\(n(x0 + 26))\" y2=\"\(n(y))\" stroke=\"\(c)\" stroke-width=\"2\"/>"
                out += entry("<circle cx=\"\(n(x0 + 6))\" cy=\"\(n(y))\" r=\"3.2\" fill=\"\(c)\"/>" + line, truncated(text))
            }
            y += 4
            if anyCurve { out += entry("<line x1=\"\(n(x0))\" y1=\"\(n(y))\" x2=\"\(n(x0 + 24))\" y2=\"\(n(y))\" stroke=\"\(grey)\" stroke-width=\"2\"/>", "fit") }
            if anyHeld { out += entry("<circle cx=\"\(n(x0 + 12))\" cy=\"\(n(y))\" r=\"4.5\" fill=\"#ffffff\" stroke=\"\(grey)\" stroke-width=\"1.8\"/>", "held out") }
            if anyExtrapolation { out += entry("<line x1=\"\(n(x0))\" y1=\"\(n(y))\" x2=\"\(n(x0 + 24))\" y2=\"\(n(y))\" stroke=\"\(grey)\" stroke-width=\"2\" stroke-dasharray=\"7 4\"/>", "extrapolation") }
            if anyConfidence { out += entry("<rect x=\"\(n(x0))\" y=\"\(n(y - 6))\" width=\"24\" height=\"12\" fill=\"\(grey)\" fill-opacity=\"0.18\"/>", "95% confidence band") }
        } else {
            // A colour bar from the family's smallest to largest value.
            let values = plot.layers.enumerated().map { $1.familyValue ?? Double($0) }
            let lo = values.min() ?? 0, hi = values.max() ?? 1
            out += "<text x=\"\(n(x0))\" y=\"\(n(y + 4))\" font-weight=\"bold\">\(SVGPlot.escaped(plot.familyLabel ?? "series"))</text>\n"
            y += 14
            let barHeight = 140.0
            for k in 0..<28 {
                let t = 1 - Double(k) / 27
                out += "<rect x=\"\(n(x0))\" y=\"\(n(y + Double(k) * barHeight / 28))\" width=\"16\" height=\"\(n(barHeight / 28 + 0.6))\" fill=\"\(SVGPlot.familyColour(t))\"/>\n"
            }
            out += "<text x=\"\(n(x0 + 22))\" y=\"\(n(y + 10))\">\(SVGPlot.escaped(PlotAxis.plain(hi)))</text>\n"
            out += "<text x=\"\(n(x0 + 22))\" y=\"\(n(y + barHeight))\">\(SVGPlot.escaped(PlotAxis.plain(lo)))</text>\n"
            y += barHeight + 24
            if anyCurve { out += entry("<line x1=\"\(n(x0))\" y1=\"\(n(y))\" x2=\"\(n(x0 + 24))\" y2=\"\(n(y))\" stroke=\"\(grey)\" stroke-width=\"2\"/>", "fit") }
            if anyExtrapolation { out += entry("<line x1=\"\(n(x0))\" y1=\"\(n(y))\" x2=\"\(n(x0 + 24))\" y2=\"\(n(y))\" stroke=\"\(grey)\" stroke-width=\"2\" stroke-dasharray=\"7 4\"/>", "extrapolation") }
        }
        if anyBreak { out += entry("<line x1=\"\(n(x0 + 12))\" y1=\"\(n(y - 7))\" x2=\"\(n(x0 + 12))\" y2=\"\(n(y + 7))\" stroke=\"#7f7f7f\" stroke-width=\"1.5\" stroke-dasharray=\"2 3\"/><rect x=\"\(n(x0))\" y=\"\(n(y - 7))\" width=\"24\" height=\"14\" fill=\"#7f7f7f\" fill-opacity=\"0.12\"/>", "breakpoint (95% CI)") }
        if anyPlateau { out += entry("<rect x=\"\(n(x0))\" y=\"\(n(y - 7))\" width=\"24\" height=\"14\" fill=\"#f2c14e\" fill-opacity=\"0.3\"/>", "plateau") }
        out += "</g>\n"
    }

    func truncated(_ text: String) -> String {
        text.count > 24 ? String(text.prefix(23)) + "…" : text
    }
}
