import Foundation
import Testing
import ScalefitCore
@testable import Ingest

/// Every fixture in fixtures/ against its expected normal form, and every broken input in
/// fixtures/bad/ against its exact error text. The expected files were written by
/// fixtures/tools/regenerate.sh and checked by hand against the inputs (invented numbers).
@Suite("fixtures")
struct FixtureTests {
    /// Options from a `<name>.args` file: one `key=value` a line.
    static func options(for stem: URL) throws -> IngestOptions {
        var options = IngestOptions()
        let file = stem.appendingPathExtension("args")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return options }
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let (key, value) = (parts[0], parts[1])
            switch key {
            case "x":
                let names = value.split(separator: ",").map(String.init)
                options.xColumn = names[0]
                if names.count == 2 { options.x2Column = names[1] }
            case "y": options.yColumn = value
            case "group": options.groupColumns.append(value)
            case "metric": options.metric = value
            case "tokens-per-step": options.tokensPerStep = Double(value)
            case "min-x": options.minX = Double(value)
            case "repeated": options.repeatedSteps = RepeatedStepPolicy(rawValue: value)!
            case "format": options.format = LogFormat(rawValue: value)!
            case "run": options.run = value
            case "stitch": options.stitch = true
            case "derive": options.deriveFromCompute = true
            case "include-unfinished": options.includeUnfinished = true
            default: Issue.record("unknown key \(key) in \(file.path)")
            }
        }
        return options
    }

    /// The input beside `<stem>.expected.csv` (or `.expected-error`): the file or folder
    /// with that stem that is neither an answer nor options.
    static func input(for stem: URL) -> URL? {
        let folder = stem.deletingLastPathComponent()
        let name = stem.lastPathComponent
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let match = entries.sorted().first { entry in
            (entry == name || entry.hasPrefix(name + ".")) && !entry.contains(".expected") && !entry.hasSuffix(".args")
        }
        return match.map { folder.appendingPathComponent($0) }
    }

    static func answers(suffix: String, under folder: URL) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(suffix) && !$0.hasPrefix("bad/") }.sorted()
    }

    static let good = answers(suffix: ".expected.csv", under: Support.fixtures)
    static let bad = answers(suffix: ".expected-error", under: Support.fixtures.appendingPathComponent("bad"))

    @Test("there is a fixture for every format")
    func coverage() throws {
        var formats = Set<LogFormat>()
        for answer in Self.good {
            let stem = Support.fixtures.appendingPathComponent(String(answer.dropLast(".expected.csv".count)))
            let input = try #require(Self.input(for: stem))
            let options = try Self.options(for: stem)
            formats.insert(try options.format ?? Ingest.detectFormat(path: input.path))
        }
        #expect(formats == Set(LogFormat.allCases), "missing: \(Set(LogFormat.allCases).subtracting(formats))")
    }

    @Test("each fixture reads to its expected normal form", arguments: good)
    func fixture(_ answer: String) throws {
        let stem = Support.fixtures.appendingPathComponent(String(answer.dropLast(".expected.csv".count)))
        let input = try #require(Self.input(for: stem), "no input for \(answer)")
        let result = try Ingest.read(paths: [input.path], options: Self.options(for: stem))
        let expected = try String(contentsOf: Support.fixtures.appendingPathComponent(answer), encoding: .utf8)
        #expect(NormalForm.csv(result.series) == expected)
        #expect(result.sources.count == 1 && result.sources[0].sha256.count == 64)
    }

    @Test("each broken input fails with its exact error", arguments: bad)
    func broken(_ answer: String) throws {
        let stem = Support.fixtures.appendingPathComponent("bad").appendingPathComponent(String(answer.dropLast(".expected-error".count)))
        let input = try #require(Self.input(for: stem), "no input for \(answer)")
        let expected = try String(contentsOf: Support.fixtures.appendingPathComponent("bad").appendingPathComponent(answer), encoding: .utf8)
        do {
            _ = try Ingest.read(paths: [input.path], options: Self.options(for: stem))
            Issue.record("\(input.lastPathComponent) was read without an error")
        } catch let error as InputError {
            let text = error.description.replacingOccurrences(of: Support.root.path + "/", with: "")
            #expect(text + "\n" == expected)
            #expect(error.exitStatus == .badInput)
        }
    }
}
