import Foundation
import Testing

/// The truth loop of issue 15: `fit --truth`, `--fail-on-miss`, and the demo recovering its truth.
@Suite("truth loop")
struct TruthCLITests {
    @Test("scalefit demo recovers its own truth: every true value inside its 95% interval")
    func demoRecoversTruth() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-demo-truth-\(UUID().uuidString)")
        let run = try CLI.run(["demo", "--out", folder.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("truth check: every true value lies inside its 95% interval"), "\(run.stdout)")
        #expect(!run.stdout.contains("MISS"))
        // β, k (both curves), π, the plateau (both) and the onsets are checked.
        #expect(run.stdout.components(separatedBy: "(inside 95% CI").count - 1 >= 10)
    }

    @Test("fit --truth adds truth objects; --fail-on-miss exits 1 for the biased asymptotic law, 0 for the exact one")
    func truthJSON() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-truth-\(UUID().uuidString)")
        let gen = try CLI.run(["generate", "hutter", "--beta", "2", "--cut", "1000", "--mix", "0.01", "--noise", "0.01",
                               "--t-range", "1e2:1e12:40", "--out", folder.path])
        #expect(gen.status == 0, "\(gen.stderr)")
        let data = folder.appendingPathComponent("data.csv").path, truth = folder.appendingPathComponent("truth.json").path
        let csv = try String(contentsOfFile: data, encoding: .utf8)
        for label in ["pi", "synthetic_fraction", "generation", "beta", "k"] {
            #expect(csv.split(separator: "\n")[0].split(separator: ",").contains(Substring(label)), "label \(label) missing")
        }
        let exact = try CLI.run(["fit", data, "--model", "mixing", "--truth", truth, "--fail-on-miss", "--json"])
        #expect(exact.status == 0, "\(exact.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(exact.stdout.utf8)) as! [String: Any]
        let fit = (doc["fits"] as! [[String: Any]])[0]
        let params = fit["parameters"] as! [[String: Any]]
        for p in params {
            let t = p["truth"] as! [String: Any]
            #expect(t["in_ci95"] as? Bool == true, "\(p["name"]!)")
            #expect(t["in_bootstrap_ci95"] is NSNull)
        }
        let pi = params.first { $0["name"] as? String == "pi" }!
        #expect((pi["truth"] as! [String: Any])["value"] as? Double == 0.01)
        let derived = fit["derived"] as! [[String: Any]]
        #expect(derived.contains { $0["name"] as? String == "plateau" && ($0["truth"] as? [String: Any])?["in_ci95"] as? Bool == true })
        let asymptotic = try CLI.run(["fit", data, "--model", "mixing-asymptotic", "--truth", truth, "--fail-on-miss"])
        #expect(asymptotic.status == 1)
        #expect(asymptotic.stdout.contains("MISS"))
        let bad = try CLI.run(["fit", data, "--model", "mixing", "--fail-on-miss"])
        #expect(bad.status == 2)
    }
}
