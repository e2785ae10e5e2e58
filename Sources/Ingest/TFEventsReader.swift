import Foundation
import ScalefitCore

/// TensorBoard event files: a TFRecord stream of `Event` protocol buffers.
///
/// Framing (TFRecord): `uint64` length (little-endian), masked CRC-32C of those 8 bytes,
/// the payload, masked CRC-32C of the payload. A record whose payload fails its check is
/// skipped and counted (``DropReason/badChecksum``); a failed length check is a warning
/// only, because some writers get it wrong (docs/log-formats.md §5). A record cut short at the
/// end of the file (a run still writing) ends the file with a warning.
///
/// Fields read: `Event.wall_time` (1, double), `step` (2, int64), `summary` (5) →
/// `Summary.value` (1) → `tag` (1), `simple_value` (2, float) or `tensor` (8, a scalar
/// `TensorProto`: `float_val` 5, `double_val` 6, `int_val` 7, `int64_val` 10 or
/// `tensor_content` 4 by `dtype` 1), and `metadata` (9) → `plugin_data` (1) →
/// `plugin_name` (1): tensors of plugins other than `scalars` are ignored.
enum TFEventsReader {
    /// True when `head` starts with a TFRecord whose length check passes.
    static func looksLikeRecord(_ head: [UInt8]) -> Bool {
        guard head.count >= 12 else { return false }
        let lengthBytes = Array(head[0..<8])
        let stored = UInt32(head[8]) | UInt32(head[9]) << 8 | UInt32(head[10]) << 16 | UInt32(head[11]) << 24
        return CRC32C.masked(CRC32C.checksum(lengthBytes)) == stored
    }

