import Foundation
import ScalefitCore

/// The drawing of a ``Canvas``: panels, axes, data, bands, curves, markers.
extension Canvas {
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
}
