import Foundation
import Testing

/// Issue 9 end to end: no lost or half-written output when the process is interrupted or
/// killed in the middle of a write, and results that do not depend on the thread count.
@Suite("reliability: output safety and thread-count invariance")
struct ReliabilityCLITests {
    static let root = IngestCLITests.root

    /// The probe that writes through AtomicWriter as the CLI does and pauses after the first
    /// 1 MiB piece of the temporary (Tests/Probes/WriteInterruptProbe), built beside `scalefit`.
    static let probe = CLI.binary.deletingLastPathComponent().appendingPathComponent("write-interrupt-probe")

    /// Starts the probe writing OUTPUT and returns the process once it has written part of
    /// the temporary file, with the temporary's path.
    static func startPausedWrite(output: URL, launcher: [String] = []) throws -> (Process, String) {
        let process = Process()
        let command = launcher + [probe.path, output.path]
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var seen = ""
        let marker = "scalefit: paused mid-write: "
        while !seen.contains(marker) || !seen[seen.range(of: marker)!.upperBound...].contains("\n") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // the process ended without pausing
            seen += String(decoding: chunk, as: UTF8.self)
        }
        guard let range = seen.range(of: marker) else {
            process.terminate()
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "no pause marker; stderr: \(seen)"])
        }
        let temporary = String(seen[range.upperBound...].prefix { $0 != "\n" })
        return (process, temporary)
    }

    /// A fresh folder and `tidy.csv` holding "old\n" (the file an interrupted write must keep),
    /// in a subfolder `out` of it when `nested`.
    static func oldOutput(nested: Bool = false) throws -> (folder: URL, outFolder: URL, output: URL) {
        let folder = try IngestCLITests.temporaryFolder()
        let outFolder = nested ? folder.appendingPathComponent("out") : folder
        try FileManager.default.createDirectory(at: outFolder, withIntermediateDirectories: true)
        let output = outFolder.appendingPathComponent("tidy.csv")
        try Data("old\n".utf8).write(to: output)
        return (folder, outFolder, output)
    }

    @Test("SIGINT in the middle of a write keeps the old file and removes the temporary")
    func interruptMidWrite() throws {
        let (_, outFolder, output) = try Self.oldOutput(nested: true)

        let (process, temporary) = try Self.startPausedWrite(output: output)
        let partial = try FileManager.default.attributesOfItem(atPath: temporary)[.size] as? Int ?? 0
        #expect(partial == 1 << 20, "the temporary holds the first piece when the signal comes")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()

        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT)
        #expect(try String(contentsOf: output, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outFolder.path) == ["tidy.csv"])
    }

    @Test("SIGTERM in the middle of a write keeps the old file and removes the temporary")
    func terminateMidWrite() throws {
        let (folder, _, output) = try Self.oldOutput()
        let (process, _) = try Self.startPausedWrite(output: output)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM)
        #expect(try String(contentsOf: output, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["tidy.csv"])
    }

    @Test("a signal ignored at start stays ignored (nohup): SIGHUP does not stop the write",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/nohup")))
    func nohupKeepsIgnoring() throws {
        let (_, _, output) = try Self.oldOutput()
        let (process, temporary) = try Self.startPausedWrite(output: output, launcher: ["/usr/bin/nohup"])
        kill(process.processIdentifier, SIGHUP)
        // Still paused mid-write: a SIGTERM (not ignored) then ends it and cleans up.
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM)
        #expect(!FileManager.default.fileExists(atPath: temporary))
        #expect(try String(contentsOf: output, encoding: .utf8) == "old\n")
    }

    @Test("SIGKILL in the middle of a write keeps the old file; the next write removes the dead temporary")
    func killMidWrite() throws {
        let (folder, outFolder, output) = try Self.oldOutput(nested: true)

        let (process, temporary) = try Self.startPausedWrite(output: output)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
        // Nothing can run on SIGKILL: the old file is intact, the temporary is still there…
        #expect(try String(contentsOf: output, encoding: .utf8) == "old\n")
        #expect(FileManager.default.fileExists(atPath: temporary))

        // …until the next write to the same destination, which removes it.
        let small = folder.appendingPathComponent("small.csv")
        try Data("run,metric,x,value\nr,loss,1,2.5\n".utf8).write(to: small)
        let run = try CLI.run(["ingest", small.path, "-o", output.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try String(contentsOf: output, encoding: .utf8) == "run,metric,x,value\nr,loss,1.0,2.5\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outFolder.path) == ["tidy.csv"])
    }

    @Test("an input that opens but cannot be read is an I/O failure (exit 4), not bad input (2)",
          .enabled(if: FileManager.default.fileExists(atPath: "/proc/self/mem")))
    func readErrorIsIOFailure() throws {
        // /proc/self/mem opens, and reading it at offset 0 (an unmapped address) fails with EIO.
        for command in ["inspect", "ingest"] {
            let run = try CLI.run([command, "/proc/self/mem"] + (command == "ingest" ? ["-o", "-"] : []))
            #expect(run.status == 4, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("/proc/self/mem: error: cannot read: Input/output error"), "\(run.stderr)")
        }
    }

    @Test("an output that cannot be written (disk full) is an I/O failure: exit 4",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullDiskIsIOFailure() throws {
        let folder = try IngestCLITests.temporaryFolder()
        let small = folder.appendingPathComponent("small.csv")
        try Data("run,metric,x,value\nr,loss,1,2.5\n".utf8).write(to: small)
        let run = try CLI.run(["ingest", small.path, "-o", "/dev/full"])
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("/dev/full: error: cannot write: No space left on device"), "\(run.stderr)")
    }

    @Test("an error before the write leaves the old file and no temporary")
    func errorLeavesOldFile() throws {
        let (folder, _, output) = try Self.oldOutput()
        let bad = folder.appendingPathComponent("bad.csv")
        try Data("run,metric,x,value\nr,loss,1,2.5\nr,loss,2,\"3\n".utf8).write(to: bad)
        let run = try CLI.run(["ingest", bad.path, "-o", output.path])
        #expect(run.status == 2)
        #expect(try String(contentsOf: output, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["bad.csv", "tidy.csv"])
    }

    @Test("a destination that cannot be written exits 2 and leaves no temporary")
    func unwritableDestination() throws {
        let folder = try IngestCLITests.temporaryFolder()
        let small = folder.appendingPathComponent("small.csv")
        try Data("run,metric,x,value\nr,loss,1,2.5\n".utf8).write(to: small)
        // The destination is a folder: the rename fails after the temporary was written.
        let destination = folder.appendingPathComponent("taken")
        try FileManager.default.createDirectory(at: destination.appendingPathComponent("inner"), withIntermediateDirectories: true)
        let run = try CLI.run(["ingest", small.path, "-o", destination.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("cannot write"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["small.csv", "taken"])
    }

    // MARK: Thread count

    /// A saturating curve (E = 1.7, A = 400, α = 0.3) with 3% seeded noise, and an (N, D)
    /// table from Chinchilla's law, written as CSV.
    static func curves(in folder: URL) throws -> (curve: URL, sweep: URL) {
        var state: UInt64 = 42
        func noise() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
        var curve = "x,loss\n"
        for i in 0..<30 {
            let x = 1e3 * pow(10, Double(i) / 5)
            curve += "\(x),\(1.7 + 400 * pow(x, -0.3) * (1 + 0.03 * noise()))\n"
        }
        var sweep = "N,D,loss\n"
        for n in [1e7, 3e7, 1e8, 3e8, 1e9, 3e9] {
            for d in [1e9, 3e9, 1e10, 3e10, 1e11] {
                sweep += "\(n),\(d),\(1.82 + 482 * pow(n, -0.348) + 2085 * pow(d, -0.366) * (1 + 0.02 * noise()))\n"
            }
        }
        let curveURL = folder.appendingPathComponent("curve.csv"), sweepURL = folder.appendingPathComponent("sweep.csv")
        try Data(curve.utf8).write(to: curveURL)
        try Data(sweep.utf8).write(to: sweepURL)
        return (curveURL, sweepURL)
    }

    /// Each case exercises the parallel paths: starts, Huber refinement and bootstrap
    /// replicates (kept small: the debug binary runs them in about 6 s in all).
    static let threadCases: [[String]] = [
        ["--model", "saturating", "--bootstrap", "200", "--seed", "7", "--holdout", "2", "--predict", "1e9", "1e12"],
        ["--model", "saturating", "--loss", "huber:0.01", "--bootstrap", "50", "--seed", "3"],
        ["--model", "auto", "--starts", "4"],
        ["--model", "broken1", "--starts", "12", "--bootstrap", "10"],
        ["--model", "chinchilla", "--x", "N,D", "--y", "loss", "--starts", "40", "--bootstrap", "40", "--seed", "11"],
    ]

    @Test("one and two threads give bit-identical JSON", arguments: threadCases)
    func threadCountInvariance(_ arguments: [String]) throws {
        let folder = try IngestCLITests.temporaryFolder()
        let (curve, sweep) = try Self.curves(in: folder)
        let input = arguments.contains("chinchilla") ? sweep : curve
        let one = try CLI.run(["fit", input.path] + arguments + ["--json", "--threads", "1"])
        let two = try CLI.run(["fit", input.path] + arguments + ["--json", "--threads", "2"])
        #expect(one.status == two.status)
        #expect(one.stdout.contains("\"schema_version\": 1") || one.stdout.contains("\"schema_version\":1"), "\(one.stderr)")
        #expect(one.stdout == two.stdout)
        if arguments.contains("saturating") { #expect(one.stdout.contains("\"bootstrap_ci95\": [") || one.stdout.contains("\"bootstrap_ci95\":[")) }
    }
}
