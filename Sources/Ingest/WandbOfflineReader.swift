import Foundation
import ScalefitCore

/// W&B offline runs: `wandb/offline-run-<time>-<id>/run-<id>.wandb` (docs/log-formats.md).
///
/// The file is a LevelDB-style record log: a 7-byte header (`:W&B`, magic 0xBEE1 as a
/// little-endian `uint16`, version 0), then 32 KiB blocks (the first counts the header).
/// A block holds chunks: `uint32` CRC-32 (zlib's, of the type byte and the data), `uint16`
/// length, `uint8` type (1 FULL, 2 FIRST, 3 MIDDLE, 4 LAST), the data. A chunk never
/// starts in the last 6 bytes of a block (zeros there). FIRST…LAST chunks join into one
/// record. Each record is a protobuf `wandb_internal.Record`:
///
/// - `run` (17): `RunRecord` with `run_id` (1) and `display_name` (8);
/// - `history` (2): `HistoryRecord` with repeated `item` (1) — `key` (1), repeated
///   `nested_key` (2) and the value: `value_json` (16), or in newer clients one of the
///   typed fields `none` (3), `boolean` (4), `integer` (5, zigzag `sint64`), `number` (6,
///   double), `text` (7), `json` (8) — and `step` (2) → `num` (1).
///
/// Each history record is one row of the history a W&B export gives: x is `_step` (else
/// the record's step), the wall time `_timestamp`, and every other key whose JSON value is
/// a number is a point (`NaN` and ±`Infinity` as written, then counted as non-finite).
/// Nested keys and nested objects are joined with `.` as W&B's export flattens them; media,
/// tables, text and other non-numbers are skipped (counted in a warning). A chunk whose CRC
/// fails is counted (``DropReason/badChecksum``) and the rest of its block skipped, as
/// LevelDB's reader does; a record cut short at the end (a run still writing) is a warning.
///
/// The run is named by its display name (else its id), with the label `run_id`; parts of a
/// resumed run (the same id) read from one folder are one run, as W&B shows it.
enum WandbOfflineReader {
    static let blockSize = 32 * 1024
    static let header: [UInt8] = Array(":W&B".utf8) + [0xE1, 0xBE, 0x00]

    static func looksLikeLog(_ head: [UInt8]) -> Bool { head.starts(with: header.prefix(6)) }

