import Foundation
import Testing
import ScalefitCore
@testable import Ingest

/// The formats of issue 16 item 7 against files written by the real clients
/// (fixtures/clients/formats, written by scripts/fixtures/make_format_fixtures.py with
/// mlflow 3.17.2 and wandb 0.31.0). Their tables are compared bit for bit by FixtureTests
/// (`*.expected.csv`, taken from what MLflow's client and W&B's own reader read back); here:
/// what was dropped and why, detection, and the errors for binary files.
@Suite("formats")
struct FormatTests {
    static let folder = Support.fixtures.appendingPathComponent("clients/formats")
    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    // MARK: MLflow SQLite

    @Test("mlflow.db: deleted run, NaN and +inf counted; same-named runs of two experiments stay apart")
    func mlflowDrops() throws {
        let result = try Ingest.read(paths: [Self.path("mlflow.db")], options: IngestOptions())
        // The script logs 2 points in the deleted run, one NaN (is_nan = 1) and one +inf
        // (stored as the largest double) in the "160M" runs.
        #expect(result.report.count(.unfinishedRun) == 2)
        #expect(result.report.count(.nonFinite) == 2)
        #expect(result.report.total == 4)
        let losses = result.series.filter { $0.metric == "train/loss" && $0.run == "70M" }
        #expect(Set(losses.compactMap { $0.labels["experiment"] }) == ["lr-3e-4", "lr-1e-3"])
        #expect(losses.allSatisfy { $0.count == 4 })
        #expect(result.sources.first?.format == .mlflowDB)
    }

    @Test("mlflow.db is detected by its first bytes and its tables, also inside a project folder")
    func mlflowDetection() throws {
        #expect(try Ingest.detectFormat(path: Self.path("mlflow.db")) == .mlflowDB)
        let project = try Support.temporaryFile("mlflow.db", Data(contentsOf: Self.folder.appendingPathComponent("mlflow.db")))
        let folder = (project as NSString).deletingLastPathComponent
        #expect(try Ingest.detectFormat(path: folder) == .mlflowDB)
        let result = try Ingest.read(paths: [folder], options: IngestOptions())
        let direct = try Ingest.read(paths: [Self.path("mlflow.db")], options: IngestOptions())
        #expect(NormalForm.csv(result.series) == NormalForm.csv(direct.series))
    }

    // MARK: W&B

    @Test("W&B offline runs: run names and ids, a resumed run joined in its folder, stitchable as two files")
    func wandbRuns() throws {
        let result = try Ingest.read(paths: [Self.path("wandb")], options: IngestOptions())
        #expect(Set(result.series.map(\.run)) == ["gpt-70M", "gpt-160M", "gpt-long"])
        let resumed = try #require(result.series.first { $0.run == "gpt-160M" && $0.metric == "train/loss" })
        // Script: steps 0, 100, 200 in the first part, 300, 400 after the resume.
        #expect(resumed.x == [0, 100, 200, 300, 400])
        #expect(resumed.labels == ["run_id": "e5f6a7b8"])
        #expect(result.report.count(.nonFinite) == 1)  // the NaN logged at step 200 of gpt-70M
        #expect(result.report.count(.badChecksum) == 0)

        let parts = try FileManager.default.contentsOfDirectory(atPath: Self.path("wandb")).sorted()
            .filter { $0.contains("e5f6a7b8") }
            .map { Self.path("wandb/\($0)/run-e5f6a7b8.wandb") }
        #expect(parts.count == 2)
        #expect(try Ingest.read(paths: parts, options: IngestOptions()).series.count == 2)
        var stitch = IngestOptions()
        stitch.stitch = true
        let stitched = try Ingest.read(paths: parts, options: stitch)
        #expect(stitched.series.count == 1)
        #expect(stitched.series.first?.values == resumed.values)
    }

