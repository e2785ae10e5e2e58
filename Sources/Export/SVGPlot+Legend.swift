import Foundation
import ScalefitCore

/// The legend of a ``Canvas``: its entries, wrapped names and swatches.
extension Canvas {
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