    /// The run files under `folder`: `folder` itself holding `*.wandb` files, its
    /// `offline-run-*` / `run-*` sub-folders, or a `wandb/` folder in it; symbolic links
    /// (`latest-run`) are not followed.
    static func runFiles(_ folder: String) -> [String] {
        let manager = FileManager.default
        func entries(_ path: String) -> [String] { ((try? manager.contentsOfDirectory(atPath: path)) ?? []).sorted() }
        func isLink(_ path: String) -> Bool {
            (try? manager.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeSymbolicLink
        }
        func logs(in path: String) -> [String] {
            entries(path).filter { $0.hasSuffix(".wandb") }.map { (path as NSString).appendingPathComponent($0) }
                .filter { !isLink($0) }
        }
        let here = logs(in: folder)
        if !here.isEmpty { return here }
        var base = folder
        let wandb = (folder as NSString).appendingPathComponent("wandb")
        if entries(folder).contains("wandb"), Ingest.isFolder(wandb), !isLink(wandb) { base = wandb }
        var out: [String] = []
        for entry in entries(base) where entry.hasPrefix("offline-run-") || entry.hasPrefix("run-") {
            let path = (base as NSString).appendingPathComponent(entry)
            if isLink(path) { continue }
            out += logs(in: path)
        }
        return out
    }

    static func read(folder: String, options: IngestOptions, into collector: SeriesCollector) throws -> SourceInfo {
        let files = runFiles(folder)
        guard !files.isEmpty else { throw InputError(file: folder, message: "no W&B run files (offline-run-*/run-*.wandb) in this folder") }
        var lines: [String] = []
        var bytes = 0
        for path in files {
            let source = try ByteSource(path: path)
            try read(source: source, options: options, into: collector)
            let relative = String(path.dropFirst(folder.count).drop { $0 == "/" })
            lines.append("\(try source.finish())  \(relative)")
            bytes += source.byteCount
        }
        return SourceInfo(path: folder, format: .wandbOffline, sha256: FolderFiles.digest(lines), bytes: bytes)
    }

    /// Reads one `.wandb` file.
    static func read(source: ByteSource, options: IngestOptions, into collector: SeriesCollector) throws {
        let path = source.path
        var block = [UInt8](repeating: 0, count: blockSize)
        var blockStart = 0  // file offset of the block
        var record: [UInt8] = []
        var inRecord = false
        var state = RunState(path: path)
        var first = true

        func fill() throws -> Int {
            var got = 0
            while got < blockSize {
                let n = try block.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[got...])) }
                if n == 0 { break }
                got += n
            }
            return got
        }

        while true {
            let count = try fill()
            if count == 0 { break }
            var offset = 0
            if first {
                first = false
                guard count >= 7, Array(block[0..<6]) == Array(header.prefix(6)) else {
                    throw InputError(file: path, message: "expected a W&B run log (\":W&B\" header, magic 0xBEE1), found other bytes")
                }
                guard block[6] == 0 else {
                    throw InputError(file: path, message: "W&B run log version \(block[6]); scalefit reads version 0")
                }
                offset = 7
            }
            while count - offset >= 7 {
                let stored = UInt32(block[offset]) | UInt32(block[offset + 1]) << 8 | UInt32(block[offset + 2]) << 16 | UInt32(block[offset + 3]) << 24
                let length = Int(block[offset + 4]) | Int(block[offset + 5]) << 8
                let type = block[offset + 6]
                if type == 0 && length == 0 && stored == 0 { break }  // zero trailer (or preallocated space)
                let dataStart = offset + 7
                guard dataStart + length <= count else {
                    if count < blockSize {
                        collector.warn("\(path): the last record is cut short at byte \(blockStart + offset) (a run still writing?); it was skipped")
                        inRecord = false
                        record.removeAll()
                        offset = count
                        break
                    }
                    collector.report.add(.badChecksum, path)
                    inRecord = false
                    record.removeAll()
                    offset = count
                    break
                }
                let crc = block.withUnsafeBufferPointer { buffer in
                    CRC32.update(CRC32.update(0, UnsafeBufferPointer(rebasing: buffer[(offset + 6)..<(offset + 7)])),
                                 UnsafeBufferPointer(rebasing: buffer[dataStart..<(dataStart + length)]))
                }
                guard crc == stored, (1...4).contains(type) else {
                    collector.report.add(.badChecksum, path)
                    inRecord = false
                    record.removeAll()
                    offset = count  // the rest of the block cannot be trusted
                    break
                }
                let data = block[dataStart..<(dataStart + length)]
                offset = dataStart + length
                switch type {
                case 1:
                    if inRecord { collector.report.add(.badChecksum, path) }  // a FIRST without its LAST
                    inRecord = false
                    try decode(data, at: blockStart + dataStart - 7, state: &state, options: options, collector: collector)
                case 2:
                    if inRecord { collector.report.add(.badChecksum, path) }
                    record = Array(data)
                    inRecord = true
                case 3:
                    guard inRecord else { collector.report.add(.badChecksum, path); continue }
                    record += data
                default:
                    guard inRecord else { collector.report.add(.badChecksum, path); continue }
                    record += data
                    inRecord = false
                    try decode(record[...], at: blockStart + dataStart - 7, state: &state, options: options, collector: collector)
                    record.removeAll(keepingCapacity: true)
                }
            }
            blockStart += count
            if count < blockSize { break }
        }
        if inRecord {
            collector.warn("\(path): the last record is cut short (a run still writing?); it was skipped")
        }
        if state.skippedValues > 0 {
            collector.warn("\(path): \(state.skippedValues) history values were not numbers (media, tables, text, lists); they were skipped")
        }
        if state.rows == 0 && state.runID == nil {
            throw InputError(file: path, message: "a W&B run log with no run record and no history")
        }
    }

    /// What one file has told so far: the run, and the series made for it.
    struct RunState {
        var runID: String?
        var name: String?
        var fileID: String
        var cache: [String: Int] = [:]
        var rows = 0
        var skippedValues = 0
        let path: String

        init(path: String) {
            self.path = path
            let fileName = URL(fileURLWithPath: path).lastPathComponent
            // run-<id>.wandb
            var stem = fileName
            if stem.hasSuffix(".wandb") { stem.removeLast(6) }
            if stem.hasPrefix("run-") { stem.removeFirst(4) }
            fileID = stem
        }
    }

    private static func decode(_ payload: ArraySlice<UInt8>, at offset: Int, state: inout RunState, options: IngestOptions,
                               collector: SeriesCollector) throws {
        var reader = ProtobufReader(payload)
        while !reader.isAtEnd {
            guard let (number, field) = reader.next() else {
                throw InputError(file: state.path, message: "at byte \(offset): expected a W&B Record protocol buffer; the record is malformed")
            }
            switch (number, field) {
            case (17, .bytes(let run)):
                var fields = ProtobufReader(run)
                while let (n, f) = fields.next() {
                    if n == 1, case .bytes(let text) = f { state.runID = String(decoding: text, as: UTF8.self) }
                    if n == 8, case .bytes(let text) = f, !text.isEmpty { state.name = String(decoding: text, as: UTF8.self) }
                }
                state.cache.removeAll()
            case (2, .bytes(let history)):
                try row(history, at: offset, state: &state, options: options, collector: collector)
            default:
                break
            }
        }
    }

    /// One history record: its items as flattened (name, JSON value) pairs, then points.
    private static func row(_ bytes: ArraySlice<UInt8>, at offset: Int, state: inout RunState, options: IngestOptions,
                            collector: SeriesCollector) throws {
        var reader = ProtobufReader(bytes)
        var items: [(String, JSONValue)] = []
        var recordStep: Double?
        let path = state.path
        while let (number, field) = reader.next() {
            switch (number, field) {
            case (1, .bytes(let item)):
                var fields = ProtobufReader(item)
                var key = ""
                var nested: [String] = []
                var json: ArraySlice<UInt8>?
                var typed: JSONValue?
                while let (n, f) = fields.next() {
                    switch (n, f) {
                    case (1, .bytes(let text)): key = String(decoding: text, as: UTF8.self)
                    case (2, .bytes(let text)): nested.append(String(decoding: text, as: UTF8.self))
                    case (3, _): typed = .null
                    case (4, .varint(let v)): typed = .bool(v != 0)
                    case (5, .varint(let v)): typed = .number(Double(Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))))  // sint64
                    case (6, .fixed64(let bits)): typed = .number(Double(bitPattern: bits))
                    case (7, .bytes(let text)): typed = .string(String(decoding: text, as: UTF8.self))
                    case (8, .bytes(let text)), (16, .bytes(let text)): json = text
                    default: break
                    }
                }
                let name = nested.isEmpty ? key : nested.joined(separator: ".")
                if let json {
                    var parser = JSONParser(bytes: Array(json), file: path)
                    guard let value = try? parser.parseDocument() else {
                        throw InputError(file: path, message: "at byte \(offset): history item \"\(name)\" holds \"\(String(decoding: json.prefix(80), as: UTF8.self))\", not JSON")
                    }
                    typed = value
                }
                flatten(name, typed ?? .null, into: &items)
            case (2, .bytes(let step)):
                var fields = ProtobufReader(step)
                while let (n, f) = fields.next() {
                    if n == 1, case .varint(let v) = f { recordStep = Double(Int64(bitPattern: v)) }
                }
            default:
                break
            }
        }
        state.rows += 1
        func number(_ key: String) -> Double? {
            guard let item = items.last(where: { $0.0 == key }), case .number(let x) = item.1 else { return nil }
            return x
        }
        let xKey = options.xColumn ?? "_step"
        var x = number(xKey)
        if x == nil, options.xColumn == nil { x = recordStep }
        if x == nil, let name = options.xColumn, name.lowercased() == "tokens", options.tokensPerStep != nil {
            x = number("_step") ?? recordStep
        }
        guard let x else {
            collector.report.add(.missingX, path)
            return
        }
        let wall = number("_timestamp")
        let run = options.run ?? state.name ?? state.runID ?? state.fileID
        let runID = state.runID ?? state.fileID
        for (key, value) in items where key != xKey && !DelimitedReader.bookkeeping.contains(key.lowercased()) {
            if let y = options.yColumn, key != y { continue }
            guard case .number(let y) = value else {
                if key != "_wandb" && !key.hasPrefix("_wandb.") { state.skippedValues += 1 }
                continue
            }
            let index: Int
            if let found = state.cache[key] { index = found } else {
                index = collector.index(run: run, metric: key, labels: ["run_id": runID])
                state.cache[key] = index
            }
            collector.append(index, x: x, value: y, wallTime: wall)
        }
    }

    /// `name` = `value`, with objects (other than media, which have `_type`) opened into `name.key` pairs.
    private static func flatten(_ name: String, _ value: JSONValue, into items: inout [(String, JSONValue)]) {
        if case .object(let members) = value, !members.contains(where: { $0.key == "_type" }), !members.isEmpty {
            for member in members { flatten(name + "." + member.key, member.value, into: &items) }
        } else {
            items.append((name, value))
        }
    }
}
