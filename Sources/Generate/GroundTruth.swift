import Foundation
import ScalefitCore

/// A value in `truth.json`: a number, an integer, a string, a list of numbers, or null
/// (a number that is not finite is written as null, as docs/design.md's output contract asks).
public enum TruthValue: Codable, Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
    case number(Double)
    case integer(Int)
    case text(String)
    case numbers([Double])
    case null

    public init(stringLiteral value: String) { self = .text(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let v): if v.isFinite { try container.encode(v) } else { try container.encodeNil() }
        case .integer(let v): try container.encode(v)
        case .text(let v): try container.encode(v)
        case .numbers(let v): try container.encode(v.map { $0.isFinite ? $0 : nil })
        case .null: try container.encodeNil()
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let v = try? container.decode(Int.self) { self = .integer(v) }
        else if let v = try? container.decode(Double.self) { self = .number(v) }
        else if let v = try? container.decode(String.self) { self = .text(v) }
        else { self = .numbers(try container.decode([Double?].self).map { $0 ?? .nan }) }
    }

    /// The value as written in `truth.json` (a number that is not finite as null).
    var jsonNode: JSONNode {
        switch self {
        case .number(let v): return .number(v)
        case .integer(let v): return .integer(v)
        case .text(let v): return .string(v)
        case .numbers(let v): return .array(v.map(JSONNode.number))
        case .null: return .null
        }
    }

    /// The numeric value, if any.
    public var number: Double? {
        switch self {
        case .number(let v): return v
        case .integer(let v): return Double(v)
        default: return nil
        }
    }
}

/// The parameters a generated data set obeys, written as `DIR/truth.json`.
///
/// `law` holds the law of docs/collapse-models.md the data follow — its formula as text and every
/// derived constant (e.g. `c = 1 − 1/β`, the plateau as the exact tail mass, the plateau
/// and second-descent onsets) — so a fit can be checked against it.
public struct GroundTruth: Codable, Sendable, Hashable {
    public struct Tool: Codable, Sendable, Hashable {
        public var name: String
        public var version: String
    }

    public var schemaVersion: Int
    public var tool: Tool
    /// The scenario, e.g. `hutter`.
    public var scenario: String
    /// The section of docs/collapse-models.md the scenario implements.
    public var reference: String
    public var seed: UInt64
    /// Every parameter of the setting, named as in docs/collapse-models.md.
    public var parameters: [String: TruthValue]
    /// The law the data obey: formulas (text) and constants (numbers).
    public var law: [String: TruthValue]
    public var warnings: [String]

    public init(
        scenario: String, reference: String, seed: UInt64, parameters: [String: TruthValue],
        law: [String: TruthValue], warnings: [String] = [], toolVersion: String = GroundTruth.defaultToolVersion
    ) {
        schemaVersion = 1
        tool = Tool(name: "scalefit", version: toolVersion)
        self.scenario = scenario
        self.reference = reference
        self.seed = seed
        self.parameters = parameters
        self.law = law
        self.warnings = warnings
    }

    /// The version written when the caller does not say (the CLI passes its own).
    public static let defaultToolVersion = scalefitVersion

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", tool, scenario, reference, seed, parameters, law, warnings
    }

    /// Pretty, key-sorted JSON: the same truth always gives the same bytes.
    public func json() throws -> String {
        func table(_ values: [String: TruthValue]) -> JSONNode { .sortedObject(values.map { ($0.key, $0.value.jsonNode) }) }
        let document = JSONNode.sortedObject([
            ("schema_version", .integer(schemaVersion)),
            ("tool", .sortedObject([("name", .string(tool.name)), ("version", .string(tool.version))])),
            ("scenario", .string(scenario)), ("reference", .string(reference)), ("seed", .unsigned(seed)),
            ("parameters", table(parameters)), ("law", table(law)), ("warnings", .array(warnings.map(JSONNode.string))),
        ])
        return document.rendered(layout: .spacious) + "\n"
    }
}

/// What a scenario produces: the series (the same values Ingest produces) and their truth.
public struct GeneratedData: Sendable {
    public var series: [Series]
    public var truth: GroundTruth
    /// Extra files to write beside data.csv (name → contents), e.g. `tokens.txt`.
    public var extraFiles: [String: String]

    public init(series: [Series], truth: GroundTruth, extraFiles: [String: String] = [:]) {
        self.series = series
        self.truth = truth
        self.extraFiles = extraFiles
    }

    /// The series in the normal form as JSON: `{"series": [{run, metric, x, value, labels}]}`.
    public func seriesJSON() throws -> String {
        let rows: [JSONNode] = series.map {
            .sortedObject([
                ("run", .string($0.run)), ("metric", .string($0.metric)),
                ("x", .array($0.x.map(JSONNode.number))), ("value", .array($0.values.map(JSONNode.number))),
                ("labels", .sortedObject($0.labels.map { ($0.key, .string($0.value)) })),
            ])
        }
        let document = JSONNode.sortedObject([("schema_version", .integer(1)), ("series", .array(rows))])
        return document.rendered(layout: .spacious) + "\n"
    }

    /// The first number that is not finite (NaN or ±∞) in the series or the truth, named;
    /// nil when every number is finite. Data whose "known truth" holds NaN is not data.
    public func firstNonFinite() -> String? {
        for s in series {
            if let i = s.x.firstIndex(where: { !$0.isFinite }) { return "\(s.name): x = \(s.x[i])" }
            if let i = s.values.firstIndex(where: { !$0.isFinite }) { return "\(s.name): value \(s.values[i]) at x = \(s.x[i])" }
        }
        for (label, table) in [("parameter", truth.parameters), ("law", truth.law)] {
            for (key, value) in table.sorted(by: { $0.key < $1.key }) {
                switch value {
                case .number(let v) where !v.isFinite: return "truth \(label) \(key) = \(v)"
                case .numbers(let list) where list.contains(where: { !$0.isFinite }): return "truth \(label) \(key) holds a non-finite number"
                default: continue
                }
            }
        }
        return nil
    }

    /// Writes `dir/data.csv` (or `data.json`), `dir/truth.json` and the extra files together
    /// (``AtomicWriter/write(files:)``: all appear or none, so new data never sits beside an
    /// old truth). Nothing is written until everything has been generated, and nothing at all
    /// when a number came out NaN or infinite (a usage error, exit 2).
    public func write(to dir: String, json: Bool = false) throws {
        try AtomicWriter.write(files: try files(in: dir, json: json))
    }

    /// The files ``write(to:json:)`` writes into `dir` (the data, any extra files, then
    /// truth.json), for a caller that writes them in a larger group (`scalefit demo`).
    /// - Throws: a usage error when a number came out NaN or infinite.
    public func files(in dir: String, json: Bool = false) throws -> [(path: String, data: Data)] {
        if let bad = firstNonFinite() {
            throw UsageError("these parameters give results that are not finite (\(bad)); nothing written")
        }
        let base = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        var files: [(path: String, data: Data)] = []
        if series.isEmpty {
            // Sample-only scenarios (zipf-sample) have no curve to write.
        } else if json {
            files.append((base + "/data.json", Data(try seriesJSON().utf8)))
        } else {
            files.append((base + "/data.csv", Data(NormalForm.csv(series).utf8)))
        }
        for (name, text) in extraFiles.sorted(by: { $0.key < $1.key }) {
            files.append((base + "/" + name, Data(text.utf8)))
        }
        files.append((base + "/truth.json", Data(try truth.json().utf8)))
        return files
    }
}
