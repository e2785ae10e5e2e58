import Foundation
import Testing

/// Opens the HTML report in headless Chromium (Debian's `chromium`) and checks that it
/// renders with no console messages.
///
/// Switch: `SCALEFIT_BROWSER_TESTS=1` requires the browser (a missing one fails the test);
/// `SCALEFIT_BROWSER_TESTS=0` skips; unset, the test runs when `chromium` is on the PATH.
/// `.ci/run` installs it (`scripts/install-browser.sh`; about 2¼ minutes on the CI machine).
@Suite("HTML report in a real browser")
struct BrowserTests {
    static let setting = ProcessInfo.processInfo.environment["SCALEFIT_BROWSER_TESTS"]

    static var browser: String? {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
                let path = "\(folder)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    static var enabled: Bool {
        switch setting {
        case "0": false
        case "1": true
        default: browser != nil
        }
    }

    /// Loads `file` headless; returns the DOM after load and the console lines.
    static func open(_ file: URL) throws -> (dom: String, console: [String]) {
        let browser = try #require(Self.browser as String?, "SCALEFIT_BROWSER_TESTS=1 but no chromium on the PATH (apt-get install chromium)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-chromium-\(UUID().uuidString)")
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
            "--enable-logging=stderr", "--v=0", "--dump-dom", file.absoluteString,
        ]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        group.wait()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: profile)
        let console = String(decoding: errData, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.contains("CONSOLE") }
        return (dom, console)
    }

    @Test("the check sees console errors: a page that logs one is caught", .enabled(if: enabled))
    func negativeControl() throws {
        let folder = try ExportCLITests.folder()
        let page = folder.appendingPathComponent("bad.html")
        try "<!DOCTYPE html><html><head><title>x</title></head><body><script>console.error('deliberate')</script></body></html>"
            .write(to: page, atomically: true, encoding: .utf8)
        let (_, console) = try Self.open(page)
        #expect(console.contains { $0.contains("deliberate") })
    }

    @Test("the report renders every plot with no console messages", .enabled(if: enabled))
    func reportRenders() throws {
        let file = try FitCLITests.writeCurve()
        let html = file.deletingLastPathComponent().appendingPathComponent("report.html")
        let run = try CLI.run(["report", file.path, "--x", "n", "--y", "loss", "--model", "auto", "--holdout", "2", "--out", html.path])
        #expect(run.status == 0, "\(run.stderr)")
        let (dom, console) = try Self.open(html)
        #expect(console.isEmpty, "console: \(console)")
        #expect(dom.contains("<svg"))
        #expect(dom.contains("Provenance"))
        #expect(dom.contains("class=\"confidence-band\""))
    }

    // MARK: Plots as a reader sees them

    /// Where the PNGs go: `SCALEFIT_PLOT_PNGS` when set (to keep and look at them), else a
    /// temporary folder.
    static func pngFolder() throws -> URL {
        if let given = ProcessInfo.processInfo.environment["SCALEFIT_PLOT_PNGS"], !given.isEmpty {
            let folder = URL(fileURLWithPath: given)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            return folder
        }
        return try ExportCLITests.folder()
    }

    /// Runs chromium headless with `arguments` before the page address; returns stdout.
    static func chromium(_ arguments: [String], page: URL) throws -> String {
        let browser = try #require(Self.browser as String?, "SCALEFIT_BROWSER_TESTS=1 but no chromium on the PATH (apt-get install chromium)")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-chromium-\(UUID().uuidString)")
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars", "--user-data-dir=\(profile.path)",
        ] + arguments + [page.absoluteString]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: profile)
        return text
    }

    /// The `<svg>…</svg>` documents inlined in an HTML report, in order.
    static func svgs(in html: String) -> [String] {
        var found: [String] = []
        var rest = html[...]
        while let start = rest.range(of: "<svg "), let end = rest[start.lowerBound...].range(of: "</svg>") {
            found.append(String(rest[start.lowerBound..<end.upperBound]))
            rest = rest[end.upperBound...]
        }
        return found
    }

    /// The pixel size an SVG asks for (its width and height attributes).
    static func size(of svg: String) -> (width: Int, height: Int)? {
        func attribute(_ name: String) -> Int? {
            guard let r = svg.range(of: " \(name)=\"") else { return nil }
            return Double(svg[r.upperBound...].prefix { $0 != "\"" }).map { Int($0.rounded(.up)) }
        }
        guard let w = attribute("width"), let h = attribute("height") else { return nil }
        return (w, h)
    }

    /// Renders `svg` to a PNG at its own size; returns the PNG's width and height (from its
    /// IHDR chunk) and its byte count.
    static func screenshot(_ svg: String, to png: URL) throws -> (width: Int, height: Int, bytes: Int) {
        let size = try #require(Self.size(of: svg))
        let page = png.deletingPathExtension().appendingPathExtension("svg")
        try svg.write(to: page, atomically: true, encoding: .utf8)
        _ = try chromium(["--screenshot=\(png.path)", "--window-size=\(size.width),\(size.height)"], page: page)
        let data = try Data(contentsOf: png)
        let bytes = [UInt8](data)
        try #require(bytes.count > 24 && bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(png.lastPathComponent) is not a PNG")
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20), bytes.count)
    }

    /// What the browser measured of one drawn SVG.
    struct Measured: Decodable {
        struct Panel: Decodable {
            var left: Double, top: Double, right: Double, bottom: Double
            /// Tick labels under the panel and left of it.
            var x: [String], y: [String]
        }
        var panels: [Panel]
        var overlaps: [[String]]
        var texts: [String]
        var titles: [String]
    }

    /// Every SVG of `html`, laid out by the browser: its panels (`rect.panel`) with the tick
    /// labels that belong to each, and every pair of text boxes that overlap (by their
    /// rendered bounding boxes, allowing half a pixel).
    static func measure(html: String, in folder: URL) throws -> [Measured] {
        let script = """
            <script>
            const result = [];
            for (const svg of document.querySelectorAll('svg')) {
              const boxes = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() !== '').map(t => {
                const r = t.getBoundingClientRect();
                return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom, text: t.textContent, cls: t.getAttribute('class') || ''};
              });
              const overlaps = [];
              for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
                const a = boxes[i], b = boxes[j];
                if (a.x0 < b.x1 - 0.5 && b.x0 < a.x1 - 0.5 && a.y0 < b.y1 - 0.5 && b.y0 < a.y1 - 0.5) overlaps.push([a.text, b.text]);
              }
              const xt = boxes.filter(b => b.cls.includes('x-tick')), yt = boxes.filter(b => b.cls.includes('y-tick'));
              const panels = [...svg.querySelectorAll('rect.panel')].map(p => {
                const r = p.getBoundingClientRect();
                return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                  x: xt.filter(b => (b.x0 + b.x1) / 2 >= r.left - 1 && (b.x0 + b.x1) / 2 <= r.right + 1 && b.y0 >= r.bottom - 1 && b.y0 <= r.bottom + 25).map(b => b.text),
                  y: yt.filter(b => b.x1 <= r.left + 1 && b.x1 >= r.left - 14 && (b.y0 + b.y1) / 2 >= r.top - 1 && (b.y0 + b.y1) / 2 <= r.bottom + 1).map(b => b.text)};
              });
              result.push({panels, overlaps, texts: boxes.map(b => b.text), titles: boxes.filter(b => b.cls.includes('panel-title')).map(b => b.text)});
            }
            const pre = document.createElement('pre');
            pre.id = 'measured';
            pre.textContent = JSON.stringify(result);
            document.body.appendChild(pre);
            </script>
            """
        let page = folder.appendingPathComponent("measure-\(UUID().uuidString).html")
        let body = html.contains("</body>") ? html.replacingOccurrences(of: "</body>", with: script + "</body>") : "<!DOCTYPE html><html><body>" + html + script + "</body></html>"
        try body.write(to: page, atomically: true, encoding: .utf8)
        let dom = try chromium(["--dump-dom"], page: page)
        let start = try #require(dom.range(of: "<pre id=\"measured\">"), "the measuring script did not run")
        let end = try #require(dom[start.upperBound...].range(of: "</pre>"))
        let json = String(dom[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&nbsp;", with: "\u{a0}")
            .replacingOccurrences(of: "&amp;", with: "&")
        return try JSONDecoder().decode([Measured].self, from: Data(json.utf8))
    }

    /// Checks one measured plot: no two labels overlap; every axis that is labelled (each
    /// column of panels along x, each row along y) has at least three labelled ticks; no name
    /// is cut short with an ellipsis.
    static func check(_ plot: Measured, _ name: String) {
        #expect(plot.overlaps.isEmpty, "\(name): overlapping labels \(plot.overlaps.prefix(5))")
        #expect(!plot.panels.isEmpty, "\(name): no panel")
        // Panels that share a column share the x axis; those that share a row, the y axis.
        let columns = Dictionary(grouping: plot.panels) { Int($0.left.rounded()) }
        for (left, panels) in columns {
            let most = panels.map(\.x.count).max() ?? 0
            #expect(most >= 3, "\(name): the x axis of the column at \(left) px has \(most) labelled ticks")
        }
        let rows = Dictionary(grouping: plot.panels) { Int($0.top.rounded()) }
        for (top, panels) in rows {
            let most = panels.map(\.y.count).max() ?? 0
            #expect(most >= 3, "\(name): the y axis of the row at \(top) px has \(most) labelled ticks")
        }
        #expect(!plot.texts.contains { $0.contains("…") }, "\(name): a label is cut short")
    }

    @Test("the measurement sees what it checks: overlapping labels and an axis with two ticks are caught", .enabled(if: enabled))
    func measurementControl() throws {
        let folder = try ExportCLITests.folder()
        let svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="300" height="200" font-size="12">
            <rect class="panel" x="50" y="20" width="200" height="120" fill="none" stroke="#333"/>
            <text class="tick-label x-tick" x="60" y="156">10⁴</text><text class="tick-label x-tick" x="150" y="156">10⁵</text>
            <text class="tick-label y-tick" x="44" y="40" text-anchor="end">1</text><text class="tick-label y-tick" x="44" y="80" text-anchor="end">2</text>
            <text class="tick-label y-tick" x="44" y="120" text-anchor="end">3</text>
            <text x="100" y="60">break</text><text x="110" y="64">break</text>
            </svg>
            """
        let measured = try #require(try Self.measure(html: svg, in: folder).first)
        #expect(measured.overlaps == [["break", "break"]])
        #expect(measured.panels.count == 1)
        #expect(measured.panels.first?.x == ["10⁴", "10⁵"])
        #expect(measured.panels.first?.y == ["1", "2", "3"])
    }

    @Test("the demo report's plots, rendered to PNG: labelled axes, no overlapping labels, names in full", .enabled(if: enabled))
    func demoPlotsAsPNG() throws {
        let folder = try ExportCLITests.folder()
        let run = try CLI.run(["demo", "--out", folder.path])
        #expect(run.status == 0, "\(run.stderr)")
        let html = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        let svgs = Self.svgs(in: html)
        #expect(svgs.count >= 3)
        let measured = try Self.measure(html: html, in: folder)
        #expect(measured.count == svgs.count)
        for (index, plot) in measured.enumerated() { Self.check(plot, "demo plot \(index + 1)") }
        let pngs = try Self.pngFolder()
        for (index, svg) in svgs.enumerated() {
            let png = pngs.appendingPathComponent("demo-\(index + 1).png")
            let shot = try Self.screenshot(svg, to: png)
            let size = try #require(Self.size(of: svg))
            #expect(shot.width == size.width && shot.height == size.height, "\(png.lastPathComponent): \(shot.width)×\(shot.height)")
            #expect(shot.bytes > 10_000, "\(png.lastPathComponent): \(shot.bytes) bytes, nearly blank")
        }
    }

    @Test("a 20-series report: one panel per series with its full name, shared axes, every axis labelled", .enabled(if: enabled))
    func twentySeriesAsPNG() throws {
        let folder = try ExportCLITests.folder()
        let data = JSONSchemaTests.root.appendingPathComponent("fixtures/reference-data/revisiting-benchmark/benchmark.lang.csv")
        let html = folder.appendingPathComponent("benchmark.html")
        let run = try CLI.run(["report", data.path, "--x", "Seen Examples", "--y", "Loss", "--model", "saturating", "--out", html.path])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOf: html, encoding: .utf8)
        let svgs = Self.svgs(in: text)
        #expect(svgs.count == 21)
        let measured = try Self.measure(html: text, in: folder)
        let overview = try #require(measured.first)
        // Small multiples: 20 panels on a 4 × 5 grid, titled with the series' full names.
        #expect(overview.panels.count == 20)
        #expect(Set(overview.panels.map { Int($0.left.rounded()) }).count == 4)
        #expect(Set(overview.panels.map { Int($0.top.rounded()) }).count == 5)
        let titles = overview.titles.joined(separator: " ")
        for name in ["BB/('date', '1-shot')/262M", "LM/val_loss/1.07e+09", "NMT/log_perplexity/TEnc-LSTM", "NMT/log_perplexity/28 Enc, 6"] {
            #expect(titles.contains(name), "panel titles: \(overview.titles)")
        }
        // Shared axes: every panel of a column shows the same x ticks where they are labelled.
        let labelledX = Set(overview.panels.filter { !$0.x.isEmpty }.map(\.x))
        #expect(labelledX.count == 1, "x ticks differ between panels: \(labelledX)")
        // The axis names come from the columns, not "x" and "value".
        #expect(overview.texts.contains("Seen Examples") && overview.texts.contains("Loss"))
        for (index, plot) in measured.enumerated() { Self.check(plot, index == 0 ? "overview" : "series \(index)") }
        let pngs = try Self.pngFolder()
        for (index, svg) in svgs.prefix(3).enumerated() {
            let png = pngs.appendingPathComponent("benchmark-\(index == 0 ? "overview" : "series\(index)").png")
            let shot = try Self.screenshot(svg, to: png)
            #expect(shot.bytes > 10_000, "\(png.lastPathComponent): \(shot.bytes) bytes, nearly blank")
        }
    }
}
