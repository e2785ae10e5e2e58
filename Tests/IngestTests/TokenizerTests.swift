import Foundation
import Testing
import ScalefitCore
@testable import Ingest

/// The tokenizer against RFC 4180's rules (section 2: quoted cells may hold commas,
/// line breaks and doubled quotes) and the byte-order mark and line ends of §12 of
/// docs/log-formats.md.
@Suite("CSV tokenizer")
struct TokenizerTests {
    func records(_ text: String, delimiter: UInt8? = nil) throws -> [[String]] {
        let path = try Support.temporaryFile("t.csv", text)
        let tokenizer = try CSVTokenizer(source: ByteSource(path: path), delimiter: delimiter)
        var out: [[String]] = []
        while try tokenizer.next() { out.append(tokenizer.strings()) }
        return out
    }

    @Test("random files (cells of 0 to 40 bytes, quoted or not, LF, CRLF and lone CR) read back cell for cell",
          arguments: [UInt8(ascii: ","), 9, UInt8(ascii: ";")])
    func randomRecords(_ delimiter: UInt8) throws {
        // The scan skips eight bytes at a time; cells of every length around and across
        // those words, with the delimiter, quotes and line ends at every offset.
        var generator = SystemRandomNumberGenerator()
        let d = String(UnicodeScalar(delimiter))
        for _ in 0..<20 {
            let columns = Int.random(in: 2...6, using: &generator)
            var expected: [[String]] = []
            var text = ""
            for _ in 0..<Int.random(in: 1...300, using: &generator) {
                var row: [String] = []
                var cells: [String] = []
                for _ in 0..<columns {
                    let length = Int.random(in: 0...40, using: &generator)
                    if Int.random(in: 0...3, using: &generator) == 0 {
                        let pool = ["a", "7", ".", " ", d, "\n", "\r", "\r\n", "\"", "é"]
                        let cell = (0..<length).map { _ in pool.randomElement(using: &generator)! }.joined()
                        row.append(cell)
                        cells.append("\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"")
                    } else {
                        let pool = ["a", "7", ".", " ", "-", "e", "é"]
                        let cell = (0..<length).map { _ in pool.randomElement(using: &generator)! }.joined()
                        row.append(cell)
                        cells.append(cell)
                    }
                }
                expected.append(row)
                text += cells.joined(separator: d) + ["\n", "\r\n", "\r"].randomElement(using: &generator)!
            }
            if Bool.random(using: &generator) { text.removeLast() }  // no line end at the end, sometimes
            let got = try records(text, delimiter: delimiter)
            #expect(got == expected)
            if got != expected { return }
        }
    }

    @Test("random files of several MiB: the buffer refills land inside cells, quoted or not, and in line ends")
    func randomRefills() throws {
        // The tokenizer reads up to 2 MiB at a time; files of 2.5 to 4.5 MiB of short cells
        // put the refills at arbitrary offsets (the word scan may run into the sentinel there).
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3 {
            let size = Int.random(in: (5 << 19)...(9 << 19), using: &generator)
            var bytes: [UInt8] = []
            bytes.reserveCapacity(size + 64)
            var expected: [[String]] = []
            let plain = Array("a7.-e ".utf8), quoted = Array("a7,\n\r\"".utf8)
            while bytes.count < size {
                var row: [String] = []
                var blank = false
                let columns = Int.random(in: 1...5, using: &generator)
                for c in 0..<columns {
                    if c > 0 { bytes.append(UInt8(ascii: ",")) }
                    let length = Int.random(in: 0...12, using: &generator)
                    if Int.random(in: 0...5, using: &generator) == 0 {
                        let cell = (0..<length).map { _ in quoted.randomElement(using: &generator)! }
                        bytes.append(UInt8(ascii: "\""))
                        for b in cell { bytes.append(b); if b == UInt8(ascii: "\"") { bytes.append(b) } }
                        bytes.append(UInt8(ascii: "\""))
                        row.append(String(decoding: cell, as: UTF8.self))
                    } else {
                        let cell = (0..<length).map { _ in plain.randomElement(using: &generator)! }
                        bytes += cell
                        row.append(String(decoding: cell, as: UTF8.self))
                        blank = columns == 1 && length == 0
                    }
                }
                if blank { row = [] }  // an empty line, told apart below
                expected.append(row)
                // (No lone CR: before an empty line's LF it would read as one CRLF.)
                bytes += Bool.random(using: &generator) ? [10] : [13, 10]
            }
            let path = try Support.temporaryFile("refills.csv", Data(bytes))
            let tokenizer = try CSVTokenizer(source: ByteSource(path: path), delimiter: UInt8(ascii: ","))
            var got: [[String]] = []
            while try tokenizer.next() { got.append(tokenizer.isBlank ? [] : tokenizer.strings()) }
            #expect(got.count == expected.count)
            #expect(got == expected)
            if got != expected { return }
        }
    }

    @Test("quoted cells hold delimiters, line breaks and doubled quotes (RFC 4180 §2.6, §2.7)")
    func quoting() throws {
        let rows = try records("a,b\n\"6 Enc, 6 Dec\",\"say \"\"hi\"\"\nthere\"\n")
        #expect(rows == [["a", "b"], ["6 Enc, 6 Dec", "say \"hi\"\nthere"]])
    }

    @Test("BOM, CRLF and a lone CR; no line end at the end of the file")
    func lineEnds() throws {
        let rows = try records("\u{FEFF}x,y\r\n1,2\r3,4")
        #expect(rows == [["x", "y"], ["1", "2"], ["3", "4"]])
    }

    @Test("tab and semicolon delimiters are sniffed from the first line")
    func sniffing() throws {
        #expect(try records("a\tb\n1\t2\n") == [["a", "b"], ["1", "2"]])
        #expect(try records("a;b\n1;2\n") == [["a", "b"], ["1", "2"]])
    }

    @Test("a record that spans chunk boundaries reads whole")
    func longRecords() throws {
        let cell = String(repeating: "x", count: 3 << 20)
        let rows = try records("a,b\n\"\(cell)\",1\n2,3\n")
        #expect(rows.count == 3)
        #expect(rows[1][0].utf8.count == 3 << 20)
        #expect(rows[2] == ["2", "3"])
    }

    @Test("an unterminated quote reports the line and column of the opening quote")
    func unterminated() throws {
        #expect(throws: InputError(file: "", line: 3, column: 3, message: "unterminated quoted cell: expected a closing quote before the end of the file", sourceLine: "1,\"open")) {
            do { _ = try records("a,b\n1,2\n1,\"open\nmore") } catch var error as InputError { error.file = ""; throw error }
        }
    }

