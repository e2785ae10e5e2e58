import Foundation
import ScalefitCore

/// Reads the public reference data sets in fixtures/reference-data (each with its PROVENANCE.md).
enum TestData {
    static var referenceData: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/reference-data")
    }

    static var available: Bool { FileManager.default.fileExists(atPath: referenceData.path) }

    /// A small RFC 4180 reader for the test fixtures (quoted cells with commas).
    static func csv(_ relativePath: String) throws -> [[String: String]] {
        let text = try String(contentsOf: referenceData.appendingPathComponent(relativePath), encoding: .utf8)
        var rows: [[String]] = []
        var row: [String] = [], cell = "", quoted = false
        var iterator = text.makeIterator()
        var pending: Character? = nil
        while let c = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if c == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { cell.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { cell.append(c) }
            } else if c == "\"" { quoted = true }
            else if c == "," { row.append(cell); cell = "" }
            else if c == "\n" || c == "\r\n" { row.append(cell); rows.append(row); row = []; cell = "" }
            else if c != "\r" { cell.append(c) }
        }
        if !cell.isEmpty || !row.isEmpty { row.append(cell); rows.append(row) }
        guard let header = rows.first else { return [] }
        return rows.dropFirst().filter { $0.count == header.count }.map { Dictionary(uniqueKeysWithValues: zip(header, $0)) }
    }

    /// The learning curves of benchmark.lang.csv, de-duplicated (each LM curve appears four
    /// times verbatim in the source: PROVENANCE.md), split into fit and held-out points.
    struct Curve {
        var domain: String
        var name: String
        var fit: Series
        var heldOut: [(x: Double, y: Double)]
    }

    static func revisitingCurves() throws -> [Curve] {
        let rows = try csv("revisiting-benchmark/benchmark.lang.csv")
        var order: [String] = []
        var points: [String: [(x: Double, y: Double, training: Bool)]] = [:]
        var seen = Set<String>()
        var domains: [String: String] = [:]
        for row in rows {
            let key = "\(row["Domain"]!)|\(row["Task"]!)|\(row["Model"]!)"
            let signature = key + "|" + row["Seen Examples"]! + "|" + row["Training"]!
            guard seen.insert(signature).inserted else { continue }
            if points[key] == nil { order.append(key); domains[key] = row["Domain"]! }
            points[key, default: []].append((Double(row["Seen Examples"]!)!, Double(row["Loss"]!)!, row["Training"] == "1"))
        }
        return order.map { key in
            let all = points[key]!
            let fit = all.filter(\.training)
            return Curve(
                domain: domains[key]!, name: key,
                fit: Series(run: key, metric: "loss", x: fit.map(\.x), values: fit.map(\.y)),
                heldOut: all.filter { !$0.training }.map { ($0.x, $0.y) })
        }
    }
}
