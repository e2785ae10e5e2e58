import Foundation
import Testing

/// Issue 17 ("a newcomer's first hour"): what a new user meets on the command line.
@Suite("first hour: re-run commands, --series, list options, intervals in the output")
struct NewcomerCLITests {
    /// A saturating curve with a column name that needs quoting: "Seen Examples".
    static func writeCurve() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit newcomer \(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var text = "run,Seen Examples,Loss\n"
        for run in ["small", "large"] {
            for i in 0..<12 {
                let n = Foundation.pow(10, 3 + 0.5 * Double(i))
                let scale = run == "small" ? 10.0 : 6.0
                text += "\(run),\(n),\(0.5 + scale * Foundation.pow(n, -0.3) * (1 + 0.002 * Double(i % 3 - 1)))\n"
            }
        }
        let file = folder.appendingPathComponent("curve o'brien.csv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    static func unescapeHTML(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test("the report's command is shell-quoted and re-runs to the same report")
    func reportCommandReruns() throws {
        let file = try Self.writeCurve()
        let folder = file.deletingLastPathComponent()
        let report = folder.appendingPathComponent("report.html")
        let run = try CLI.run([
            "report", file.path, "--x", "Seen Examples", "--y", "Loss", "--group", "run", "--model", "saturating", "--out", report.path,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let html = try String(contentsOf: report, encoding: .utf8)
        let start = try #require(html.range(of: "<h3>Command</h3>\n<p><code>"))
        let end = try #require(html.range(of: "</code>", range: start.upperBound..<html.endIndex))
        let command = Self.unescapeHTML(String(html[start.upperBound..<end.lowerBound]))
        #expect(command.contains("--x 'Seen Examples'"), "\(command)")
        #expect(command.contains("'curve o'\\''brien.csv'") || command.contains("o'\\''brien"), "\(command)")
        // Re-run it with the shell, as a reader would paste it (scalefit = this build).
        let again = folder.appendingPathComponent("again.html")
        let pasted = command.replacingOccurrences(of: report.path, with: again.path)
        #expect(pasted != command)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "scalefit() { \"$SCALEFIT\" \"$@\"; }; " + pasted]
        var environment = ProcessInfo.processInfo.environment
        environment["SCALEFIT"] = CLI.binary.path
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let rerun = try String(contentsOf: again, encoding: .utf8)
        // The same fits (the parameter tables agree; the timestamp and command differ).
        func tables(_ s: String) -> [Substring] { s.components(separatedBy: "<table class=\"parameters\">").dropFirst().map { $0.prefix { $0 != "/" } } }
        #expect(tables(rerun) == tables(html) && !tables(html).isEmpty)
    }

    @Test("--series keeps the series whose name matches; a pattern that matches none exits 2 and lists them")
    func seriesSelection() throws {
        let file = try Self.writeCurve()
        let base = ["fit", file.path, "--x", "Seen Examples", "--y", "Loss", "--group", "run", "--model", "saturating", "--json"]
        func names(_ run: CLI.Run) throws -> [String] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            return (object["fits"] as? [[String: Any]] ?? []).compactMap { $0["series"] as? String }
        }
        let all = try CLI.run(base)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(try names(all).count == 2)
        let small = try CLI.run(base + ["--series", "small"])
        #expect(try names(small) == ["small/Loss"], "\(small.stderr)")
        let glob = try CLI.run(base + ["--series", "l*/Loss"])
        #expect(try names(glob) == ["large/Loss"], "\(glob.stderr)")
        let both = try CLI.run(base + ["--series", "small", "--series", "large"])
        #expect(try names(both).count == 2)
        let none = try CLI.run(base + ["--series", "medium"])
        #expect(none.status == 2)
        #expect(none.stderr.contains("--series medium matches no series") && none.stderr.contains("small/Loss"), "\(none.stderr)")
    }

    @Test("--predict takes 1e9,1e10, 1e9 1e10 and repeats alike; generate --t takes repeats")
    func listOptions() throws {
        let file = try FitCLITests.writeCurve()
        let base = ["fit", file.path, "--x", "n", "--y", "loss", "--model", "saturating", "--json"]
        func predicted(_ extra: [String]) throws -> [Double] {
            let run = try CLI.run(base + extra)
            #expect(run.status == 0, "\(extra): \(run.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let fit = try #require((object["fits"] as? [[String: Any]])?.first)
            return (fit["predictions"] as? [[String: Any]] ?? []).compactMap { $0["x"] as? Double }
        }
        #expect(try predicted(["--predict", "1e9,1e10"]) == [1e9, 1e10])
        #expect(try predicted(["--predict", "1e9", "1e10"]) == [1e9, 1e10])
        #expect(try predicted(["--predict", "1e9", "--predict", "1e10"]) == [1e9, 1e10])
        let bad = try CLI.run(base + ["--predict", "1e9,,1e10"])
        #expect(bad.status == 2)

        let folder = file.deletingLastPathComponent()
        let a = try CLI.run(["generate", "hutter", "--beta", "2", "--t", "1e3,1e6", "--out", folder.appendingPathComponent("a").path])
        let b = try CLI.run(["generate", "hutter", "--beta", "2", "--t", "1e3", "--t", "1e6", "--out", folder.appendingPathComponent("b").path])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        let dataA = try String(contentsOf: folder.appendingPathComponent("a/data.csv"), encoding: .utf8)
        let dataB = try String(contentsOf: folder.appendingPathComponent("b/data.csv"), encoding: .utf8)
        #expect(dataA == dataB && dataA.split(separator: "\n").count == 3)
    }

    @Test("fit --json: every positive parameter's interval stays positive and names its method")
    func intervalsInJSON() throws {
        let file = try Self.writeCurve()
        for intervals in ["wald", "profile"] {
            let run = try CLI.run([
                "fit", file.path, "--x", "Seen Examples", "--y", "Loss", "--group", "run", "--model", "auto", "--json", "--intervals", intervals,
            ])
            #expect(run.status == 0, "\(run.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let fits = (object["fits"] as? [[String: Any]] ?? []) + (object["comparison"] as? [[String: Any]] ?? [])
            #expect(!fits.isEmpty)
            for fit in object["fits"] as? [[String: Any]] ?? [] {
                for p in fit["parameters"] as? [[String: Any]] ?? [] {
                    guard let ci = p["ci95"] as? [Double] else { continue }
                    let method = p["ci95_method"] as? String
                    #expect(method != nil, "\(p)")
                    if intervals == "profile" { #expect(method == "profile") }
                    if method == "wald-log" || ["E", "A", "B"].contains(p["name"] as? String ?? "") {
                        #expect(ci[0] > 0, "\(fit["model"] ?? "")/\(p["name"] ?? ""): \(ci)")
                    }
                }
            }
        }
    }
}
