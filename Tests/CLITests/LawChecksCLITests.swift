import Foundation
import Testing

/// `fit --against` and `fit --rollout` (issue 20) on fixtures/chinchilla-sweep.
@Suite("scalefit fit --against and --rollout")
struct LawChecksCLITests {
    static let base = ["fit", SavedFitCLITests.sweep, "--x", "N,D", "--y", "loss", "--model", "chinchilla", "--starts", "50"]

    @Test("--against: the generating law is not rejected, a wrong one is (text and JSON agree)")
    func against() throws {
        let truth = try CLI.run(Self.base + ["--against", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28", "--json"])
        #expect(truth.status == 0, "\(truth.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(truth.stdout.utf8)) as? [String: Any])
        let test = try #require((document["against"] as? [[String: Any]])?.first)
        #expect(test["rejected_at_5_percent"] as? Bool == false)
        #expect(test["constrained"] as? Int == 5 && test["n_points"] as? Int == 54)
        let p = try #require(test["f_p_value"] as? Double)
        #expect(p > 0.05)
        let text = try CLI.run(Self.base + ["--against", "E=1.69,A=406.4,B=410.7,alpha=0.34,beta=0.28"])
        #expect(text.stdout.contains("not rejected at 5%"))
        let wrong = try CLI.run(Self.base + ["--against", "alpha=0.5,beta=0.5"])
        #expect(wrong.status == 0)
        #expect(wrong.stdout.contains("rejected at 5%: the data are not consistent"))
        // Bad requests: exit 2.
        #expect(try CLI.run(Self.base + ["--against", "gamma=1"]).status == 2)
        #expect(try CLI.run(Self.base + ["--against", "alpha=x"]).status == 2)
        #expect(try CLI.run(Self.base + ["--against", "alpha=0.3", "--loss", "huber:1e-3"]).status == 2)
    }

    @Test("--rollout: one step per budget after the first fit, errors and coverage in the JSON")
    func rollout() throws {
        let run = try CLI.run(Self.base + ["--rollout", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let rollout = try #require((document["rollouts"] as? [[String: Any]])?.first)
        #expect(rollout["order"] as? String == "compute")
        #expect(rollout["rungs"] as? Int == 6)
        let steps = try #require(rollout["steps"] as? [[String: Any]])
        #expect(steps.map { $0["k"] as? Int } == [1, 2, 3, 4, 5])
        let rmsle = try #require(rollout["rmsle"] as? Double)
        #expect(rmsle > 0 && rmsle < 0.05)
        let coverage = try #require(rollout["prediction_interval_coverage"] as? Double)
        #expect(coverage >= 0.8 && coverage <= 1)
        let text = try CLI.run(Self.base + ["--rollout"])
        #expect(text.stdout.contains("RMS log error"))
    }
}