    /// Reads one event file; the run is `run` (the file's folder, or the name given).
    static func read(source: ByteSource, run: String, options: IngestOptions, into collector: SeriesCollector) throws {
        var buffer: [UInt8] = []
        var start = 0
        var offset = 0  // byte offset of the record in the file
        var pluginOfTag: [String: String] = [:]
        var cache: [String: Int] = [:]
        var lengthWarnings = 0
        var records = 0
        var chunk = [UInt8](repeating: 0, count: ByteSource.chunkSize)

        /// Ensures `count` bytes from `start`; false at the end of the file.
        func ensure(_ count: Int) throws -> Bool {
            while buffer.count - start < count {
                if start > 0 { buffer.removeFirst(start); start = 0 }
                let got = try chunk.withUnsafeMutableBytes { try source.read(into: $0) }
                if got == 0 { return false }
                buffer.append(contentsOf: chunk[0..<got])
            }
            return true
        }

        while true {
            guard try ensure(12) else {
                if buffer.count - start > 0 {
                    collector.warn("\(source.path): the last record is cut short at byte \(offset) (a run still writing?); it was skipped")
                }
                break
            }
            var length: UInt64 = 0
            for k in 0..<8 { length |= UInt64(buffer[start + k]) << (8 * UInt64(k)) }
            let storedLengthCRC = UInt32(buffer[start + 8]) | UInt32(buffer[start + 9]) << 8 | UInt32(buffer[start + 10]) << 16 | UInt32(buffer[start + 11]) << 24
            let lengthCRC = buffer.withUnsafeBufferPointer { CRC32C.masked(CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[start..<(start + 8)]))) }
            if lengthCRC != storedLengthCRC {
                if records == 0 || length > 256 << 20 {
                    throw InputError(file: source.path,
                                     message: "at byte \(offset): expected a TFRecord (length \(length) with its CRC-32C), found bytes that fail the check; is this a tfevents file?")
                }
                lengthWarnings += 1
            }
            guard length <= 256 << 20 else {
                throw InputError(file: source.path, message: "at byte \(offset): a TFRecord of \(length) bytes; expected at most 256 MiB")
            }
            let total = 12 + Int(length) + 4
            guard try ensure(total) else {
                collector.warn("\(source.path): the last record is cut short at byte \(offset) (a run still writing?); it was skipped")
                break
            }
            let payloadStart = start + 12
            let payloadEnd = payloadStart + Int(length)
            let storedCRC = UInt32(buffer[payloadEnd]) | UInt32(buffer[payloadEnd + 1]) << 8 | UInt32(buffer[payloadEnd + 2]) << 16 | UInt32(buffer[payloadEnd + 3]) << 24
            let payloadCRC = buffer.withUnsafeBufferPointer { CRC32C.masked(CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[payloadStart..<payloadEnd]))) }
            records += 1
            if payloadCRC != storedCRC {
                collector.report.add(.badChecksum, source.path)
            } else {
                try decodeEvent(buffer[payloadStart..<payloadEnd], path: source.path, offset: offset, run: run, options: options,
                                plugins: &pluginOfTag, cache: &cache, collector: collector)
            }
            start += total
            offset += total
        }
        if lengthWarnings > 0 {
            collector.warn("\(source.path): \(lengthWarnings) records failed the length CRC check; their payloads passed and were read")
        }
    }

    private static func decodeEvent(_ payload: ArraySlice<UInt8>, path: String, offset: Int, run: String, options: IngestOptions,
                                    plugins: inout [String: String], cache: inout [String: Int], collector: SeriesCollector) throws {
        var reader = ProtobufReader(payload)
        var wallTime: Double?
        var step: Double = 0
        var summaries: [ArraySlice<UInt8>] = []
        while !reader.isAtEnd {
            guard let (number, field) = reader.next() else {
                throw InputError(file: path, message: "at byte \(offset): expected an Event protocol buffer; the record is malformed")
            }
            switch (number, field) {
            case (1, .fixed64(let bits)): wallTime = Double(bitPattern: bits)
            case (2, .varint(let value)): step = Double(Int64(bitPattern: value))
            case (5, .bytes(let bytes)): summaries.append(bytes)
            default: break
            }
        }
        for summary in summaries {
            var values = ProtobufReader(summary)
            while let (number, field) = values.next() {
                guard number == 1, case .bytes(let valueBytes) = field else { continue }
                guard let (tag, value) = scalar(valueBytes, plugins: &plugins) else { continue }
                if let metric = options.yColumn, metric != tag { continue }
                let index: Int
                if let found = cache[tag] { index = found } else {
                    index = collector.index(run: run, metric: tag)
                    cache[tag] = index
                }
                collector.append(index, x: step, value: value, wallTime: wallTime)
            }
        }
    }

    /// The tag and number of one `Summary.Value`, when it holds a scalar.
    private static func scalar(_ bytes: ArraySlice<UInt8>, plugins: inout [String: String]) -> (String, Double)? {
        var reader = ProtobufReader(bytes)
        var tag = ""
        var simple: Double?
        var tensor: ArraySlice<UInt8>?
        var plugin: String?
        while let (number, field) = reader.next() {
            switch (number, field) {
            case (1, .bytes(let text)): tag = String(decoding: text, as: UTF8.self)
            case (2, .fixed32(let bits)): simple = Double(Float(bitPattern: bits))
            case (8, .bytes(let data)): tensor = data
            case (9, .bytes(let metadata)):
                var meta = ProtobufReader(metadata)
                while let (n, f) = meta.next() {
                    guard n == 1, case .bytes(let pluginData) = f else { continue }
                    var data = ProtobufReader(pluginData)
                    while let (m, g) = data.next() {
                        if m == 1, case .bytes(let name) = g { plugin = String(decoding: name, as: UTF8.self) }
                    }
                }
            default: break
            }
        }
        if let plugin { plugins[tag] = plugin }
        if let simple { return (tag, simple) }
        guard let tensor else { return nil }
        if let known = plugins[tag], known != "scalars" { return nil }
        return scalarTensor(tensor).map { (tag, $0) }
    }

    /// The single number of a `TensorProto`, or `nil` when it is not a one-element number.
    static func scalarTensor(_ bytes: ArraySlice<UInt8>) -> Double? {
        var reader = ProtobufReader(bytes)
        var dtype: UInt64 = 0
        var content: ArraySlice<UInt8>?
        var numbers: [Double] = []
        while let (number, field) = reader.next() {
            switch (number, field) {
            case (1, .varint(let value)): dtype = value
            case (4, .bytes(let data)): content = data
            case (5, .fixed32(let bits)): numbers.append(Double(Float(bitPattern: bits)))
            case (5, .bytes(let packed)):
                var k = packed.startIndex
                while k + 4 <= packed.endIndex {
                    var bits: UInt32 = 0
                    for j in 0..<4 { bits |= UInt32(packed[k + j]) << (8 * UInt32(j)) }
                    numbers.append(Double(Float(bitPattern: bits)))
                    k += 4
                }
            case (6, .fixed64(let bits)): numbers.append(Double(bitPattern: bits))
            case (6, .bytes(let packed)):
                var k = packed.startIndex
                while k + 8 <= packed.endIndex {
                    var bits: UInt64 = 0
                    for j in 0..<8 { bits |= UInt64(packed[k + j]) << (8 * UInt64(j)) }
                    numbers.append(Double(bitPattern: bits))
                    k += 8
                }
            case (7, .varint(let value)), (10, .varint(let value)): numbers.append(Double(Int64(bitPattern: value)))
            case (7, .bytes(let packed)), (10, .bytes(let packed)):
                var inner = ProtobufReader(packed)
                while let value = inner.varint() { numbers.append(Double(Int64(bitPattern: value))) }
            default: break
            }
        }
        if numbers.count == 1 { return numbers[0] }
        if numbers.isEmpty, let content {
            var bits: UInt64 = 0
            for (j, byte) in content.enumerated() where j < 8 { bits |= UInt64(byte) << (8 * UInt64(j)) }
            switch (dtype, content.count) {
            case (1, 4): return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            case (2, 8): return Double(bitPattern: bits)
            case (3, 4): return Double(Int32(truncatingIfNeeded: bits))
            case (9, 8): return Double(Int64(bitPattern: bits))
            default: return nil
            }
        }
        return nil
    }

    /// Every event file under `folder`; each sub-folder is a run (`train/`, `eval/`).
    static func read(folder: String, options: IngestOptions, into collector: SeriesCollector) throws -> SourceInfo {
        let files = FolderFiles.list(folder) { URL(fileURLWithPath: $0).lastPathComponent.contains("tfevents") }
        guard !files.isEmpty else { throw InputError(file: folder, message: "no tfevents files in this folder") }
        var lines: [String] = []
        var bytes = 0
        let folderName = URL(fileURLWithPath: folder).standardizedFileURL.lastPathComponent
        for relative in files {
            let path = (folder as NSString).appendingPathComponent(relative)
            let parent = (relative as NSString).deletingLastPathComponent
            let run = options.run ?? (parent.isEmpty ? folderName : parent)
            let source = try ByteSource(path: path)
            try read(source: source, run: run, options: options, into: collector)
            lines.append("\(try source.finish())  \(relative)")
            bytes += source.byteCount
        }
        return SourceInfo(path: folder, format: .tfevents, sha256: FolderFiles.digest(lines), bytes: bytes)
    }
}

/// Files under a folder, and the digest that names a folder input.
enum FolderFiles {
    /// Relative paths of the files under `folder` that pass `include`, sorted, skipping hidden folders (`.trash`).
    static func list(_ folder: String, include: (String) -> Bool) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var out: [String] = []
        for case let relative as String in walker {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            var isFolder: ObjCBool = false
            let full = (folder as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue, include(relative) {
                out.append(relative)
            }
        }
        return out.sorted()
    }

    /// A folder's SHA-256: of the text `sha256sum` prints for its files (`<hex>  <relative path>` lines, sorted).
    static func digest(_ lines: [String]) -> String {
        SHA256.hash(Array((lines.sorted().joined(separator: "\n") + "\n").utf8)).hex
    }
}
