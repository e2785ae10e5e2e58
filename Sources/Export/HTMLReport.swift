import Fit
import Foundation

/// A verdict on one series as the report shows it. The Detect stage fills it; the report
/// knows nothing else about detection.
public struct ReportVerdict: Sendable {
    /// scaling, saturating, collapsed, grokking or degrading.
    public var kind: String
    /// One line per fact behind the verdict (model comparison, slopes, where scaling stops).
    public var evidence: [String]
    public var markers: [PlotMarker]

    public init(kind: String, evidence: [String] = [], markers: [PlotMarker] = []) {
        self.kind = kind
        self.evidence = evidence
        self.markers = markers
    }
}

/// One section of the report: a plot and the fits and verdict behind it.
public struct ReportSection: Sendable {
    public var heading: String
    /// The SVG text (from ``SVGPlot/render(_:)``), inlined as is.
    public var svg: String
    public var fits: [FitResult]
    /// Every law compared for this series, best first (empty without `--model auto`).
    public var comparison: [FitResult]
    public var verdict: ReportVerdict?
    /// Free text under the heading (e.g. the ground truth of generated data).
    public var notes: [String]

    public init(heading: String, svg: String, fits: [FitResult] = [], comparison: [FitResult] = [], verdict: ReportVerdict? = nil, notes: [String] = []) {
        self.heading = heading
        self.svg = svg
        self.fits = fits
        self.comparison = comparison
        self.verdict = verdict
        self.notes = notes
    }
}

/// Everything `scalefit report` writes: provenance, options and sections.
public struct ReportDocument: Sendable {
    public var title: String
    public var toolVersion: String
    /// When the report was made (ISO 8601, UTC).
    public var createdAt: String
    /// Inputs with their SHA-256 and the format detected.
    public var inputs: [(path: String, format: String, bytes: Int, sha256: String)]
    /// The options in force, as name and value.
    public var options: [(String, String)]
    /// The command line that made the report.
    public var commandLine: String
    public var sections: [ReportSection]
    /// Ingest warnings and what was dropped.
    public var notes: [String]

    public init(
        title: String, toolVersion: String, createdAt: String, inputs: [(path: String, format: String, bytes: Int, sha256: String)],
        options: [(String, String)], commandLine: String, sections: [ReportSection], notes: [String] = []
    ) {
        self.title = title
        self.toolVersion = toolVersion
        self.createdAt = createdAt
        self.inputs = inputs
        self.options = options
        self.commandLine = commandLine
        self.sections = sections
        self.notes = notes
    }
}