    @Test("a .wandb file and an offline-run folder are detected by their content")
    func wandbDetection() throws {
        let runs = try FileManager.default.contentsOfDirectory(atPath: Self.path("wandb")).sorted()
        let run = try #require(runs.first { $0.hasSuffix("a1b2c3d4") })
        #expect(try Ingest.detectFormat(path: Self.path("wandb/\(run)/run-a1b2c3d4.wandb")) == .wandbOffline)
        #expect(try Ingest.detectFormat(path: Self.path("wandb/\(run)")) == .wandbOffline)
        #expect(try Ingest.detectFormat(path: Self.path("wandb")) == .wandbOffline)
    }

    /// The long run's file with one byte of a record's data changed.
    static func corruptedLongRun() throws -> (path: String, clean: IngestResult) {
        let runs = try FileManager.default.contentsOfDirectory(atPath: path("wandb")).sorted()
        let run = try #require(runs.first { $0.hasSuffix("c9d0e1f2") })
        let original = path("wandb/\(run)/run-c9d0e1f2.wandb")
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: original)))
        // A byte in the middle of the second block: inside some record's data or header.
        bytes[WandbOfflineReader.blockSize + 1000] ^= 0x55
        let copy = try Support.temporaryFile("run-c9d0e1f2.wandb", Data(bytes))
        return (copy, try Ingest.read(paths: [original], options: IngestOptions()))
    }

    @Test("a W&B chunk that fails its CRC-32 is counted and the rest of its block skipped; later blocks are read")
    func wandbChecksum() throws {
        let (copy, clean) = try Self.corruptedLongRun()
        let result = try Ingest.read(paths: [copy], options: IngestOptions())
        #expect(result.report.count(.badChecksum) >= 1)
        let cleanPoints = clean.series.reduce(0) { $0 + $1.count }
        let points = result.series.reduce(0) { $0 + $1.count }
        #expect(points < cleanPoints)
        #expect(points > cleanPoints / 2)  // only one block of the four is lost
        // The last step (200, written in the last block) is still there.
        #expect(result.series.contains { $0.metric == "train/loss" && $0.x.last == 200 })
    }

    @Test("a .wandb file cut short (a run still writing) keeps what came before, with a warning")
    func wandbTruncated() throws {
        let runs = try FileManager.default.contentsOfDirectory(atPath: Self.path("wandb")).sorted()
        let run = try #require(runs.first { $0.hasSuffix("c9d0e1f2") })
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Self.path("wandb/\(run)/run-c9d0e1f2.wandb"))))
        let copy = try Support.temporaryFile("run-c9d0e1f2.wandb", Data(bytes.prefix(40_000)))
        let result = try Ingest.read(paths: [copy], options: IngestOptions())
        #expect(result.warnings.contains { $0.contains("cut short") })
        let loss = try #require(result.series.first { $0.metric == "train/loss" })
        #expect(loss.count > 10 && loss.count < 200)
    }

    @Test("a file that starts like a W&B log but has another version is refused")
    func wandbVersion() throws {
        let path = try Support.temporaryFile("run-x.wandb", Data(WandbOfflineReader.header.prefix(6) + [1] + [UInt8](repeating: 0, count: 20)))
        #expect(throws: InputError.self) { try Ingest.read(paths: [path], options: IngestOptions()) }
    }

    @Test("a record split into FIRST, MIDDLE and LAST chunks across three blocks is joined")
    func wandbChunks() throws {
        // A Record { history { item { key "loss" value_json "1.5" } item { key "pad" value_json "\"…\"" } step { num 7 } } }
        func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] {
            var out: [UInt8] = []
            var key = UInt64(number << 3 | 2)
            var length = UInt64(bytes.count)
            repeat { out.append(UInt8(key & 0x7F) | (key > 0x7F ? 0x80 : 0)); key >>= 7 } while key > 0
            repeat { out.append(UInt8(length & 0x7F) | (length > 0x7F ? 0x80 : 0)); length >>= 7 } while length > 0
            return out + bytes
        }
        let pad = "\"" + String(repeating: "p", count: 70_000) + "\""
        let item1 = field(1, Array("loss".utf8)) + field(16, Array("1.5".utf8))
        let item2 = field(1, Array("pad".utf8)) + field(16, Array(pad.utf8))
        let step = [UInt8(0x08), 7]
        let history = field(1, item1) + field(1, item2) + field(2, step)
        let record = field(2, history)
        // Frame it as the W&B writer does (zlib CRC-32 of the type byte and the data).
        var file = WandbOfflineReader.header
        var rest = record[...]
        var first = true
        while !rest.isEmpty {
            let room = WandbOfflineReader.blockSize - file.count % WandbOfflineReader.blockSize - 7
            let take = min(room, rest.count)
            let last = take == rest.count
            let type: UInt8 = first ? (last ? 1 : 2) : (last ? 4 : 3)
            let data = Array(rest.prefix(take))
            let crc = CRC32.checksum([type] + data)
            file += [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24), UInt8(take & 0xFF), UInt8(take >> 8), type]
            file += data
            rest = rest.dropFirst(take)
            first = false
        }
        #expect(file.count > 2 * WandbOfflineReader.blockSize)  // three blocks: FIRST, MIDDLE, LAST
        let path = try Support.temporaryFile("run-chunks.wandb", Data(file))
        let result = try Ingest.read(paths: [path], options: IngestOptions())
        #expect(result.series.count == 1)
        #expect(result.series.first?.x == [7])
        #expect(result.series.first?.values == [1.5])
        #expect(result.report.total == 0)
        #expect(result.warnings.contains { $0.contains("1 history values were not numbers") })
    }

    @Test("CRC-32 (zlib's) check value")
    func crc32() {
        // The standard check value of CRC-32/ISO-HDLC for "123456789".
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    // MARK: Binary files

    @Test("binary files written by pandas, numpy, h5py, sqlite3, zipfile and gzip are named, with a conversion", arguments: [
        ("metrics.parquet", "a Parquet file", "pd.read_parquet("),
        ("metrics.feather", "an Arrow IPC (Feather v2) file", "pd.read_feather("),
        ("losses.npy", "a NumPy .npy array", "np.load("),
        ("metrics.h5", "an HDF5 file", "pd.read_hdf("),
        ("results.sqlite", "an SQLite database without MLflow's tables (tables: results)", "sqlite3 -header -csv"),
        ("logs.zip", "a zip archive", "unzip "),
        ("metrics.csv.gz", "a gzip-compressed file", "gzip -dc"),
    ])
    func binary(_ name: String, _ format: String, _ command: String) throws {
        let path = Self.path("binary/\(name)")
        for forced in [nil, LogFormat.csv] {
            var options = IngestOptions()
            options.format = forced
            do {
                _ = try Ingest.read(paths: [path], options: options)
                Issue.record("\(name) was read with --format \(forced?.rawValue ?? "auto")")
            } catch let error as InputError {
                #expect(error.message.hasPrefix("this is \(format), not a text log"), "\(error.message)")
                #expect(error.message.contains(command))
                #expect(!error.message.contains("tfevents files need"))
            }
        }
    }

    @Test("the Parquet conversion is one line that names the file and a CSV beside it")
    func parquetCommand() throws {
        let path = "fixtures/clients/formats/binary/metrics.parquet"
        let (name, command) = try #require(BinaryFormats.known(head: Array("PAR1".utf8), path: path))
        #expect(name == "a Parquet file")
        #expect(command == "python -c \"import pandas as pd; pd.read_parquet('fixtures/clients/formats/binary/metrics.parquet').to_csv('fixtures/clients/formats/binary/metrics.csv', index=False)\"")
    }

    @Test("--format csv still refuses binary data (issue 22 item 9) and an MLflow store")
    func forcedTextFormat() throws {
        var options = IngestOptions()
        options.format = .csv
        #expect(throws: InputError.self) { try Ingest.read(paths: [Support.fixtures.appendingPathComponent("bad/binary.csv").path], options: options) }
        do {
            _ = try Ingest.read(paths: [Self.path("mlflow.db")], options: options)
            Issue.record("mlflow.db read as CSV")
        } catch let error as InputError {
            #expect(error.message == "this is an MLflow SQLite store, not csv text; use --format mlflow-db or leave --format out")
        }
    }

    // MARK: Text logs

    static func readText(_ text: [UInt8], name: String = "train.log", format: LogFormat? = nil) throws -> IngestResult {
        let path = try Support.temporaryFile(name, Data(text))
        var options = IngestOptions()
        options.format = format
        return try Ingest.read(paths: [path], options: options)
    }

    @Test("nanoGPT: `train loss abc`, `val loss 2.9x` and a value followed by invalid UTF-8 are counted, never read short (issue 22 item 3)")
    func nanogptPartial() throws {
        var text = Array("step 0: train loss 4.2874, val loss 4.2823\nstep 250: train loss abc, val loss 3.1\nstep 500: train loss 2.5, val loss 2.9x\nstep 750: train loss 2.2".utf8)
        text += [0xFF, 0xFE]
        text += Array(", val loss 2.3\n".utf8)
        let result = try Self.readText(text)
        #expect(result.report.count(.partialLine) == 3)
        #expect(result.report.total == 3)
        let warning = try #require(result.warnings.first { $0.contains("matched only partly") })
        #expect(warning.contains("lines 2, 3, 4"))
        let val = try #require(result.series.first { $0.metric == "val_loss" })
        #expect(val.x == [0, 250, 750])  // 2.9x at step 500 is not read as 2.9
        #expect(val.values == [4.2823, 3.1, 2.3])
        let train = try #require(result.series.first { $0.metric == "train_loss" })
        #expect(train.x == [0, 500])
    }

    @Test("nanoGPT logs as written are read whole: nothing counted as partial")
    func nanogptClean() throws {
        let result = try Ingest.read(paths: [Support.fixtures.appendingPathComponent("nanogpt.log").path], options: IngestOptions())
        #expect(result.report.count(.partialLine) == 0)
    }

    @Test("llm.c stdout and main.log are detected as llmc")
    func llmcDetection() throws {
        #expect(try Ingest.detectFormat(path: Self.path("llmc-stdout.txt")) == .llmc)
        #expect(try Ingest.detectFormat(path: Self.path("llmc-main.log")) == .llmc)
    }

    @Test("llm.c: a step line with a field that does not read is counted with its line number")
    func llmcPartial() throws {
        let text = """
        step    1/3 | loss 7.100000 (+nanz)| norm 2.5000 (+nanz)| lr 1.00e-04 | 123.45 ms | 21.5% bf16 MFU | 33000 tok/s
        step    2/3 | loss 6.900000 (+0.50z)| norm abc (+0.10z)| lr 2.00e-04 | 123.45 ms | 21.5% bf16 MFU | 33000 tok/s
        s:2 trl:6.9000 lr:oops

        """
        let result = try Self.readText(Array(text.utf8))
        #expect(result.report.count(.partialLine) == 2)
        #expect(result.warnings.contains { $0.contains("(lines 2, 3)") })
        let loss = try #require(result.series.first { $0.metric == "loss" })
        // Both steps of stdout (x 1, 2) and the main.log line (x 2, the same value) read.
        #expect(loss.x == [1, 2])
        #expect(result.series.first { $0.metric == "norm" }?.x == [1])
    }

    @Test("build-nanogpt and Megatron logs as written have no partial lines")
    func otherLogsClean() throws {
        for name in ["build-nanogpt.log", "megatron.log", "olmo.log", "llmc-log.txt"] {
            let result = try Ingest.read(paths: [Support.fixtures.appendingPathComponent(name).path], options: IngestOptions())
            #expect(result.report.count(.partialLine) == 0, "\(name): \(result.warnings)")
        }
        for name in ["llmc-stdout.txt", "llmc-main.log"] {
            let result = try Ingest.read(paths: [Self.path(name)], options: IngestOptions())
            #expect(result.report.count(.partialLine) == 0, "\(name): \(result.warnings)")
        }
    }
}
