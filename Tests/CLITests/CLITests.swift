import Foundation
import Testing

/// End-to-end tests of the built `scalefit` binary: exit codes and output.
@Suite("scalefit command line")
struct CLITests {
    @Test("demo runs and exits 0")
    func demo() throws {
        let run = try CLI.run(["demo"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("converged"))
    }

    @Test("an unknown option exits 2 (usage), not ArgumentParser's 64")
    func usage() throws {
        let run = try CLI.run(["--no-such-option"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("Unknown option"))
    }

    @Test("--help exits 0")
    func help() throws {
        let run = try CLI.run(["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("USAGE"))
    }
}
