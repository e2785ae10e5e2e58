import Foundation
import ScalefitCore

/// A streaming RFC 4180 tokenizer for CSV, TSV and any one-byte delimiter.
///
/// Reads its ``ByteSource`` in 1 MiB chunks, so memory stays flat however long the file
/// is; only one record (and the rest of the current chunk) is held. Handles quoted cells
/// with embedded delimiters, line breaks and doubled quotes (`""`), a UTF-8 byte-order
/// mark, and LF, CRLF or lone CR line ends. Positions are 1-based: lines count line
/// breaks, columns count Unicode scalars, as ``ScalefitCore/InputError`` expects.
///
/// ```swift
/// let tokenizer = try CSVTokenizer(source: ByteSource(path: "runs.csv"))
/// while try tokenizer.next() { print(tokenizer.string(0)) }
/// ```
/// Cells are valid until the next call to ``next()``.
final class CSVTokenizer {
    let source: ByteSource
    let delimiter: UInt8
    /// (The mutable state is `@exclusivity(unchecked)`: the reader asks for the current
    /// record on every row, and no access to it ever overlaps another.)
    ///
    /// The bytes read and not yet consumed, `buffer[position..<end]`, followed by a
    /// sentinel LF at `buffer[end]` (``padding`` bytes past `capacity` are allocated for it
    /// and for word loads that run past it): the scanning loops test for the end of the
    /// data only when they meet a line feed.
    @exclusivity(unchecked) private var buffer: UnsafeMutablePointer<UInt8>
    /// Bytes allocated past `capacity`: the sentinel, then room for an eight-byte load
    /// that starts at or before it.
    private static let padding = 16
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private var position = 0
    @exclusivity(unchecked) private var end = 0
    @exclusivity(unchecked) private var recordStart = 0
    @exclusivity(unchecked) private var nextLine = 1
    /// 1-based line on which the current record starts.
    @exclusivity(unchecked) private(set) var recordLine = 0
    /// Where the row the last ``scanPlainRow(_:values:present:)`` read starts.
    @exclusivity(unchecked) private var plainRowStart = 0
    /// Cell bounds relative to `recordStart`; `kind` is 0 plain, 1 quoted, 2 quoted with `""`.
    struct Cell {
        var start: Int
        var end: Int
        var kind: UInt8
    }
    /// The cell bounds of the current record, in a buffer this tokenizer owns (a plain
    /// value: appending pays no uniqueness check and handing it out no retain).
    struct CellBuffer {
        var base: UnsafeMutablePointer<Cell>
        var count = 0
        var capacity: Int

        init(capacity: Int) {
            base = .allocate(capacity: capacity)
            self.capacity = capacity
        }

        @inline(__always)
        mutating func append(_ cell: Cell) {
            if count == capacity { grow() }
            base[count] = cell
            count += 1
        }

        private mutating func grow() {
            let bigger = UnsafeMutablePointer<Cell>.allocate(capacity: capacity * 2)
            bigger.update(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity *= 2
        }

        @inline(__always)
        subscript(index: Int) -> Cell {
            precondition(index >= 0 && index < count, "cell index out of range")
            return base[index]
        }
    }
    @exclusivity(unchecked) private var cells = CellBuffer(capacity: 64)
    /// The longest record accepted; a longer one means the file is not delimited text.
    static let maximumRecordLength = 64 << 20
    /// See ``next()``.
    private static let compactBelow = 64 << 10
    /// The most cells a record may have. A million-column header took 2 minutes and 800 MB
    /// to read in a debug build (issue 9), and a 64 MiB record of bare delimiters would
    /// need 1 GB of cell bounds; no training log has 100,000 columns.
    static let maximumCellCount = 100_000

    /// Opens `source`, skips a UTF-8 byte-order mark and rejects UTF-16.
    /// - Parameter delimiter: the cell separator; `nil` sniffs it from the first line.
    init(source: ByteSource, delimiter: UInt8? = nil) throws {
        self.source = source
        let head = try source.peek(64 * 1024)
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            throw InputError(file: source.path, line: 1, column: 1,
                             message: "the file is UTF-16; save it as UTF-8")
        }
        let body = head.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(head.dropFirst(3)) : head
        self.delimiter = delimiter ?? Self.sniffDelimiter(body)
        capacity = 2 * ByteSource.chunkSize
        buffer = .allocate(capacity: capacity + Self.padding)  // + the sentinel and the padding
        buffer.initialize(repeating: 0, count: capacity + Self.padding)
        buffer[0] = 10
        if head.starts(with: [0xEF, 0xBB, 0xBF]) {
            _ = try fill()
            position = 3
        }
    }