    @Test("positions count Unicode scalars, not bytes")
    func columns() throws {
        let path = try Support.temporaryFile("u.csv", "run,step,loss\nrün-α,1,abc\n")
        var options = IngestOptions()
        options.yColumn = "loss"
        options.groupColumns = ["run"]
        #expect {
            _ = try Ingest.read(paths: [path], options: options)
        } throws: { error in
            guard let error = error as? InputError else { return false }
            return error.line == 2 && error.column == 9 && error.description.hasSuffix("rün-α,1,abc\n            ^")
        }
    }

    @Test("readTable reads the revisiting benchmark's quoted \"6 Enc, 6 Dec\" cells",
          .enabled(if: FileManager.default.fileExists(atPath: Support.root.appendingPathComponent("fixtures/reference-data/revisiting-benchmark/benchmark.lang.csv").path)))
    func benchmarkTable() throws {
        let table = try Ingest.readTable(path: Support.root.appendingPathComponent("fixtures/reference-data/revisiting-benchmark/benchmark.lang.csv").path)
        #expect(table.header == ["Domain", "Task", "Model", "Seen Examples", "Loss", "Training"])
        #expect(table.rows.first?[2] == "6 Enc, 6 Dec")
        #expect(table.rows.allSatisfy { $0.count == 6 })
        #expect(table.column("training") == 5)
    }

    @Test("the delimiter is sniffed the same way every time: ties go tab, comma, semicolon, bar")
    func sniffTies() {
        // The fuzzer found a line with one semicolon and one bar read with either, run to run.
        for _ in 0..<200 {
            #expect(CSVTokenizer.sniffDelimiter(Array("a;b|c\n".utf8)) == 59)
            #expect(CSVTokenizer.sniffDelimiter(Array("a|b;c\n".utf8)) == 59)
            #expect(CSVTokenizer.sniffDelimiter(Array("a|b|c;d\n".utf8)) == 124)
            #expect(CSVTokenizer.sniffDelimiter(Array("a\tb,c\n".utf8)) == 9)
            #expect(CSVTokenizer.sniffDelimiter(Array("a,b;c|d\n".utf8)) == 44)
        }
    }
}
