import Detect
import Fit

extension PlotMarker {
    /// The breakpoints (with their 95% intervals) and the plateau of a verdict, as markers.
    /// A plateau still open at the end of the data runs to the right edge of the plot.
    public static func markers(for verdict: Verdict) -> [PlotMarker] {
        var markers: [PlotMarker] = verdict.breakpoints.map { .breakpoint(x: $0.x, ci95: $0.ci95) }
        if let plateau = verdict.plateau {
            markers.append(.plateau(level: plateau.level, fromX: plateau.fromX, toX: plateau.toX ?? .infinity))
        }
        return markers
    }
}

extension ReportVerdict {
    /// What the report shows of a Detect verdict: its kind, the reasons and figures behind it,
    /// and its breakpoints and plateau as plot markers.
    public init(_ verdict: Verdict) {
        let n = FitReport.number
        var evidence = verdict.reasons
        for b in verdict.breakpoints {
            evidence.append("breakpoint at x = \(n(b.x))" + (b.ci95.map { ", 95% CI [\(n($0.lower)), \(n($0.upper))]" } ?? "") + (b.meaning.isEmpty ? "" : " (\(b.meaning))"))
        }
        if let p = verdict.plateau {
            evidence.append("plateau at \(n(p.level)) from x = \(n(p.fromX))" + (p.toX.map { " to \(n($0))" } ?? " to the end of the data"))
        }
        if let stop = verdict.scalingStops { evidence.append("scaling stops near x = \(n(stop))") }
        for s in verdict.segments {
            evidence.append("segment x ∈ [\(n(s.fromX)), \(n(s.toX))]: log–log slope \(n(s.slope))" + (s.ci95.map { ", 95% CI [\(n($0.lower)), \(n($0.upper))]" } ?? ""))
        }
        if !verdict.models.isEmpty {
            let ranked = verdict.models.map { m in m.converged ? "\(m.model) ΔAICc \(n(m.deltaAICc))" : "\(m.model) not converged (not ranked)" }
            evidence.append("laws compared (chosen: \(verdict.chosenModel)): " + ranked.joined(separator: "; "))
        }
        evidence += verdict.warnings.map { "warning: \($0)" }
        self.init(kind: verdict.kind.rawValue, evidence: evidence, markers: PlotMarker.markers(for: verdict))
    }
}
