import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// Issue 22: outputs that respect their destination, names that stay data, arguments
/// checked against their domains, generate that never writes NaN, exit statuses as the
/// README's table says. Each test is the reproducer.
@Suite("reliability: destinations, hostile names, argument domains (issue 22)")
struct DestinationCLITests {
    static let root = IngestCLITests.root
    static let good = "run,metric,x,value\nr,loss,1,2.5\nr,loss,2,2.0\nr,loss,3,1.8\nr,loss,4,1.7\nr,loss,5,1.65\nr,loss,6,1.6\n"

    static func folderWithGood() throws -> (URL, URL) {
        let folder = try IngestCLITests.temporaryFolder()
        let input = folder.appendingPathComponent("good.csv")
        try Data(good.utf8).write(to: input)
        return (folder, input)
    }

    static func mode(_ path: String) -> (kind: mode_t, permissions: mode_t, links: Int) {
        var info = stat()
        lstat(path, &info)
        return (info.st_mode & S_IFMT, info.st_mode & 0o7777, Int(info.st_nlink))
    }

    @Test("-o /dev/null stays a character device (it used to become a regular file as root)")
    func devNullStaysADevice() throws {
        let (_, input) = try Self.folderWithGood()
        let run = try CLI.run(["ingest", input.path, "-o", "/dev/null"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.mode("/dev/null").kind == S_IFCHR)
    }

    @Test("-o - and -o /dev/stdout write to standard output")
    func standardOutput() throws {
        let (_, input) = try Self.folderWithGood()
        for name in ["-", "/dev/stdout"] {
            let run = try CLI.run(["ingest", input.path, "-o", name])
            #expect(run.status == 0, "\(run.stderr)")
            // 6 points in the normal form, header first (the table of IngestCLITests).
            #expect(run.stdout.hasPrefix("run,metric,x,value\nr,loss,1.0,2.5\n"))
            #expect(run.stdout.split(separator: "\n").count == 7)
        }
    }

    @Test("a FIFO destination is written, not replaced")
    func fifo() throws {
        let (folder, input) = try Self.folderWithGood()
        let fifo = folder.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        nonisolated(unsafe) var received = Data()
        let reader = Thread {
            if let handle = FileHandle(forReadingAtPath: fifo) { received = handle.readDataToEndOfFile() }
        }
        reader.start()
        let run = try CLI.run(["ingest", input.path, "-o", fifo])
        while reader.isExecuting || !reader.isFinished { usleep(10_000) }
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.mode(fifo).kind == S_IFIFO)
        #expect(String(decoding: received, as: UTF8.self).hasPrefix("run,metric,x,value\n"))
    }

    @Test("a symlink destination keeps the link; its target gets the new contents")
    func symlinkKept() throws {
        let (folder, input) = try Self.folderWithGood()
        let target = folder.appendingPathComponent("target.csv")
        try Data("old\n".utf8).write(to: target)
        let link = folder.appendingPathComponent("link.csv")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "target.csv")
        let run = try CLI.run(["ingest", input.path, "-o", link.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.mode(link.path).kind == S_IFLNK)
        #expect(try String(contentsOf: target, encoding: .utf8).hasPrefix("run,metric,x,value\n"))
    }

