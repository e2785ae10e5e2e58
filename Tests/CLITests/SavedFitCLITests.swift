import Foundation
import Testing

/// `scalefit predict`, `optimal` and `isoflop` on fixtures/chinchilla-sweep (written by
/// scripts/allocation-reference.py).
@Suite("scalefit predict, optimal and isoflop")
struct SavedFitCLITests {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
    static var sweep: String { repository.appendingPathComponent("fixtures/chinchilla-sweep/sweep.csv").path }

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-saved-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// `fit --json` of the sweep, saved to a file, with predictions at two points.
    static func savedFit(extra: [String] = []) throws -> (file: URL, document: [String: Any]) {
        let run = try CLI.run(["fit", sweep, "--x", "N,D", "--y", "loss", "--model", "chinchilla", "--starts", "50",
                               "--json", "--predict", "7e10:1.4e12", "1e9:2e10"] + extra)
        #expect(run.status == 0, "\(run.stderr)")
        let file = try folder().appendingPathComponent("fit.json")
        try run.stdout.write(to: file, atomically: true, encoding: .utf8)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        return (file, document)
    }

    /// The five contract keys of each prediction, as the JSON text renders them.
    static func predictionTexts(_ json: String) throws -> [String] {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let list = try #require((document["fits"] as? [[String: Any]])?.first?["predictions"] as? [[String: Any]] ?? document["predictions"] as? [[String: Any]])
        return list.map { p in
            ["x", "x2", "value", "confidence_band", "prediction_interval"].map { "\(p[$0] ?? "missing")" }.joined(separator: "|")
        }
    }

    @Test("predict FIT.json gives exactly what fit --predict gave for the same points")
    func predictEqualsFit() throws {
        let (file, _) = try Self.savedFit()
        let fitText = try String(contentsOf: file, encoding: .utf8)
        let run = try CLI.run(["predict", file.path, "--at", "7e10:1.4e12", "--at", "1e9:2e10", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let fromFit = try Self.predictionTexts(fitText), fromSaved = try Self.predictionTexts(run.stdout)
        #expect(fromFit.count == 2)
        #expect(fromFit == fromSaved)
        // The rendered numbers themselves, not only the parsed values.
        for line in run.stdout.split(separator: "\n") where line.contains("\"value\"") {
            #expect(fitText.contains(line.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: ","))))
        }
        let text = try CLI.run(["predict", file.path, "--at", "7e10:1.4e12"])
        #expect(text.status == 0 && text.stdout.contains("95% confidence band"))
    }

    @Test("predict refuses bad input with exit 2 and a non-converged fit with exit 1")
    func predictErrors() throws {
        let (file, document) = try Self.savedFit()
        #expect(try CLI.run(["predict", file.path, "--at", "7e10"]).status == 2)  // one number for a two-input law
        #expect(try CLI.run(["predict", file.path, "--at", "abc"]).status == 2)
        #expect(try CLI.run(["predict", file.path]).status == 2)
        #expect(try CLI.run(["predict", "/nonexistent/fit.json", "--at", "1:2"]).status == 2)
        let folder = try Self.folder()
        let broken = folder.appendingPathComponent("broken.json")
        try "{\"fits\": [{\"model\": \"chinchilla\"".write(to: broken, atomically: true, encoding: .utf8)
        let brokenRun = try CLI.run(["predict", broken.path, "--at", "1:2"])
        #expect(brokenRun.status == 2 && brokenRun.stderr.contains("broken.json"))
        // The same fit marked as not converged.
        var fits = try #require(document["fits"] as? [[String: Any]])
        fits[0]["converged"] = false
        var copy = document
        copy["fits"] = fits
        let unconverged = folder.appendingPathComponent("unconverged.json")
        try JSONSerialization.data(withJSONObject: copy).write(to: unconverged)
        #expect(try CLI.run(["predict", unconverged.path, "--at", "1e9:2e10"]).status == 1)
    }

    @Test("optimal follows its output contract; N·D·6 = C and the loss band holds the estimate")
    func optimal() throws {
        let (file, _) = try Self.savedFit(extra: ["--bootstrap", "100", "--seed", "1"])
        let run = try CLI.run(["optimal", file.path, "--compute", "1e21", "1e24", "--tokens-per-parameter", "100", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(document["schema_version"] as? Int == 1)
        let allocations = try #require(document["allocations"] as? [[String: Any]])
        #expect(allocations.count == 2)
        for a in allocations {
            let c = try #require(a["compute"] as? Double)
            var values: [String: Double] = [:]
            for key in ["N", "D", "tokens_per_parameter", "loss"] {
                let e = try #require(a[key] as? [String: Any], "missing \(key)")
                let value = try #require(e["value"] as? Double)
                let ci = try #require(e["ci95"] as? [Double]), boot = try #require(e["bootstrap_ci95"] as? [Double])
                #expect(ci[0] < value && value < ci[1], "\(key) \(value) outside \(ci)")
                #expect(boot[0] <= value && value <= boot[1], "\(key) \(value) outside bootstrap \(boot)")
                values[key] = value
            }
            #expect(abs(6 * values["N"]! * values["D"]! / c - 1) < 1e-12)
            #expect(abs(values["D"]! / values["N"]! / values["tokens_per_parameter"]! - 1) < 1e-12)
        }
        let over = try #require(document["overtraining"] as? [[String: Any]])
        #expect(over.count == 2)
        #expect(((over[0]["extra_compute"] as? [String: Any])?["value"] as? Double).map { $0 > 0 } == true)
        #expect(try CLI.run(["optimal", file.path]).status == 2)
        #expect(try CLI.run(["optimal", file.path, "--compute", "-1"]).status == 2)
        #expect(try CLI.run(["optimal", file.path, "--compute", "1e21"]).stdout.contains("D*/N*"))
    }

    @Test("isoflop on the generated sweep: six budgets, exponent intervals holding β/(α+β) = 0.4516")
    func isoflop() throws {
        let run = try CLI.run(["isoflop", Self.sweep, "--x", "N,C", "--y", "loss", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let analysis = try #require((document["analyses"] as? [[String: Any]])?.first)
        #expect((analysis["budgets"] as? [Any])?.count == 6)
        let n = try #require(analysis["N_exponent"] as? [String: Any])
        let ci = try #require(n["ci95"] as? [Double])
        #expect(ci[0] <= 0.28 / 0.62 && 0.28 / 0.62 <= ci[1])
        #expect(try CLI.run(["isoflop", Self.sweep, "--x", "N", "--y", "loss"]).status == 2)
    }
}
