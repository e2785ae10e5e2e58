import Foundation
import Testing

/// `fit --law` (issue 20): a law of the user's own on fixtures/chinchilla-sweep.
@Suite("scalefit fit --law")
struct CustomLawCLITests {
    static let law = "E + A*N^-alpha + B*D^-beta"
    static let domains = ["--param", "E>=0", "--param", "A>0", "--param", "B>0"]

    static func document(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("the fit's model is custom, its formula the expression, its parameters named as in it; equal to chinchilla's")
    func contract() throws {
        let run = try CLI.run(["fit", SavedFitCLITests.sweep, "--x", "N,D", "--y", "loss", "--law", Self.law] + Self.domains
                              + ["--json", "--predict", "7e10:1.4e12"])
        #expect(run.status == 0, "\(run.stderr)")
        let fit = try #require((try Self.document(run.stdout)["fits"] as? [[String: Any]])?.first)
        #expect(fit["model"] as? String == "custom")
        #expect(fit["formula"] as? String == Self.law)
        let parameters = try #require(fit["parameters"] as? [[String: Any]])
        #expect(parameters.map { $0["name"] as? String } == ["E", "A", "alpha", "B", "beta"])
        #expect(parameters.map { $0["domain"] as? String } == [">=0", ">0", "real", ">0", "real"])
        let options = try #require(try Self.document(run.stdout)["options"] as? [String: Any])
        #expect(options["law"] as? String == Self.law && options["model"] as? String == "custom")

        let builtin = try CLI.run(["fit", SavedFitCLITests.sweep, "--x", "N,D", "--y", "loss", "--model", "chinchilla", "--json"])
        let reference = try #require((try Self.document(builtin.stdout)["fits"] as? [[String: Any]])?.first?["parameters"] as? [[String: Any]])
        for p in parameters {
            let name = p["name"] as! String
            let value = p["value"] as! Double
            let other = reference.first { $0["name"] as? String == name }!["value"] as! Double
            #expect(abs(value - other) <= 1e-8 * abs(other), "\(name): \(value) vs \(other)")
        }

        // Saved, it predicts what the fit predicted, and allocates compute.
        let file = try SavedFitCLITests.folder().appendingPathComponent("custom.json")
        try run.stdout.write(to: file, atomically: true, encoding: .utf8)
        let predicted = try CLI.run(["predict", file.path, "--at", "7e10:1.4e12", "--json"])
        #expect(predicted.status == 0, "\(predicted.stderr)")
        #expect(try SavedFitCLITests.predictionTexts(run.stdout) == SavedFitCLITests.predictionTexts(predicted.stdout))
        let optimal = try CLI.run(["optimal", file.path, "--compute", "1e21", "--json"])
        #expect(optimal.status == 0, "\(optimal.stderr)")
        let allocation = try #require((try Self.document(optimal.stdout)["allocations"] as? [[String: Any]])?.first)
        let n = try #require((allocation["N"] as? [String: Any])?["value"] as? Double)
        #expect(abs(n - 1.63619e9) < 1e-5 * 1.63619e9)
    }

    @Test("a bad law is refused with exit 2, naming the column of the bad token; --param must name a parameter")
    func errors() throws {
        let bad = try CLI.run(["fit", SavedFitCLITests.sweep, "--x", "N,D", "--y", "loss", "--law", "E + A*N^^alpha"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("column 9"), "\(bad.stderr)")
        #expect(bad.stdout.isEmpty)
        let unknown = try CLI.run(["fit", SavedFitCLITests.sweep, "--x", "N,D", "--y", "loss", "--law", "E + A*N^-alpha", "--param", "Q>0"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no parameter Q"))
        let both = try CLI.run(["fit", SavedFitCLITests.sweep, "--x", "N,D", "--y", "loss", "--law", "E + A*N^-alpha", "--model", "power"])
        #expect(both.status == 2)
        let outside = try CLI.run(["fit", SavedFitCLITests.sweep, "--x", "N,D", "--y", "loss", "--law", "E + A*N^-alpha", "--param", "E>0", "--fix", "E=-1"])
        #expect(outside.status == 2)
    }

    @Test("the notebook carries the law translated to numpy")
    func notebook() throws {
        let out = try SavedFitCLITests.folder().appendingPathComponent("custom.ipynb")
        let run = try CLI.run(["notebook", SavedFitCLITests.sweep, "--x", "N,D", "--y", "loss", "--law", Self.law] + Self.domains + ["--out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.contains("((p[0] + (p[1] * (x ** (-p[2])))) + (p[3] * (x2 ** (-p[4]))))"))
    }
}
