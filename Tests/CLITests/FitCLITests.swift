import Foundation
import Testing

@Suite("scalefit fit and models")
struct FitCLITests {
    /// A saturating curve E = 0.5, A = 10, α = 0.3 without noise, as a plain CSV.
    static func writeCurve() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("scalefit-fit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var text = "n,loss\n"
        for i in 0..<12 {
            let n = Foundation.pow(10, 3 + 0.5 * Double(i))
            text += "\(n),\(0.5 + 10 * Foundation.pow(n, -0.3))\n"
        }
        let file = folder.appendingPathComponent("curve.csv")
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test("fit --json follows the output contract and recovers the parameters")
    func fitJSON() throws {
        let file = try Self.writeCurve()
        let run = try CLI.run(["fit", file.path, "--x", "n", "--y", "loss", "--model", "saturating", "--json", "--holdout", "2"])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect(object["schema_version"] as? Int == 1)
        let inputs = try #require(object["inputs"] as? [[String: Any]])
        #expect((inputs.first?["sha256"] as? String)?.count == 64)
        let fit = try #require((object["fits"] as? [[String: Any]])?.first)
        for key in ["series", "model", "n_points", "converged", "status", "objective", "aicc", "bic", "parameters", "holdout", "warnings"] {
            #expect(fit[key] != nil, "missing \(key)")
        }
        let parameters = try #require(fit["parameters"] as? [[String: Any]])
        #expect(parameters.map { $0["name"] as? String } == ["E", "A", "alpha"])
        let alpha = try #require(parameters[2]["value"] as? Double)
        #expect(abs(alpha - 0.3) < 1e-6)
        #expect((parameters[2]["ci95"] as? [Double])?.count == 2)
        let holdout = try #require(fit["holdout"] as? [String: Any])
        #expect(holdout["k"] as? Int == 2)
        #expect((holdout["rmsle"] as? Double).map { $0 < 1e-6 } == true)
    }

    @Test("fit --model auto lists the comparison")
    func auto() throws {
        let file = try Self.writeCurve()
        let run = try CLI.run(["fit", file.path, "--x", "n", "--y", "loss", "--model", "auto"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("model comparison"))
    }

    @Test("usage errors exit 2: unknown model, bad --fix, bad --loss, missing file")
    func usageErrors() throws {
        let file = try Self.writeCurve()
        for arguments in [
            ["fit", file.path, "--model", "nonesuch"],
            ["fit", file.path, "--fix", "E"],
            ["fit", file.path, "--loss", "huber:-1"],
            ["fit", file.path, "--model", "saturating", "--fix", "Z=1"],
            ["fit", file.deletingLastPathComponent().appendingPathComponent("missing.csv").path],
        ] {
            let run = try CLI.run(arguments)
            #expect(run.status == 2, "\(arguments): \(run.status) \(run.stderr)")
            #expect(!run.stderr.isEmpty)
        }
    }

    @Test("models lists every law with its formula")
    func models() throws {
        let run = try CLI.run(["models"])
        #expect(run.status == 0)
        for name in ["power", "saturating", "broken1", "chinchilla", "m3", "m4", "tailcut", "narrowing", "mixing", "generations-linear"] {
            #expect(run.stdout.contains(name), "\(name) missing")
        }
    }
}
