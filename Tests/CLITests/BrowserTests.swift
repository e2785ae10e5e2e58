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
}