    @Test("an existing file keeps its mode (0600 stayed 0600, not 0644)")
    func modeKept() throws {
        let (folder, input) = try Self.folderWithGood()
        let output = folder.appendingPathComponent("private.csv")
        try Data("old\n".utf8).write(to: output)
        chmod(output.path, 0o600)
        let run = try CLI.run(["ingest", input.path, "-o", output.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(Self.mode(output.path).permissions == 0o600)
        #expect(try String(contentsOf: output, encoding: .utf8).hasPrefix("run,metric"))
    }

    @Test("a read-only (0444) file is refused with exit 2, even as root, and kept")
    func readOnlyRefused() throws {
        let (folder, input) = try Self.folderWithGood()
        let output = folder.appendingPathComponent("frozen.csv")
        try Data("old\n".utf8).write(to: output)
        chmod(output.path, 0o444)
        let run = try CLI.run(["ingest", input.path, "-o", output.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("is read-only (mode 444)"))
        #expect(try String(contentsOf: output, encoding: .utf8) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["frozen.csv", "good.csv"])
    }

    @Test("a path whose grandparent is a file names it (not NSCocoaErrorDomain 512)")
    func grandparentIsAFile() throws {
        let (folder, input) = try Self.folderWithGood()
        try Data("x".utf8).write(to: folder.appendingPathComponent("afile"))
        let run = try CLI.run(["ingest", input.path, "-o", folder.appendingPathComponent("afile/sub/out.csv").path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("afile is a file, not a folder"))
        #expect(!run.stderr.contains("NSCocoaErrorDomain"))
    }

    @Test("a NUL in a metric name: the CSV escapes it and reads back through scalefit unchanged")
    func nulNameRoundTrip() throws {
        let folder = try IngestCLITests.temporaryFolder()
        let input = Self.root.appendingPathComponent("fixtures/hostile-names/nul-in-metric-name.jsonl")
        let first = folder.appendingPathComponent("first.csv"), second = folder.appendingPathComponent("second.csv")
        let one = try CLI.run(["ingest", input.path, "-o", first.path])
        #expect(one.status == 0, "\(one.stderr)")
        let bytes = try Data(contentsOf: first)
        #expect(!bytes.contains(0))
        #expect(String(decoding: bytes, as: UTF8.self).contains("lo\\x00ss"))
        let two = try CLI.run(["ingest", first.path, "-o", second.path])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(try Data(contentsOf: second) == bytes)
    }

    @Test("names with DEL and ESC sort as written: ingest -o of its own output is byte-identical, same series and counts")
    func controlNamesKeepTheirOrder() throws {
        let folder = try IngestCLITests.temporaryFolder()
        // DEL sorts after "lo"; its written form "\x7f…" sorts before "a b". A repeated step
        // is dropped on the first read only.
        let input = folder.appendingPathComponent("names.csv")
        try "step,\u{7F}al_lnss,lo\"ss,a b,\u{1B}[31mred\n1,2.5,3,4,5\n2,2.4,2.9,3.9,4.9\n2,2.3,2.8,3.8,4.8\n3,2.2,2.7,3.7,4.7\n"
            .write(to: input, atomically: true, encoding: .utf8)
        let first = folder.appendingPathComponent("first.csv"), second = folder.appendingPathComponent("second.csv")
        let one = try CLI.run(["ingest", input.path, "-o", first.path])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(one.stderr.contains("wrote 12 points of 4 series"), "\(one.stderr)")
        let two = try CLI.run(["ingest", first.path, "-o", second.path])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(two.stderr.contains("wrote 12 points of 4 series"), "\(two.stderr)")
        let bytes = try Data(contentsOf: first)
        #expect(try Data(contentsOf: second) == bytes)
        // The written order is the order of the written names.
        let metrics = String(decoding: bytes, as: UTF8.self).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", maxSplits: 2)[1] }
        var seen: [Substring] = []
        for m in metrics where seen.last != m { seen.append(m) }
        #expect(seen == ["\\x1b[31mred", "\\x7fal_lnss", "a b", "\"lo\"\"ss\""])
    }

    @Test("labels named like the normal form's columns (run, metric, X2) are written as run.1 …: the table reads back the same")
    func reservedLabelNames() throws {
        let folder = try IngestCLITests.temporaryFolder()
        // The text columns run, metric and X2 split the rows into runs and become labels; a
        // label column headed "X2" would be read back as the second input, "run" as a
        // repeated header (the fuzzer's finding of 2026-12-05).
        let input = folder.appendingPathComponent("labels.csv")
        try "run,metric,step,loss,X2\na,m1,1,5,p\na,m1,2,4,p\nb,m2,1,3,q\nb,m2,2,2,q\n".write(to: input, atomically: true, encoding: .utf8)
        let first = folder.appendingPathComponent("first.csv"), second = folder.appendingPathComponent("second.csv")
        let one = try CLI.run(["ingest", input.path, "-o", first.path])
        #expect(one.status == 0, "\(one.stderr)")
        let text = try String(contentsOf: first, encoding: .utf8)
        #expect(text.hasPrefix("run,metric,x,value,X2.1,metric.1,run.1\na/m1/p,loss,1.0,5.0,p,m1,a\n"), "\(text)")
        let two = try CLI.run(["ingest", first.path, "-o", second.path])
        #expect(two.status == 0, "\(two.stderr)")
        #expect(!two.stderr.contains("more than once"), "\(two.stderr)")
        #expect(try Data(contentsOf: second) == Data(text.utf8))
    }

    @Test("a demo that fails after writing its data rolls back: the old data.csv comes back, no new file or folder stays")
    func demoRollsBack() throws {
        let folder = try IngestCLITests.temporaryFolder().appendingPathComponent("demo")
        let fm = FileManager.default
        // A previous tail-cut/data.csv, and report.html taken by a folder: the final group
        // write fails after the data and truths were written.
        try fm.createDirectory(at: folder.appendingPathComponent("tail-cut"), withIntermediateDirectories: true)
        try "old\n".write(to: folder.appendingPathComponent("tail-cut/data.csv"), atomically: true, encoding: .utf8)
        try fm.createDirectory(at: folder.appendingPathComponent("report.html"), withIntermediateDirectories: true)
        let run = try CLI.run(["demo", "--out", folder.path])
        #expect(run.status != 0, "\(run.stdout)")
        #expect(try String(contentsOf: folder.appendingPathComponent("tail-cut/data.csv"), encoding: .utf8) == "old\n")
        let left = try fm.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(left == ["report.html", "tail-cut"], "\(left)")
        #expect(try fm.contentsOfDirectory(atPath: folder.appendingPathComponent("tail-cut").path) == ["data.csv"])
        // Without the obstacle the same command writes everything.
        try fm.removeItem(at: folder.appendingPathComponent("report.html"))
        let again = try CLI.run(["demo", "--out", folder.path])
        #expect(again.status == 0, "\(again.stderr)")
        for name in ["report.html", "analysis.ipynb", "tail-cut.svg", "mixed.svg", "nmt.svg", "tail-cut/truth.json", "mixed/data.csv"] {
            #expect(fm.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
        }
    }

    @Test("an escape sequence in a name is shown escaped by inspect, fit and in the SVG")
    func escapeSequenceShown() throws {
        let folder = try IngestCLITests.temporaryFolder()
        let input = Self.root.appendingPathComponent("fixtures/hostile-names/escape-in-metric-name.jsonl").path
        let inspect = try CLI.run(["inspect", input])
        #expect(inspect.status == 0)
        #expect(inspect.stdout.contains("lo\\x1b[31mss\\x07"))
        #expect(!inspect.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
        let svg = folder.appendingPathComponent("p.svg")
        let plot = try CLI.run(["plot", Self.root.appendingPathComponent("fixtures/hostile-names/nul-in-metric-name.jsonl").path, "--out", svg.path])
        #expect(plot.status == 0, "\(plot.stderr)")
        let text = try String(contentsOf: svg, encoding: .utf8)
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" && $0 != "\t" && $0 != "\r" })
        #expect(try XMLDocument(data: Data(text.utf8)).rootElement()?.name == "svg")
    }

    @Test("argument domains: bootstrap 1–9, --fix outside the domain or twice, negative seed, all exit 2")
    func argumentDomains() throws {
        let (_, input) = try Self.folderWithGood()
        let cases: [([String], String)] = [
            (["--bootstrap", "5"], "at least 10 replicates"),
            (["--fix", "E=-1"], "outside the domain of E"),
            (["--fix", "E=1", "--fix", "E=2"], "given twice"),
            (["--seed", "-1"], "The value '-1' is invalid for '--seed"),
            (["--holdout", "-1"], "--holdout must be ≥ 0"),
        ]
        for (arguments, message) in cases {
            let run = try CLI.run(["fit", input.path, "--model", "saturating"] + arguments)
            #expect(run.status == 2, "\(arguments)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
    }

    @Test("generate refuses β whose curve underflows or is NaN: exit 2, nothing written")
    func generateNonFinite() throws {
        let folder = try IngestCLITests.temporaryFolder()
        for beta in ["1e300", "1e4"] {
            let out = folder.appendingPathComponent("g\(beta)")
            let run = try CLI.run(["generate", "hutter", "--beta", beta, "--t", "1e2,1e4", "--out", out.path])
            #expect(run.status == 2, "\(beta): \(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
    }

    @Test("generate writes data.csv and truth.json together: a failing truth.json leaves the old pair")
    func generateTogether() throws {
        let folder = try IngestCLITests.temporaryFolder()
        let out = folder.appendingPathComponent("g")
        let first = try CLI.run(["generate", "hutter", "--beta", "2", "--t", "1e2,1e4", "--out", out.path])
        #expect(first.status == 0, "\(first.stderr)")
        let oldData = try Data(contentsOf: out.appendingPathComponent("data.csv"))
        // truth.json replaced by a folder: its rename must fail, and data.csv must roll back.
        try FileManager.default.removeItem(at: out.appendingPathComponent("truth.json"))
        try FileManager.default.createDirectory(at: out.appendingPathComponent("truth.json/inner"), withIntermediateDirectories: true)
        let second = try CLI.run(["generate", "hutter", "--beta", "3", "--t", "1e2,1e4", "--out", out.path])
        #expect(second.status == 2)
        #expect(try Data(contentsOf: out.appendingPathComponent("data.csv")) == oldData)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["data.csv", "truth.json"])
    }

    @Test("every law refused the input: fit --model auto and notebook exit 2 like fit --model power")
    func refusalExitStatus() throws {
        let folder = try IngestCLITests.temporaryFolder()
        let input = folder.appendingPathComponent("neg.csv")
        try Data("run,metric,x,value\nr,loss,-1,2\nr,loss,-2,3\n".utf8).write(to: input)
        for arguments in [["fit", input.path, "--model", "power"], ["fit", input.path, "--model", "auto"],
                          ["notebook", input.path, "--out", folder.appendingPathComponent("n.ipynb").path]] {
            let run = try CLI.run(arguments)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("n.ipynb").path))
    }

    @Test("tail /dev/zero says it is a device")
    func tailDevice() throws {
        let run = try CLI.run(["tail", "/dev/zero"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("is a device"))
    }
}
