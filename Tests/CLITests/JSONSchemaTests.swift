import Foundation
import Testing

/// Real outputs of `scalefit fit --json` and `scalefit generate` checked against the JSON
/// Schema files in docs/schema/: in Swift (a subset of JSON Schema: type, required,
/// properties, items, $ref, const, enum, oneOf, additionalProperties, min/maxItems, pattern),
/// and in full with python's `jsonschema` when it is installed.
@Suite("JSON schemas in docs/schema")
struct JSONSchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func schema(_ name: String) throws -> [String: Any] {
        let url = root.appendingPathComponent("docs/schema/\(name)")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// Problems found validating `value` against `schema` (empty: valid).
    static func problems(_ value: Any, _ schema: [String: Any], root: [String: Any], at path: String = "$") -> [String] {
        if let ref = schema["$ref"] as? String, ref.hasPrefix("#/$defs/") {
            let name = String(ref.dropFirst("#/$defs/".count))
            guard let target = (root["$defs"] as? [String: Any])?[name] as? [String: Any] else { return ["\(path): unknown \(ref)"] }
            return problems(value, target, root: root, at: path)
        }
        if let options = schema["oneOf"] as? [[String: Any]] {
            let matching = options.filter { problems(value, $0, root: root, at: path).isEmpty }.count
            return matching == 1 ? [] : ["\(path): matches \(matching) of oneOf"]
        }
        var found: [String] = []
        if let types = schema["type"] {
            let names = (types as? [String]) ?? [types as? String ?? ""]
            if !names.contains(where: { matches(value, type: $0) }) { return ["\(path): \(type(of: value)) is not \(names)"] }
        }
        if let constant = schema["const"], !equal(constant, value) { found.append("\(path): not the constant \(constant)") }
        if let options = schema["enum"] as? [Any], !options.contains(where: { equal($0, value) }) { found.append("\(path): \(value) not in enum") }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path): missing \(key)") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, member) in object {
                if let sub = properties[key] as? [String: Any] {
                    found += problems(member, sub, root: root, at: "\(path).\(key)")
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    found += problems(member, extra, root: root, at: "\(path).\(key)")
                }
            }
        }
        if let array = value as? [Any], !(value is [String: Any]) {
            if let items = schema["items"] as? [String: Any] {
                for (i, item) in array.enumerated() { found += problems(item, items, root: root, at: "\(path)[\(i)]") }
            }
            if let min = schema["minItems"] as? Int, array.count < min { found.append("\(path): fewer than \(min) items") }
            if let max = schema["maxItems"] as? Int, array.count > max { found.append("\(path): more than \(max) items") }
        }
        if let text = value as? String, let pattern = schema["pattern"] as? String,
           text.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(path): \"\(text)\" does not match \(pattern)")
        }
        return found
    }

    static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "boolean": return isBool(value)
        case "integer": return !isBool(value) && (value as? NSNumber).map { $0.doubleValue.rounded() == $0.doubleValue } ?? false
        case "number": return !isBool(value) && value is NSNumber
        case "string": return value is String
        case "array": return value is [Any]
        case "object": return value is [String: Any]
        default: return false
        }
    }

    static func isBool(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return String(cString: number.objCType) == "c"
    }

    static func equal(_ a: Any, _ b: Any) -> Bool {
        if let x = a as? String, let y = b as? String { return x == y }
        if let x = a as? NSNumber, let y = b as? NSNumber, !isBool(a), !isBool(b) { return x.doubleValue == y.doubleValue }
        return false
    }

    /// Full validation with python's jsonschema, or nil when it is not installed.
    static func pythonValidate(schema: String, document: URL) throws -> (Bool, String)? {
        let script = """
            import json, sys
            try:
                import jsonschema
            except ImportError:
                sys.exit(77)
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, root.appendingPathComponent("docs/schema/\(schema)").path, document.path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        do { try process.run() } catch { return nil }
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 77 || process.terminationStatus == 127 { return nil }
        return (process.terminationStatus == 0, message)
    }

    static func check(_ documentURL: URL, against name: String) throws {
        let schema = try Self.schema(name)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: documentURL), options: [.fragmentsAllowed])
        let found = problems(document, schema, root: schema)
        #expect(found.isEmpty, "\(name): \(found)")
        if let (ok, message) = try pythonValidate(schema: name, document: documentURL) {
            #expect(ok, "python jsonschema, \(name): \(message)")
        }
    }

    @Test("fit --json (with hold-out, predictions, bootstrap and auto comparison) follows fit.schema.json")
    func fit() throws {
        let file = try FitCLITests.writeCurve()
        for arguments in [
            ["--model", "saturating", "--holdout", "2", "--predict", "1e9", "--bootstrap", "20"],
            ["--model", "auto"],
        ] {
            let run = try CLI.run(["fit", file.path, "--x", "n", "--y", "loss", "--json"] + arguments)
            #expect(run.status == 0, "\(run.stderr)")
            let out = file.deletingLastPathComponent().appendingPathComponent("fit-\(UUID().uuidString).json")
            try run.stdout.write(to: out, atomically: true, encoding: .utf8)
            try Self.check(out, against: "fit.schema.json")
        }
    }

    @Test("generate writes truth.json and data.json that follow their schemas")
    func generate() throws {
        let folder = try ExportCLITests.folder()
        let run = try CLI.run(["generate", "hutter", "--beta", "2", "--cut", "100", "--mix", "0.1", "--t", "10,100,1000", "--json", "--out", folder.path])
        #expect(run.status == 0, "\(run.stderr)")
        try Self.check(folder.appendingPathComponent("truth.json"), against: "truth.schema.json")
        try Self.check(folder.appendingPathComponent("data.json"), against: "data.schema.json")
    }

    @Test("detect --json (one curve, and a family with --by) follows detect.schema.json")
    func detect() throws {
        let folder = try ExportCLITests.folder()
        var files: [String] = []
        for (name, extra) in [("mixed", ["--cut", "1000", "--mix", "0.01"]), ("gen1", ["--generations", "1", "--t0", "1e4"]), ("gen2", ["--generations", "2", "--t0", "1e4"])] {
            let out = folder.appendingPathComponent(name)
            let run = try CLI.run(["generate", "hutter", "--beta", "2", "--t-range", "1e2:1e10:25", "--out", out.path] + extra)
            #expect(run.status == 0, "\(run.stderr)")
            files.append(out.appendingPathComponent("data.csv").path)
        }
        for arguments in [[files[0]], [files[1], files[2], "--by", "generation"]] {
            let run = try CLI.run(["detect", "--json"] + arguments)
            #expect(run.status == 0, "\(run.stderr)")
            let out = folder.appendingPathComponent("detect-\(UUID().uuidString).json")
            try run.stdout.write(to: out, atomically: true, encoding: .utf8)
            try Self.check(out, against: "detect.schema.json")
        }
    }

    @Test("the Swift check rejects what the schema forbids (a missing key, a wrong type, a bad enum)")
    func negative() throws {
        let schema = try Self.schema("detect.schema.json")
        let good: [String: Any] = [
            "schema_version": 1,
            "verdicts": [["series": "s", "verdict": "collapsed", "breakpoints": [["x": 1e6, "ci95": [5e5, 2e6]]],
                          "plateau": ["level": 0.01, "from_x": 1e6, "to_x": NSNull()], "evidence": [:] as [String: Any]]],
        ]
        #expect(Self.problems(good, schema, root: schema).isEmpty)
        var missing = good
        missing["verdicts"] = [["series": "s", "verdict": "collapsed", "breakpoints": [] as [Any], "evidence": [:] as [String: Any]]]
        #expect(!Self.problems(missing, schema, root: schema).isEmpty)
        var badKind = good
        badKind["verdicts"] = [["series": "s", "verdict": "stalled", "breakpoints": [] as [Any], "plateau": NSNull(), "evidence": [:] as [String: Any]]]
        #expect(!Self.problems(badKind, schema, root: schema).isEmpty)
        var badType = good
        badType["schema_version"] = "1"
        #expect(!Self.problems(badType, schema, root: schema).isEmpty)
    }
}