    deinit {
        buffer.deallocate()
        cells.base.deallocate()
    }

    /// The delimiter most frequent on the first line outside quotes: tab, comma, semicolon or bar.
    static func sniffDelimiter(_ head: [UInt8]) -> UInt8 {
        var counts: [UInt8: Int] = [:]
        var quoted = false
        for byte in head {
            if byte == UInt8(ascii: "\"") { quoted.toggle(); continue }
            if quoted { continue }
            if byte == 10 || byte == 13 { break }
            if byte == 9 || byte == 44 || byte == 59 || byte == 124 { counts[byte, default: 0] += 1 }
        }
        let tab = counts[9] ?? 0, comma = counts[44] ?? 0
        if tab > 0 && tab >= comma { return 9 }
        if comma > 0 { return 44 }
        // Semicolon or bar, whichever is more frequent; a tie goes to the semicolon. (Taking the
        // dictionary's maximum let its per-instance iteration order break ties: the same file
        // could read with either delimiter, found by the fuzzer.)
        let semicolon = counts[59] ?? 0, bar = counts[124] ?? 0
        if semicolon > 0 && semicolon >= bar { return 59 }
        if bar > 0 { return 124 }
        return 44
    }

    /// Reads more bytes after `end`, growing the buffer when a record fills it.
    /// - Returns: false at the end of the file.
    private func fill() throws -> Bool {
        if end == capacity {
            if capacity >= Self.maximumRecordLength {
                throw InputError(file: source.path, line: recordLine, column: 1,
                                 message: "a record longer than \(Self.maximumRecordLength >> 20) MiB; is this delimited text?")
            }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2 + Self.padding)
            bigger.initialize(repeating: 0, count: capacity * 2 + Self.padding)
            bigger.update(from: buffer, count: end)
            buffer.deallocate()
            buffer = bigger
            capacity *= 2
        }
        let got = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer + end, count: capacity - end))
        end += got
        buffer[end] = 10
        return got > 0
    }

    /// The number of cells in the current record.
    var count: Int { cells.count }

    /// True when the record is an empty line.
    var isBlank: Bool { cells.count == 1 && cells[0].end == cells[0].start && cells[0].kind == 0 }

    /// Advances to the next record. Returns false at the end of the file.
    ///
    /// The scanning loops work on local copies of the buffer pointer and bounds: reading
    /// a class's stored properties byte by byte would pay Swift's dynamic exclusivity
    /// check on every access (a third of the time, measured with perf).
    /// - Throws: ``InputError`` for an unterminated quote or text after a closing quote.
    func next() throws -> Bool {
        var cells = self.cells
        cells.count = 0
        defer { self.cells = cells }
        // Move the unread bytes to the front once past the middle, but only when they are
        // few: moving up to half the buffer each time copied about every byte once more
        // (3 % of the time). A record shorter than `compactBelow` never reaches the end of a
        // full buffer past its middle, so only longer ones may make it grow.
        if (position > capacity / 2 && end - position < Self.compactBelow) || (position == end && position > 0) {
            let remaining = end - position
            if remaining > 0 { buffer.update(from: buffer + position, count: remaining) }
            position = 0
            end = remaining
            buffer[end] = 10
        }
        let base = position
        recordStart = base
        recordLine = nextLine
        if position == end, try !fill() { return false }
        var buf = buffer, stop = end
        let quote = UInt8(ascii: "\""), lf: UInt8 = 10, cr: UInt8 = 13, delimiter = self.delimiter
        // Eight bytes at a time: each pattern repeats one byte in every lane.
        let ones: UInt64 = 0x0101_0101_0101_0101
        let delimiterLanes = UInt64(delimiter) &* ones, lfLanes = 10 &* ones, crLanes = 13 &* ones
        let quoteLanes = UInt64(quote) &* ones
        var i = position
        cells: while true {
            if i == stop {
                if try fill() { buf = buffer; stop = end } else {
                    cells.append(Cell(start: i - base, end: i - base, kind: 0))
                    break cells
                }
            }
            if buf[i] == quote {
                let open = i
                i += 1
                var kind: UInt8 = 1
                while true {
                    // Skip eight bytes that hold no quote and no line feed.
                    while i &+ 8 <= stop {
                        let word = UInt64(littleEndian: UnsafeRawPointer(buf + i).loadUnaligned(as: UInt64.self))
                        let found = Self.zeroLanes(word ^ quoteLanes) | Self.zeroLanes(word ^ lfLanes)
                        if found != 0 { i &+= found.trailingZeroBitCount >> 3; break }
                        i &+= 8
                    }
                    let byte = buf[i]
                    if byte == quote {
                        if i + 1 == stop {
                            if try fill() { buf = buffer; stop = end } else { i += 1; break }
                        }
                        if buf[i + 1] == quote {
                            kind = 2
                            i += 2
                            continue
                        }
                        i += 1
                        break
                    }
                    if byte == lf {
                        if i == stop {  // the sentinel: read on
                            guard try fill() else {
                                throw error(atOffset: open, "unterminated quoted cell: expected a closing quote before the end of the file")
                            }
                            buf = buffer; stop = end
                            continue
                        }
                        nextLine += 1
                    }
                    i += 1
                }
                cells.append(Cell(start: open + 1 - base, end: i - 1 - base, kind: kind))
                if i == stop {
                    if try fill() { buf = buffer; stop = end } else { break cells }
                }
                let byte = buf[i]
                if byte == delimiter {
                    i += 1
                    if cells.count >= Self.maximumCellCount { throw tooManyCells() }
                    continue cells
                }
                if byte == lf || byte == cr {
                    i = try consumeLineEnd(at: i)
                    break cells
                }
                throw error(atOffset: i, "expected a delimiter or the end of the line after a closing quote, found \(Self.describe(byte))")
            } else {
                // Unquoted cells: eight bytes at a time, taking every delimiter and line end
                // of a word in turn, so a row of short cells costs about one word per cell.
                // The words may run past the sentinel into the padding after the buffer.
                var start = i
                var at = i
                scan: while true {
                    let word = UInt64(littleEndian: UnsafeRawPointer(buf + at).loadUnaligned(as: UInt64.self))
                    var found = Self.zeroLanes(word ^ delimiterLanes) | Self.zeroLanes(word ^ lfLanes) | Self.zeroLanes(word ^ crLanes)
                    while found != 0 {
                        // The lowest flagged lane is exact; a higher one may be a borrow's
                        // false alarm, which the tests on the byte below pass over.
                        let j = at &+ (found.trailingZeroBitCount >> 3)
                        found &= found &- 1
                        let byte = buf[j]
                        if byte == delimiter && j != stop {
                            cells.append(Cell(start: start &- base, end: j &- base, kind: 0))
                            if cells.count >= Self.maximumCellCount { throw tooManyCells() }
                            i = j &+ 1
                            // A quoted cell next, or the end of the data: the outer loop.
                            if buf[i] == quote || i == stop { continue cells }
                            start = i
                            continue
                        }
                        if byte == lf || byte == cr {
                            if j == stop {  // the sentinel: read on, or the file ends in this cell
                                if try fill() { buf = buffer; stop = end; at = j; continue scan }
                                cells.append(Cell(start: start &- base, end: j &- base, kind: 0))
                                i = j
                                break cells
                            }
                            cells.append(Cell(start: start &- base, end: j &- base, kind: 0))
                            if byte == lf {
                                nextLine &+= 1
                                i = j &+ 1
                            } else {
                                i = try consumeLineEnd(at: j)
                            }
                            break cells
                        }
                    }
                    at &+= 8
                }
            }
        }
        position = i
        if end - base > Self.maximumRecordLength {
            throw InputError(file: source.path, line: recordLine, column: 1, message: "a record longer than 64 MiB; is this delimited text?")
        }
        return true
    }

    // MARK: Plain rows

    /// Which cells ``scanPlainRow(_:values:present:)`` parses as numbers: a flag per column.
    struct PlainRowLayout {
        let parse: UnsafeMutablePointer<Bool>
        let count: Int

        /// A layout for rows of `count` cells, parsing none yet; ``free()`` it.
        init(count: Int) {
            parse = .allocate(capacity: max(count, 1))
            parse.initialize(repeating: false, count: max(count, 1))
            self.count = count
        }

        func free() { parse.deallocate() }
    }

    /// Whether rows may be read with ``scanPlainRow(_:values:present:)``: not when the
    /// delimiter could continue a number, where reading the number first would misplace it.
    var allowsPlainRows: Bool {
        !(delimiter >= 48 && delimiter <= 57) && !"+-.eE\"".utf8.contains(delimiter) && delimiter != 10 && delimiter != 13
    }

    /// Reads the next record in one pass, cutting the cells and parsing the numbers together,
    /// if it is a plain row; otherwise consumes nothing and returns false, and ``next()``
    /// reads it as usual (and reports what is wrong with it, if anything).
    ///
    /// A plain row has `layout.count` cells, each unquoted or quoted without doubled quotes
    /// or line breaks inside; each cell `layout.parse` flags holds a number as
    /// ``Record/double(_:)`` reads it, or is empty or a missing-value spelling
    /// (``NumberParser/isMissing(_:)``); it ends in LF or CRLF within the bytes already read.
    /// For each flagged column k, `values[k]` is then its number and `present[k]` whether
    /// it had one.
    ///
    /// Exactly the records ``next()`` would read, and the same numbers: a row of a log
    /// costs one pass over its bytes instead of three (cut, then find each cell, then parse).
    @inline(__always)
    func scanPlainRow(_ layout: PlainRowLayout, values: UnsafeMutablePointer<Double>,
                      present: UnsafeMutablePointer<Bool>) -> Bool {
        let buf = buffer, stop = end, delimiter = self.delimiter
        let quote = UInt8(ascii: "\""), lf: UInt8 = 10, cr: UInt8 = 13
        let last = layout.count &- 1
        var i = position
        var k = 0
        while true {
            let quoted = buf[i] == quote
            if quoted { i &+= 1 }
            let cellStart = i
            if layout.parse[k] {
                let terminator = quoted ? quote : delimiter
                if buf[i] == terminator {  // empty (a quoted one is checked for "" below)
                    present[k] = false
                } else if let value = NumberParser.scanCommon(buf, &i),
                   buf[i] == terminator || (!quoted && (buf[i] == lf || buf[i] == cr)) {
                    values[k] = value
                    present[k] = true
                } else {
                    i = Self.plainCellValue(buf, cellStart, quoted: quoted, delimiter: delimiter, values + k, present + k)
                    if i < 0 { return false }
                }
            } else {
                guard let cellEnd = Self.plainCellEnd(buf, cellStart, quoted: quoted, delimiter: delimiter) else { return false }
                i = cellEnd
            }
            if quoted { i &+= 1 }  // the closing quote (plainCellEnd or the terminator test found it)
            let byte = buf[i]
            if k == last {
                if byte == lf {
                    if i == stop { return false }  // the sentinel: the row may go on
                    i &+= 1
                } else if byte == cr && buf[i &+ 1] == lf && i &+ 1 != stop {
                    i &+= 2
                } else {
                    return false
                }
                break
            }
            if byte != delimiter { return false }
            i &+= 1
            k &+= 1
        }
        plainRowStart = position
        position = i
        nextLine &+= 1
        return true
    }

    /// A cell the lean scan did not take whole (see ``scanPlainRow(_:values:present:)``):
    /// delimited first, then read as ``Record/double(_:)`` reads it, or recognised as a
    /// missing value. Returns the cell's end, or -1 when the row is not plain. Out of line,
    /// so the hot loop stays small.
    @inline(never)
    private static func plainCellValue(_ buf: UnsafeMutablePointer<UInt8>, _ cellStart: Int, quoted: Bool, delimiter: UInt8,
                                       _ value: UnsafeMutablePointer<Double>, _ present: UnsafeMutablePointer<Bool>) -> Int {
        guard let cellEnd = plainCellEnd(buf, cellStart, quoted: quoted, delimiter: delimiter) else { return -1 }
        let count = cellEnd &- cellStart
        if count == 0 {
            present.pointee = false
        } else if let parsed = NumberParser.parse(buf + cellStart, count) {
            value.pointee = parsed
            present.pointee = true
        } else if NumberParser.isMissing(UnsafeBufferPointer(start: buf + cellStart, count: count)) {
            present.pointee = false
        } else {
            return -1
        }
        return cellEnd
    }

    /// Gives back the row the last ``scanPlainRow(_:values:present:)`` read, for ``next()``
    /// to read again.
    func unreadPlainRow() {
        position = plainRowStart
        nextLine &-= 1
    }

    /// The end of the cell starting at `start` (after its opening quote if `quoted`): for a
    /// quoted cell the offset of its closing quote, `nil` if a line feed (or the sentinel)
    /// or a doubled quote comes first; otherwise the offset of the first delimiter, CR or
    /// LF. Eight bytes at a time.
    @inline(__always)
    private static func plainCellEnd(_ buf: UnsafeMutablePointer<UInt8>, _ start: Int, quoted: Bool,
                                     delimiter: UInt8) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let lfLanes = 10 &* ones
        let firstLanes = (quoted ? 34 : UInt64(delimiter)) &* ones
        let crLanes = quoted ? lfLanes : 13 &* ones
        var at = start
        while true {
            let word = UInt64(littleEndian: UnsafeRawPointer(buf + at).loadUnaligned(as: UInt64.self))
            let found = zeroLanes(word ^ firstLanes) | zeroLanes(word ^ lfLanes) | zeroLanes(word ^ crLanes)
            if found != 0 {
                let j = at &+ (found.trailingZeroBitCount >> 3)  // the lowest flag is exact
                if !quoted { return j }
                if buf[j] != 34 || buf[j &+ 1] == 34 { return nil }
                return j
            }
            at &+= 8
        }
    }

    /// The high bit of each byte lane of `word` that is zero, plus possibly of lanes above a
    /// zero lane (a borrow): so the lowest set bit marks exactly the first zero lane.
    @inline(__always)
    private static func zeroLanes(_ word: UInt64) -> UInt64 {
        (word &- 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080
    }

    private func tooManyCells() -> InputError {
        InputError(file: source.path, line: recordLine, column: 1,
                   message: "a record with more than \(Self.maximumCellCount) cells; scalefit reads at most \(Self.maximumCellCount) columns")
    }

    /// Consumes LF, CRLF or a lone CR at `i`; returns the index after it.
    private func consumeLineEnd(at i: Int) throws -> Int {
        nextLine += 1
        if buffer[i] == 13 {
            if i + 1 == end, try !fill() { return i + 1 }
            if buffer[i + 1] == 10 { return i + 2 }
        }
        return i + 1
    }

    private static func describe(_ byte: UInt8) -> String {
        if byte >= 32 && byte < 127 { return "\"\(Character(UnicodeScalar(byte)))\"" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    // MARK: Cells

    /// A view of the current record for hot loops: a plain value, so reading its cells
    /// pays no exclusivity checks. Valid until the next call to ``next()``.
    struct Record {
        let base: UnsafePointer<UInt8>
        let cells: CellBuffer

        @inline(__always)
        func bytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
            let cell = cells[index]
            return UnsafeBufferPointer(start: base + cell.start, count: cell.end - cell.start)
        }

        /// Cell `index` as a plain number (see ``NumberParser/parse(_:)``).
        @inline(__always)
        func double(_ index: Int) -> Double? {
            let cell = cells[index]
            if cell.kind == 2 { return NumberParser.parse(string(index)) }
            return NumberParser.parse(base + cell.start, cell.end &- cell.start)
        }

        /// ``double(_:)`` without the bounds check, for the row loop's value columns, whose
        /// indices come from the header and whose records have the header's cell count.
        @inline(__always)
        func doubleInRange(_ index: Int) -> Double? {
            let cell = cells.base[index]
            if cell.kind == 2 { return NumberParser.parse(string(index)) }
            return NumberParser.parse(base + cell.start, cell.end &- cell.start)
        }

        @inline(__always)
        func isMissing(_ index: Int) -> Bool {
            let cell = cells[index]
            if cell.end == cell.start { return true }  // the common case, without a call
            return NumberParser.isMissing(UnsafeBufferPointer(start: base + cell.start, count: cell.end &- cell.start))
        }

        /// Whether cell `index` reads as `text` (whose UTF-8 is `utf8`), as comparing
        /// ``string(_:)`` would, without making a string for plain ASCII cells.
        func hasText(_ index: Int, _ text: String, _ utf8: [UInt8]) -> Bool {
            let cell = bytes(index)
            // Plain ASCII compares byte for byte; anything else as strings (doubled quotes,
            // repaired invalid UTF-8, canonically equivalent spellings).
            if cells[index].kind == 2 || cell.contains(where: { $0 >= 0x80 }) || utf8.contains(where: { $0 >= 0x80 }) {
                return string(index) == text
            }
            return cell.elementsEqual(utf8)
        }

        func string(_ index: Int) -> String {
            let text = String(decoding: bytes(index), as: UTF8.self)
            if cells[index].kind == 2 { return text.replacing("\"\"", with: "\"") }
            return text
        }
    }

    /// The current record as a ``Record``.
    var record: Record { Record(base: UnsafePointer(buffer + recordStart), cells: cells) }

    /// The bytes of cell `index` (without its quotes; doubled quotes still doubled).
    func withRawBytes<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(record.bytes(index))
    }

    /// True when cell `index` has no characters.
    func isEmpty(_ index: Int) -> Bool { cells[index].end == cells[index].start }

    /// Cell `index` as text, with `""` turned back into `"`.
    func string(_ index: Int) -> String { record.string(index) }

    /// All cells of the current record as text.
    func strings() -> [String] {
        let record = self.record
        return (0..<record.cells.count).map { record.string($0) }
    }

    /// Cell `index` as a plain number (see ``NumberParser/parse(_:)``).
    func double(_ index: Int) -> Double? { record.double(index) }

    // MARK: Positions

    /// 1-based line and column of the cell `index` (its opening quote, if quoted).
    func position(ofCell index: Int) -> (line: Int, column: Int) {
        position(ofOffset: recordStart + cells[index].start - (cells[index].kind == 0 ? 0 : 1))
    }

    /// 1-based line and column of the byte at buffer offset `offset` within the record.
    private func position(ofOffset offset: Int) -> (line: Int, column: Int) {
        var line = recordLine
        var lineStart = recordStart
        var i = recordStart
        while i < offset && i < end {
            if buffer[i] == 10 || (buffer[i] == 13 && (i + 1 >= end || buffer[i + 1] != 10)) {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        var column = 1
        var j = lineStart
        while j < offset && j < end {
            if buffer[j] & 0xC0 != 0x80 { column += 1 }
            j += 1
        }
        return (line, column)
    }

    /// The text of the physical line holding buffer offset `offset`.
    private func lineText(atOffset offset: Int) -> String {
        var start = min(offset, end)
        while start > recordStart && buffer[start - 1] != 10 && buffer[start - 1] != 13 { start -= 1 }
        var stop = min(offset, end)
        while stop < end && buffer[stop] != 10 && buffer[stop] != 13 { stop += 1 }
        return String(decoding: UnsafeBufferPointer(start: buffer + start, count: stop - start), as: UTF8.self)
    }

    /// An ``InputError`` pointing at the byte at buffer offset `offset`.
    private func error(atOffset offset: Int, _ message: String) -> InputError {
        let (line, column) = position(ofOffset: offset)
        return InputError(file: source.path, line: line, column: column, message: message,
                          sourceLine: lineText(atOffset: offset))
    }

    /// An ``InputError`` pointing at cell `index` of the current record.
    func error(atCell index: Int, field: String? = nil, _ message: String) -> InputError {
        let offset = recordStart + cells[index].start - (cells[index].kind == 0 ? 0 : 1)
        let (line, column) = position(ofOffset: offset)
        return InputError(file: source.path, line: line, column: column, field: field, message: message,
                          sourceLine: lineText(atOffset: offset))
    }

    /// An ``InputError`` about the whole current record (column 1).
    func errorAtRecord(_ message: String) -> InputError {
        InputError(file: source.path, line: recordLine, column: 1, message: message,
                   sourceLine: lineText(atOffset: recordStart))
    }
}
