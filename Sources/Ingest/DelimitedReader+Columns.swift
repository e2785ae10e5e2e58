import Foundation
import ScalefitCore

extension DelimitedReader {
    /// Puts a W&B `__MIN` (`lower`) or `__MAX` value on the point just added to `slot`. A
    /// summary keeps the row's pair and counts the points whose two values differ (each is
    /// set once per point: the count is taken when the second comes); a full read sets the
    /// band arrays' last entries.
    @inline(__always)
    static func placeBand(_ value: Double, lower: Bool, slot: Int, summary: Bool,
                          rowLower: UnsafeMutablePointer<Double>, rowUpper: UnsafeMutablePointer<Double>,
                          bandsDiffer: inout Int, banded: inout [Bool], lowers: inout [[Double]], uppers: inout [[Double]]) {
        banded[slot] = true
        if summary {
            if lower { rowLower[slot] = value } else { rowUpper[slot] = value }
            let low = rowLower[slot], high = rowUpper[slot]
            if low.isFinite && high.isFinite && low != high { bandsDiffer += 1 }
            return
        }
        if lower { lowers[slot][lowers[slot].count - 1] = value } else { uppers[slot][uppers[slot].count - 1] = value }
    }
}

/// A growable buffer of plain values owned by one reader call (``free()`` it): writing
/// an element through ``base`` pays no uniqueness check, unlike an array.
struct Scratch<Element> {
    private(set) var base: UnsafeMutablePointer<Element> = .allocate(capacity: 8)
    private(set) var count = 0
    private var capacity = 8

    mutating func append(_ element: Element) {
        if count == capacity {
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            bigger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity *= 2
        }
        (base + count).initialize(to: element)
        count += 1
    }

    func free() {
        base.deinitialize(count: count)
        base.deallocate()
    }
}

/// Where N, D, C and the loss are in a sweep table, by header synonyms (case, spaces,
/// underscores and hyphens ignored), and the unit each column's name implies.
struct SweepColumns {
    var n: Int?
    var d: Int?
    var c: Int?
    var loss: Int?
    var status: Int?
    var step: Int?
    let header: [String]

    static func normalise(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" })
    }
    static let nNames = ["n", "params", "nparams", "numparams", "parameters", "parametercount", "modelsize",
                         "nonembeddingparams", "paramsplanned", "numparameters"]
    static let dNames = ["d", "tokens", "ntokens", "traintokens", "totaltokens", "trainingtokens", "tokensplanned",
                         "data", "datasetsize", "numtokens"]
    static let cNames = ["c", "flops", "compute", "trainingflop", "trainingflops", "budget", "achievedflops",
                         "totalgflops", "gflops", "pfdays", "petaflopdays", "totalflops"]
    static let lossNames = ["loss", "finalloss", "valloss", "val/loss", "evalloss", "eval/loss", "testloss",
                            "cdvalloss", "validationloss", "train/loss", "trainloss"]

    init(header: [String]) {
        self.header = header
        let names = header.map(Self.normalise)
        func first(_ synonyms: [String]) -> Int? { synonyms.lazy.compactMap { names.firstIndex(of: $0) }.first }
        n = first(Self.nNames)
        d = first(Self.dNames)
        c = first(Self.cNames)
        loss = first(Self.lossNames)
        status = first(["status", "state", "runstate"])
        step = first(["step", "iter", "iteration", "globalstep", "epoch"])
    }

    /// One row per model: N or C, a loss, and no step column.
    var isSweep: Bool { (n != nil || c != nil) && loss != nil && step == nil }

    /// The factor a column's name implies: GFLOPs ×1e9, PF-days ×8.64e19 (10¹⁵ FLOP/s × 86,400 s).
    func scale(_ k: Int) -> Double {
        // Whole words only: "Training FLOP" must not read as "…g flop".
        let words = header[k].lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
        let pairs = zip(words, words.dropFirst()).map { $0 + $1 }
        if (words + pairs).contains(where: { ["pfdays", "pfday", "petaflopdays", "petaflopday"].contains($0) }) { return 8.64e19 }
        if words.contains(where: { $0.hasPrefix("gflop") }) { return 1e9 }
        if words.contains(where: { $0.hasPrefix("tflop") }) { return 1e12 }
        if words.contains(where: { $0.hasPrefix("pflop") }) { return 1e15 }
        if words.contains(where: { $0.hasPrefix("eflop") }) { return 1e18 }
        return 1
    }
}

