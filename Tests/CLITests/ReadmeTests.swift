import Foundation
import Testing

/// The README is a test: every command of every ```sh block of README.md runs, as written,
/// with `scalefit` meaning the binary this build made.
///
/// The commands run in order in one scratch folder whose name has a space in it, so that
/// later commands read what earlier ones wrote (`generate … --out runs/x` then
/// `detect runs/x/data.csv`). `fixtures/` in that folder is the repository's `fixtures/`.
///
/// Rules of the extraction (``ReadmeCommands``), so that a README line added later is
/// covered without editing this file:
/// - Only ```sh blocks are commands; plain ``` blocks are synopses and listings.
/// - A line ending in `\` continues on the next line; `#` starts a comment.
/// - In a block with `$ ` lines (a transcript), only the `$ ` lines are commands; the
///   rest is output.
/// - A command is expected to exit 0, or the status a trailing `# exit N` names.
/// - Set-up blocks (those that run `scripts/install-deps.sh`) are not run here: they
///   build and test this very package, and `.ci/run` runs them as written.
@Suite("README commands", .serialized)
struct ReadmeTests {
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test("the extraction finds the README's commands and classifies the set-up blocks")
    func extraction() throws {
        let readme = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let blocks = ReadmeCommands.blocks(in: readme)
        let setUp = blocks.filter(\.isSetUp)
        // README.md's "Set up" section has two commands: the demo and the tests.
        #expect(setUp.count == 2)
        #expect(setUp.flatMap(\.commands).map(\.text).contains("./scripts/install-deps.sh && swift test"))
        let commands = blocks.filter { !$0.isSetUp }.flatMap(\.commands)
        #expect(commands.count >= 20, "\(commands.count) commands")
        #expect(commands.allSatisfy { $0.text.hasPrefix("scalefit ") }, "\(commands.map(\.text).filter { !$0.hasPrefix("scalefit ") })")

        // The rules on a made-up README.
        let sample = """
            ```sh
            $ scalefit tail x.txt --predict
              alpha = 1.9
            ```
            ```
            scalefit synopsis [--not-run]
            ```
            ```sh
            # a comment
            scalefit fit a.csv \\
                --model power   # trailing comment
            scalefit detect b.csv --fail-on-collapse   # exit 3
            ```
            """
        let parsed = ReadmeCommands.blocks(in: sample).flatMap(\.commands)
        #expect(parsed.map(\.text) == ["scalefit tail x.txt --predict", "scalefit fit a.csv --model power", "scalefit detect b.csv --fail-on-collapse"])
        #expect(parsed.map(\.expectedStatus) == [0, 0, 3])
    }

    @Test("every command of README.md runs as written")
    func everyCommandRuns() throws {
        let readme = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let commands = ReadmeCommands.blocks(in: readme).filter { !$0.isSetUp }.flatMap(\.commands)
        let manager = FileManager.default
        let scratch = manager.temporaryDirectory.appendingPathComponent("scalefit readme \(UUID().uuidString)")
        let bin = scratch.appendingPathComponent(".bin")
        try manager.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? manager.removeItem(at: scratch) }
        try manager.createSymbolicLink(at: bin.appendingPathComponent("scalefit"), withDestinationURL: CLI.binary)
        try manager.createSymbolicLink(
            at: scratch.appendingPathComponent("fixtures"), withDestinationURL: Self.repositoryRoot.appendingPathComponent("fixtures"))
        let path = bin.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")

        for command in commands {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-o", "pipefail", "-c", command.text]
            process.currentDirectoryURL = scratch
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = path
            process.environment = environment
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            try process.run()
            nonisolated(unsafe) var errData = Data()
            let group = DispatchGroup()
            group.enter()
            DispatchQueue.global().async {
                errData = err.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
            let outData = out.fileHandleForReading.readDataToEndOfFile()
            group.wait()
            process.waitUntilExit()
            let stderr = String(decoding: errData, as: UTF8.self)
            #expect(
                process.terminationStatus == command.expectedStatus,
                "README.md:\(command.line): `\(command.text)` exited \(process.terminationStatus), expected \(command.expectedStatus)\n\(stderr.suffix(2000))")
            // Intervals of positive parameters never cross zero (issue 17): no printed
            // interval has a negative lower and positive upper end for A, E or a floor.
            let stdout = String(decoding: outData, as: UTF8.self)
            for line in stdout.split(separator: "\n") where line.contains("95%") || line.contains("[") {
                #expect(!ReadmeCommands.showsCrossingPositiveInterval(String(line)), "README.md:\(command.line): \(line)")
            }
        }
    }
}

