import ScalefitCore

/// Lines of a ``ByteSource``, read in chunks: LF, CRLF and a lone CR (a tqdm redraw)
/// all end a line. A line longer than 16 MiB is refused rather than held.
final class LineReader {
    let source: ByteSource
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    /// The 1-based number of the line last returned.
    private(set) var lineNumber = 0
    static let maximumLineLength = 16 << 20

    init(source: ByteSource) throws {
        self.source = source
        let head = try source.peek(4)
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) {
            throw InputError(file: source.path, line: 1, column: 1, message: "the file is UTF-16; save it as UTF-8")
        }
        if head.starts(with: [0xEF, 0xBB, 0xBF]) {
            var bom = [UInt8](repeating: 0, count: 3)
            _ = try bom.withUnsafeMutableBytes { try source.read(into: $0) }
        }
    }

    private func fill() throws -> Bool {
        if finished { return false }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        let old = buffer.count
        buffer += [UInt8](repeating: 0, count: ByteSource.chunkSize)
        let got = try buffer.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[old...])) }
        buffer.removeLast(ByteSource.chunkSize - got)
        if got == 0 { finished = true }
        return got > 0
    }

    /// The next line without its line end, or `nil` at the end of the file.
    func next() throws -> [UInt8]? {
        var scan = position
        while true {
            while scan < buffer.count && buffer[scan] != 10 && buffer[scan] != 13 { scan += 1 }
            if scan < buffer.count {
                if buffer[scan] == 13 && scan + 1 == buffer.count && !finished {
                    let offset = scan - position
                    _ = try fill()
                    scan = position + offset
                    continue
                }
                let line = Array(buffer[position..<scan])
                position = scan + ((buffer[scan] == 13 && scan + 1 < buffer.count && buffer[scan + 1] == 10) ? 2 : 1)
                lineNumber += 1
                return line
            }
            if scan - position > Self.maximumLineLength {
                throw InputError(file: source.path, line: lineNumber + 1, column: 1, message: "a line longer than 16 MiB; is this a text log?")
            }
            let offset = scan - position
            if try !fill() {
                if position >= buffer.count { return nil }
                let line = Array(buffer[position...])
                position = buffer.count
                lineNumber += 1
                return line
            }
            scan = position + offset
        }
    }
}
