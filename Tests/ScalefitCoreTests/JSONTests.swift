import Foundation
import Testing
import ScalefitCore

/// The one JSON writer: each layout's bytes, and the spacious layout against Foundation's
/// JSONEncoder (which wrote truth.json before), byte for byte.
@Suite struct JSONTests {
    static let awkward = "q\"b\\s/n\nr\rt\tb\u{8}f\u{c}c\u{1}\u{1f}d\u{7f}é\u{2028}𝄞"

    @Test func standardLayoutInlinesScalarArrays() {
        let node = JSONNode.object([
            ("a", .integer(1)), ("b", .array([.number(1), .number(0.5), .string("x"), .null, .bool(true)])),
            ("c", .array([.object([("d", .number(2e20))])])), ("e", .object([])), ("f", .array([])),
            ("g", .number(.nan)), ("h", .number(-0.0)), ("i", .number(1e15)), ("j", .unsigned(UInt64.max)),
        ])
        #expect(node.rendered() == """
            {
              "a": 1,
              "b": [1, 0.5, "x", null, true],
              "c": [
                {
                  "d": 2e+20
                }
              ],
              "e": {},
              "f": [],
              "g": null,
              "h": 0,
              "i": 1000000000000000.0,
              "j": 18446744073709551615
            }
            """)
    }

    @Test func numberArraysInlineOnlyNumbers() {
        let node = JSONNode.object([("n", .array([.number(1), .null])), ("s", .array([.string("a")])), ("i", .array([.integer(1)]))])
        #expect(node.rendered(layout: .numberArraysInline) == """
            {
              "n": [1, null],
              "s": [
                "a"
              ],
              "i": [
                1
              ]
            }
            """)
    }

    @Test func oneRecordPerLine() {
        let node = JSONNode.object([
            ("tool", .object([("name", .string("s")), ("v", .number(1))])),
            ("rows", .array([.object([("x", .number(100)), ("l", .object([])), ("a", .array([.number(2)]))])])),
            ("w", .array([.string("one")])), ("e", .array([])),
        ])
        #expect(node.rendered(layout: .oneRecordPerLine) == """
            {
              "tool": {"name": "s", "v": 1.0},
              "rows": [
                {"x": 100.0, "l": {}, "a": [2.0]}
              ],
              "w": [
                "one"
              ],
              "e": []
            }
            """)
        #expect(node.line() == #"{"tool": {"name": "s", "v": 1.0}, "rows": [{"x": 100.0, "l": {}, "a": [2.0]}], "w": ["one"], "e": []}"#)
    }

    @Test func escapes() {
        #expect(jsonStringLiteral(Self.awkward) == "\"q\\\"b\\\\s/n\\nr\\rt\\tb\\u0008f\\u000cc\\u0001\\u001fd\u{7f}é\u{2028}𝄞\"")
    }

    struct Sample: Encodable {
        var numbers: [Double?]
        var text: [String: String]
        var empty: [Int] = []
        var nothing: [String: Int] = [:]
        var seed: UInt64
        var nested: [String: [Double]]
    }

    /// The spacious layout writes what `JSONEncoder([.prettyPrinted, .sortedKeys,
    /// .withoutEscapingSlashes])` writes, for awkward strings, keys and numbers.
    @Test func spaciousMatchesFoundation() throws {
        var rng = SeededRandom(seed: 7)
        var numbers: [Double?] = [0, -0.0, 1, -3, 0.1, 1e-7, 1e15, 1e15 + 1, 2e15, 1e16, 1e21, 1e22, 5e-324, .greatestFiniteMagnitude, nil]
        for _ in 0..<300 {
            let v = Double(bitPattern: rng.next())
            if v.isFinite { numbers.append(v) }
            numbers.append(Double(rng.next() % 100_000) / 8)
        }
        let sample = Sample(
            numbers: numbers, text: [Self.awkward: Self.awkward, "B": "", "a10": "x", "a9": "y", "é": "z", "Z": "/"],
            seed: UInt64.max - 5, nested: ["b": [], "a": [1.5, 2]])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let foundation = String(decoding: try encoder.encode(sample), as: UTF8.self)
        let ours = JSONNode.sortedObject([
            ("numbers", .array(numbers.map { $0.map(JSONNode.number) ?? .null })),
            ("text", .sortedObject(sample.text.map { ($0.key, .string($0.value)) })),
            ("empty", .array([])), ("nothing", .sortedObject([])), ("seed", .unsigned(sample.seed)),
            ("nested", .sortedObject(sample.nested.map { ($0.key, .array($0.value.map(JSONNode.number))) })),
        ]).rendered(layout: .spacious)
        #expect(ours == foundation)
    }

    @Test func jsonLinesHandsOnPieces() throws {
        var pieces: [String] = []
        var lines = JSONLines(pieceSize: 40)
        for i in 0..<5 {
            try lines.append(.object([("i", .integer(i)), ("x", .number(Double(i) / 4)), ("s", .string("é\n"))])) { pieces.append($0) }
        }
        try lines.finish { pieces.append($0) }
        let all = pieces.joined()
        #expect(all == (0..<5).map { "{\"i\": \($0), \"x\": \(Double($0) / 4), \"s\": \"é\\n\"}\n" }.joined())
        #expect(pieces.count >= 3)
        #expect(pieces.dropLast().allSatisfy { $0.utf8.count >= 40 })
    }
}