/// The commands of a Markdown file's ```sh blocks (see ``ReadmeTests``).
enum ReadmeCommands {
    struct Command: Equatable {
        var text: String
        var line: Int
        var expectedStatus: Int32
    }
    struct Block {
        var line: Int
        var commands: [Command]
        var isSetUp: Bool { commands.contains { $0.text.contains("scripts/install-deps.sh") } }
    }

    static func blocks(in markdown: String) -> [Block] {
        var blocks: [Block] = []
        var current: [(line: Int, text: String)]? = nil
        var start = 0
        var isShell = false
        for (index, raw) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                if current == nil {
                    isShell = trimmed == "```sh" || trimmed == "```bash" || trimmed == "```shell"
                    current = []
                    start = index + 1
                } else {
                    if isShell { blocks.append(Block(line: start, commands: commands(current!))) }
                    current = nil
                }
                continue
            }
            current?.append((index + 1, line))
        }
        return blocks
    }

    static func commands(_ lines: [(line: Int, text: String)]) -> [Command] {
        let transcript = lines.contains { $0.text.hasPrefix("$ ") }
        var result: [Command] = []
        var pending: (line: Int, text: String)? = nil
        for (number, raw) in lines {
            var text = raw
            if pending == nil {
                if transcript {
                    guard text.hasPrefix("$ ") else { continue }
                    text.removeFirst(2)
                }
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            }
            let continued = text.hasSuffix("\\")
            if continued { text.removeLast() }
            let piece = text.trimmingCharacters(in: .whitespaces)
            if var open = pending {
                open.text += " " + piece
                pending = open
            } else {
                pending = (number, piece)
            }
            if !continued, let done = pending {
                result.append(command(done.text, line: done.line))
                pending = nil
            }
        }
        if let done = pending { result.append(command(done.text, line: done.line)) }
        return result
    }

    /// Splits off a trailing comment (`#` after whitespace, outside quotes) and reads
    /// `# exit N` from it.
    static func command(_ text: String, line: Int) -> Command {
        var quote: Character? = nil
        var previous: Character = " "
        var cut = text.endIndex
        for index in text.indices {
            let c = text[index]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "#" && previous.isWhitespace {
                cut = index
                break
            }
            previous = c
        }
        let body = text[..<cut].trimmingCharacters(in: .whitespaces)
        let comment = text[cut...].dropFirst().trimmingCharacters(in: .whitespaces)
        var status: Int32 = 0
        if comment.hasPrefix("exit "), let n = Int32(comment.dropFirst(5).prefix { $0.isNumber }) { status = n }
        return Command(text: body, line: line, expectedStatus: status)
    }

    /// Whether a printed line shows a 95% interval `[lo, hi]` with lo < 0 < hi for a
    /// parameter that must be positive (`A`, `B`, `E`, `floor`, `d1`…, `alpha` of a
    /// saturating law is not checked: its sign is a real question).
    static func showsCrossingPositiveInterval(_ line: String) -> Bool {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        let name = trimmed.prefix { !$0.isWhitespace }
        let positive = ["A", "B", "E", "floor", "E_inf", "d1", "d2", "d3", "f1", "f2", "f3"]
        guard positive.contains(String(name)) else { return false }
        var rest = Substring(trimmed)
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            let inside = rest[rest.index(after: open)..<close].split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            if inside.count == 2, let lo = inside[0], let hi = inside[1], lo < 0, hi > 0 { return true }
            rest = rest[rest.index(after: close)...]
        }
        return false
    }
}