/// Renders a ``ReportDocument`` as one self-contained HTML file: inline CSS, inline SVG, no
/// scripts, no external resources (it opens offline and can be mailed as one attachment).
public enum HTMLReport {
    public static func render(_ report: ReportDocument) -> String {
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="scalefit \(e(report.toolVersion))">
            <title>\(e(report.title))</title>
            <style>
            body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1180px; color: #222; line-height: 1.4; padding: 0 1em; }
            h1 { font-size: 1.6em; margin-bottom: 0.2em; }
            h2 { font-size: 1.25em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 2em; }
            h3 { font-size: 1.05em; margin-bottom: 0.3em; }
            table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
            th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
            th { background: #f5f5f5; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; font-family: "DejaVu Sans Mono", Menlo, monospace; }
            code, .mono { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 0.9em; }
            .sha { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 0.8em; word-break: break-all; }
            .figure svg { max-width: 100%; height: auto; }
            .verdict { display: inline-block; padding: 0.1em 0.6em; border-radius: 0.8em; font-weight: bold; color: #fff; }
            .verdict.scaling { background: #2e7d32; } .verdict.saturating { background: #1565c0; }
            .verdict.collapsed { background: #c62828; } .verdict.grokking { background: #6a1b9a; }
            .verdict.degrading { background: #ef6c00; }
            .warning { color: #8a4b00; }
            .muted { color: #666; font-size: 0.9em; }
            </style>
            </head>
            <body>
            <h1>\(e(report.title))</h1>
            <p class="muted">Made by scalefit \(e(report.toolVersion)) on \(e(report.createdAt)).</p>

            """
        if report.sections.count > 1 {
            out += "<nav><p>Contents:</p><ul>\n"
            for (i, section) in report.sections.enumerated() {
                out += "<li><a href=\"#section-\(i + 1)\">\(e(section.heading))</a>\(section.verdict.map { " — \(e($0.kind))" } ?? "")</li>\n"
            }
            out += "</ul></nav>\n"
        }
        for (i, section) in report.sections.enumerated() {
            out += "<section id=\"section-\(i + 1)\">\n<h2>\(e(section.heading))</h2>\n"
            for note in section.notes { out += "<p class=\"muted\">\(e(note))</p>\n" }
            if let verdict = section.verdict {
                out += "<p>Verdict: <span class=\"verdict \(e(verdict.kind))\">\(e(verdict.kind))</span></p>\n"
                if !verdict.evidence.isEmpty {
                    out += "<ul class=\"evidence\">\n" + verdict.evidence.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
                }
            }
            out += "<div class=\"figure\">\n\(section.svg)</div>\n"
            for fit in section.fits { out += fitTable(fit) }
            if !section.comparison.isEmpty { out += comparisonTable(section.comparison) }
            out += "</section>\n"
        }
        out += "<h2>Provenance</h2>\n<h3>Inputs</h3>\n<table><tr><th>path</th><th>format</th><th>bytes</th><th>SHA-256</th></tr>\n"
        for input in report.inputs {
            out += "<tr><td class=\"mono\">\(e(input.path))</td><td>\(e(input.format))</td><td class=\"num\">\(input.bytes)</td><td class=\"sha\">\(e(input.sha256))</td></tr>\n"
        }
        out += "</table>\n<h3>Options</h3>\n<table><tr><th>option</th><th>value</th></tr>\n"
        for (name, value) in report.options {
            out += "<tr><td>\(e(name))</td><td class=\"mono\">\(e(value))</td></tr>\n"
        }
        out += "</table>\n<h3>Command</h3>\n<p><code>\(e(report.commandLine))</code></p>\n"
        out += "<p class=\"muted\">Tool: scalefit \(e(report.toolVersion)).</p>\n"
        if !report.notes.isEmpty {
            out += "<h3>Notes from reading the inputs</h3>\n<ul>\n" + report.notes.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
        }
        out += "</body>\n</html>\n"
        return out
    }

    static func fitTable(_ fit: FitResult) -> String {
        let n = FitReport.number
        var out = "<h3>\(e(fit.model)): <code>\(e(fit.formula))</code></h3>\n"
        out += "<p>\(fit.pointCount) points; \(e(fit.status.description)); objective \(e(n(fit.objective))) (\(e(fit.space.rawValue)) space, \(e(fit.loss.description))); AICc \(e(n(fit.aicc))), BIC \(e(n(fit.bic))); starts: \(e(fit.starts.description)).</p>\n"
        if let selection = fit.selection { out += "<p class=\"selection\">Chosen: \(e(selection))</p>\n" }
        out += "<table class=\"parameters\"><tr><th>parameter</th><th>value</th><th>std. error</th><th>95% CI</th><th>CI method</th><th>bootstrap 95% CI</th><th>note</th></tr>\n"
        for p in fit.parameters {
            out += "<tr><td>\(e(p.name))</td><td class=\"num\">\(e(n(p.value)))</td><td class=\"num\">\(e(n(p.standardError)))</td><td class=\"num\">\(e(FitReport.interval(p.ci95)))</td><td>\(e(p.ci95 == nil ? "" : p.ci95Method?.rawValue ?? ""))</td><td class=\"num\">\(e(FitReport.interval(p.bootstrapCI95)))</td><td>\(e(p.note ?? ""))</td></tr>\n"
        }
        out += "</table>\n"
        if !fit.derived.isEmpty {
            out += "<table class=\"derived\"><tr><th>derived</th><th>value</th><th>bootstrap 95% CI</th><th>meaning</th></tr>\n"
            for d in fit.derived {
                out += "<tr><td>\(e(d.name))</td><td class=\"num\">\(e(n(d.value)))</td><td class=\"num\">\(e(FitReport.interval(d.bootstrapCI95)))</td><td>\(e(d.meaning))</td></tr>\n"
            }
            out += "</table>\n"
        }
        if let h = fit.holdout {
            out += "<p>Extrapolation check: the \(h.k) largest-x points were held out; RMS log error \(e(n(h.rmsle))).</p>\n"
            out += "<table class=\"holdout\"><tr><th>x</th><th>observed</th><th>predicted</th><th>log error</th></tr>\n"
            for p in h.points {
                out += "<tr><td class=\"num\">\(e(n(p.x)))</td><td class=\"num\">\(e(n(p.observed)))</td><td class=\"num\">\(e(n(p.predicted)))</td><td class=\"num\">\(e(n(p.logError)))</td></tr>\n"
            }
            out += "</table>\n"
        }
        if !fit.warnings.isEmpty {
            out += "<ul class=\"warnings\">\n" + fit.warnings.map { "<li class=\"warning\">\(e($0))</li>\n" }.joined() + "</ul>\n"
        }
        return out
    }

    static func comparisonTable(_ fits: [FitResult]) -> String {
        let n = FitReport.number
        var out = "<h3>Model comparison (best first)</h3>\n<table class=\"comparison\"><tr><th>model</th><th>AICc</th><th>BIC</th><th>converged</th><th>hold-out RMSLE</th></tr>\n"
        for f in fits {
            out += "<tr><td>\(e(f.model))</td><td class=\"num\">\(e(n(f.aicc)))</td><td class=\"num\">\(e(n(f.bic)))</td><td>\(f.converged ? "yes" : "no")</td><td class=\"num\">\(e(n(f.holdout?.rmsle)))</td></tr>\n"
        }
        return out + "</table>\n"
    }

    /// HTML text escaping.
    static func e(_ text: String) -> String { SVGPlot.escaped(text) }
}