extension DelimitedReader {
    /// A header whose names repeat (`step,loss,loss`) keeps every column: the second
    /// `loss` is read as `loss.1` (pandas' spelling), with a warning.
    static func renamingDuplicates(_ header: [String], path: String, collector: SeriesCollector) -> [String] {
        guard Set(header).count < header.count else { return header }
        var out = header
        var taken = Set(header)
        var seen: Set<String> = []
        for k in header.indices where !header[k].isEmpty {
            if seen.insert(header[k]).inserted { continue }
            var n = 1
            while taken.contains("\(header[k]).\(n)") { n += 1 }
            out[k] = "\(header[k]).\(n)"
            taken.insert(out[k])
            collector.warn("\(path): the header names \"\(header[k])\" more than once; column \(k + 1) is read as \"\(out[k])\"")
        }
        return out
    }
}

/// What the first rows of a generic table (the first 64 KiB) say about its columns:
/// which hold text that splits rows into runs, which are 0/1 flags, which are numbers.
struct SampleShape {
    /// Text columns with few distinct values (at most half the rows sampled): the runs.
    var groups: [Int] = []
    /// Columns of only 0 and 1 (a train/test flag), when there are groups.
    var flags: [Int] = []
    /// Columns whose every sampled cell is a number or empty (at least one number).
    var numeric: [Int] = []

    init(header: [String], head: [UInt8], delimiter: UInt8) {
        var records = DelimitedReader.records(head, delimiter: delimiter, limit: 2000)
        if head.count == 64 * 1024, records.count > 1 { records.removeLast() }  // maybe cut short
        let rows = records.dropFirst().filter { $0.count == header.count }
        guard rows.count >= 2 else { return }
        var textColumns: [Int] = []
        for k in header.indices {
            var numbers = 0, texts = 0, onlyFlags = true
            var distinct: Set<String> = []
            for row in rows {
                let cell = row[k].trimmingCharacters(in: .whitespaces)
                if cell.isEmpty { continue }
                if let value = NumberParser.parse(cell) {
                    numbers += 1
                    if value != 0 && value != 1 { onlyFlags = false }
                } else {
                    texts += 1
                }
                if distinct.count <= rows.count { distinct.insert(cell) }
            }
            if texts > 0 {
                if distinct.count * 2 <= rows.count { textColumns.append(k) }
            } else if numbers > 0 {
                numeric.append(k)
                let name = SweepColumns.normalise(header[k])
                if onlyFlags && distinct.count == 2 && !SweepColumns.lossNames.contains(name) { flags.append(k) }
            }
        }
        // Only a table that some text column actually splits is grouped (a constant text
        // column stays a label, and the fast path for plain rows stays open).
        let splits = textColumns.contains { k in Set(rows.map { $0[k] }).count > 1 }
        if splits { groups = textColumns } else { flags = [] }
    }

    func firstNumeric(excluding: Set<Int>) -> Int? {
        numeric.first { !excluding.contains($0) && !flags.contains($0) }
    }
}

extension DelimitedReader {
    /// The records of `head` (quotes, doubled quotes, CR LF), at most `limit`.
    static func records(_ head: [UInt8], delimiter: UInt8, limit: Int) -> [[String]] {
        var out: [[String]] = []
        var cells: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        var i = 0
        func endRecord() {
            cells.append(String(decoding: current, as: UTF8.self)); current = []
            if !(cells.count == 1 && cells[0].isEmpty) { out.append(cells) }
            cells = []
        }
        while i < head.count && out.count < limit {
            let b = head[i]
            if inQuotes {
                if b == UInt8(ascii: "\"") {
                    if i + 1 < head.count && head[i + 1] == UInt8(ascii: "\"") { current.append(b); i += 2; continue }
                    inQuotes = false
                } else {
                    current.append(b)
                }
            } else if b == UInt8(ascii: "\"") && current.isEmpty {
                inQuotes = true
            } else if b == delimiter {
                cells.append(String(decoding: current, as: UTF8.self)); current = []
            } else if b == 10 {
                endRecord()
            } else if b != 13 {
                current.append(b)
            }
            i += 1
        }
        if !current.isEmpty || !cells.isEmpty { endRecord() }
        return out
    }
}
