// libFuzzer target for every reader: fuzz/run.sh builds it with
// `swiftc -parse-as-library -sanitize=fuzzer,address` and runs it once per reader group.
//
// SCALEFIT_FUZZ_GROUP picks the readers; the first byte of an input picks one reader of
// the group (byte % count), the rest is the file's content. The file goes through
// `Ingest.read(paths:options:)`, exactly as the CLI reads it, and the result is rendered
// as normal-form CSV, JSON Lines and the JSON report. Any typed error is a pass; a trap, an
// ASan report, a leak of the process or a hang (-timeout) is a finding.
import Foundation
import Ingest
import ScalefitCore

enum FuzzGroup {
    static let name = ProcessInfo.processInfo.environment["SCALEFIT_FUZZ_GROUP"] ?? "detect"

    /// The formats of each group; `nil` means "detect from the content".
    static let formats: [LogFormat?] = {
        switch name {
        case "detect": return [nil]
        case "delimited": return [.csv, .wandbPanel, .wandbRuns, .wandbHistory, .tensorboardCSV, .lightning, .sweep]
        case "json": return [.json, .jsonl, .tensorboardJSON, .trainerState]
        case "text": return [.nanogpt, .llmc, .megatron, .olmo, .hfStdout]
        case "tfevents": return [.tfevents]
        case "mlflow": return [.mlflow]
        default: fatalError("unknown SCALEFIT_FUZZ_GROUP \(name)")
        }
    }()

    static let folder: String = {
        let path = NSTemporaryDirectory() + "scalefit-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path + "/mlruns/0/run1/metrics", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path + "/mlruns/0/run1/meta.yaml", contents: Data("run_name: fuzz\n".utf8))
        return path
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func scalefitFuzzIngest(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 1 else { return 0 }
    let formats = FuzzGroup.formats
    let format = formats[Int(bytes[0]) % formats.count]
    let content = Data(bytes: bytes + 1, count: size - 1)
    let folder = FuzzGroup.folder
    var options = IngestOptions()
    options.format = format
    let path: String
    switch format {
    case .mlflow?:
        path = folder + "/mlruns"
        FileManager.default.createFile(atPath: path + "/0/run1/metrics/loss", contents: content)
    case .tfevents?:
        path = folder + "/events.out.tfevents.1700000000.fuzz"
        FileManager.default.createFile(atPath: path, contents: content)
    case .lightning?:
        path = folder + "/metrics.csv"
        FileManager.default.createFile(atPath: path, contents: content)
    default:
        path = folder + "/input.txt"
        FileManager.default.createFile(atPath: path, contents: content)
    }
    let answer = readAll(path, options)
    checkOutputs(path, options, folder: folder)
    if FuzzGroup.name == "delimited" || FuzzGroup.name == "detect" {
        // Differential: delimited rows read in one pass must give exactly what the general
        // path gives, points, report, warnings and errors alike, in full and as summaries.
        var general = options
        general.plainRows = false
        if readAll(path, general) != answer { fatalError("the plain-row scan and the general path disagree") }
        if summarizeAll(path, options) != summarizeAll(path, general) {
            fatalError("the plain-row scan and the general path disagree on the summary")
        }
    }
    return 0
}

/// Everything a read produces, as text (or the error's text).
func readAll(_ path: String, _ options: IngestOptions) -> String {
    do {
        let result = try Ingest.read(paths: [path], options: options)
        return NormalForm.csv(result.series) + result.jsonLines() + result.jsonReport(toolVersion: "fuzz", options: [:])
    } catch {
        return String(describing: error)
    }
}

/// Properties of the outputs, not only the absence of traps (issue 22): the normal-form CSV
/// holds no control character but tab, CR and LF; the JSON report and every JSON line parse;
/// the CSV reads back through scalefit with the same series and points, and writes back
/// byte-identical.
func checkOutputs(_ path: String, _ options: IngestOptions, folder: String) {
    guard let result = try? Ingest.read(paths: [path], options: options) else { return }
    let csv = NormalForm.csv(result.series)
    if csv.unicodeScalars.contains(where: { ($0.value < 0x20 && $0 != "\t" && $0 != "\n" && $0 != "\r") || ($0.value >= 0x7F && $0.value <= 0x9F) }) {
        fatalError("the normal-form CSV holds a control character")
    }
    for line in result.jsonLines().split(separator: "\n") where !line.isEmpty {
        if (try? JSONSerialization.jsonObject(with: Data(line.utf8))) == nil { fatalError("a JSON line does not parse: \(line.prefix(200))") }
    }
    if (try? JSONSerialization.jsonObject(with: Data(result.jsonReport(toolVersion: "fuzz", options: [:]).utf8))) == nil {
        fatalError("the JSON report does not parse")
    }
    guard !result.series.isEmpty, result.series.allSatisfy({ $0.values.allSatisfy(\.isFinite) && $0.x.allSatisfy(\.isFinite) }) else { return }
    let copy = folder + "/roundtrip.csv"
    _ = FileManager.default.createFile(atPath: copy, contents: Data(csv.utf8))
    var again = IngestOptions()
    again.format = .csv
    guard let back = try? Ingest.read(paths: [copy], options: again) else { fatalError("the normal-form CSV does not read back") }
    // The collector orders series by their names as the CSV spells them, so the table reads
    // back in the order it was written (finding (1) of the fourth run, fixed 2026-12-05).
    let a = result.series, b = back.series
    if a.count != b.count || a.map(\.count) != b.map(\.count) {
        fatalError("the normal-form CSV reads back with other series or point counts")
    }
    if NormalForm.csv(b) != csv { fatalError("the normal-form CSV does not write back byte-identical") }
}

/// The streamed summary, as text (or the error's text).
func summarizeAll(_ path: String, _ options: IngestOptions) -> String {
    do {
        return try Ingest.summarize(paths: [path], options: options).jsonReport(toolVersion: "fuzz")
    } catch {
        return String(describing: error)
    }
}
