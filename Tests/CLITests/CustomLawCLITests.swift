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

/// The notebooks of a custom law and of the data-constrained law, run by python3 (numpy,
/// scipy) when present: the scipy re-fit of the translated law must agree with scalefit.
@Suite("custom-law notebooks re-fitted by scipy", .enabled(if: NotebookRunner.available, "python3 with numpy, scipy and matplotlib is not installed"))
struct CustomLawNotebookTests {
    @Test("the chinchilla formula as a custom law: the notebook's check cell passes")
    func customNotebook() throws {
        let out = try SavedFitCLITests.folder().appendingPathComponent("custom.ipynb")
        let run = try CLI.run(["notebook", SavedFitCLITests.sweep, "--x", "N,D", "--y", "loss", "--law", CustomLawCLITests.law]
                              + CustomLawCLITests.domains + ["--out", out.path])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try NotebookRunner.run(out)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("scipy re-fit agrees with scalefit"))
    }

    @Test("a one-input custom law with functions, and the data-constrained law: the notebooks' check cells pass")
    func functionsAndDataConstrained() throws {
        let folder = try SavedFitCLITests.folder()
        let generated = try CLI.run(["generate", "hutter", "--beta", "2", "--t-range", "1e3:1e9:40", "--out", folder.appendingPathComponent("clean").path])
        #expect(generated.status == 0, "\(generated.stderr)")
        let curve = folder.appendingPathComponent("clean/data.csv").path
        let first = folder.appendingPathComponent("functions.ipynb")
        let run = try CLI.run(["notebook", curve, "--law", "A*exp(-c*log(x))*sqrt(1 + 0*x) + max(0, -1)", "--param", "A>0", "--param", "c=0..2", "--out", first.path])
        #expect(run.status == 0, "\(run.stderr)")
        let result = try NotebookRunner.run(first)
        #expect(result.status == 0 && result.output.contains("scipy re-fit agrees with scalefit"), "\(result.output)")

        // Muennighoff et al.'s law with their values, over U_D = 1e9 unique tokens, 0.3% noise.
        var rows = ["N,D,loss"]
        var state: UInt64 = 12345
        func uniform() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (Double(state >> 11) + 0.5) / 9007199254740992
        }
        let (e, a, b, alpha, rd, rn, ud) = (1.87, 521.0, 1488.0, 0.353, 15.4, 5.3, 1e9)
        let nOpt = ud * pow(a / b, 2.0 / (2 * alpha))
        for n in [1e7, 2e7, 5e7, 1e8, 2e8, 5e8, 1e9, 2e9] {
            for epochs in [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128] {
                let d = epochs * ud, u = min(d, ud), un = min(n, nOpt)
                let dEff = u + u * rd * (1 - exp(-(d / u - 1) / rd)), nEff = un + un * rn * (1 - exp(-(n / un - 1) / rn))
                let z = (-2 * log(uniform())).squareRoot() * cos(2 * Double.pi * uniform())
                rows.append("\(n),\(d),\((e + a * pow(nEff, -alpha) + b * pow(dEff, -alpha)) * exp(0.003 * z))")
            }
        }
        let table = folder.appendingPathComponent("constrained.csv")
        try (rows.joined(separator: "\n") + "\n").write(to: table, atomically: true, encoding: .utf8)
        let second = folder.appendingPathComponent("constrained.ipynb")
        let dc = try CLI.run(["notebook", table.path, "--x", "N,D", "--y", "loss", "--model", "data-constrained", "--fix", "U_D=1e9", "--out", second.path])
        #expect(dc.status == 0, "\(dc.stderr)")
        let refit = try NotebookRunner.run(second)
        #expect(refit.status == 0 && refit.output.contains("scipy re-fit agrees with scalefit"), "\(refit.output)")
    }
}

enum NotebookRunner {
    static let available: Bool = {
        (try? run(arguments: ["-c", "import numpy, scipy, matplotlib"]).status) == 0
    }()

    /// Runs the notebook's code cells, the plot cell and IPython magics left out (Agg backend).
    static func run(_ notebook: URL) throws -> (status: Int32, output: String) {
        let script = """
            import json, sys
            nb = json.load(open(sys.argv[1]))
            cells = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
            code = "\\n".join(c for c in cells if "plt.show" not in c).replace("%config", "# %config")
            exec(compile(code, "notebook", "exec"))
            """
        return try run(arguments: ["-c", script, notebook.path])
    }

    static func run(arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["MPLBACKEND"] = "Agg"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
