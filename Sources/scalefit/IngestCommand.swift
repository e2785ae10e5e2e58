import ArgumentParser
import Foundation
import Ingest
import ScalefitCore

extension LogFormat: ExpressibleByArgument {}
extension RepeatedStepPolicy: ExpressibleByArgument {}

/// The options every command that reads logs shares: which columns, which metric, and
/// the clean-up policies (see `IngestOptions`).
struct IngestArguments: ParsableArguments {
    @Argument(help: "Files or folders to read; - reads standard input.")
    var paths: [String]

    @Option(help: "The input format (detected from the content when left out).")
    var format: LogFormat?

    @Option(name: .customLong("x"), help: "The x column: step, tokens, a column name, or for sweep tables N, D, C; two names (N,D) for a two-input law.")
    var x: String?

    @Option(name: .customLong("y"), help: "The value column (default: every numeric column; in sweep tables the loss).")
    var y: String?

    @Option(name: .customLong("group"), help: "A column whose values split rows into runs (repeatable).")
    var group: [String] = []

    @Option(help: "Keep only this metric: a name (eval/loss) or a glob (eval/*); repeat it for several.")
    var metric: [String] = []

    @Option(help: "Multiply steps by this to get tokens (batch × sequence length × accumulation × ranks).")
    var tokensPerStep: Double?

    @Option(help: "Drop points with x below this (cut the warm-up).")
    var minX: Double?

    @Option(help: "What to do with repeated x after a restart (default: last). Without it, a series that repeats many x in a way no restart does is an error naming the likely key column.")
    var repeated: RepeatedStepPolicy?

    @Flag(help: "Stop at the first bad file found in a folder, instead of reporting and skipping it.")
    var strict = false

    @Option(help: "How many folders deep to walk a folder (default 8).")
    var maxDepth: Int?

    @Flag(help: "Join the runs of each metric, in input order, into one series (a resumed run); a later run wins where they overlap.")
    var stitch = false

    @Flag(name: .customLong("derive"), help: "In sweep tables, derive the missing one of N, D, C from C ≈ 6·N·D.")
    var derive = false

    @Option(help: "The run name to use instead of the one found in the file.")
    var run: String?

    @Option(help: "The cell delimiter: a character, or tab.")
    var delimiter: String?

    @Flag(help: "Keep runs that did not finish (W&B State, sweep status).")
    var includeUnfinished = false

    @Flag(help: "No progress line on standard error (it is shown only on a terminal, for work longer than a second).")
    var quiet = false

    @Option(name: .customLong("series"), help: "Keep only the series whose name matches PATTERN: a shell pattern (`NMT/*`) or, without * ? [, a part of the name (repeatable).")
    var seriesPatterns: [String] = []

    /// The library's options.
    func options() throws -> IngestOptions {
        var options = IngestOptions()
        options.format = format
        if let x {
            let parts = x.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 {
                options.xColumn = parts[0]
                options.x2Column = parts[1]
            } else {
                options.xColumn = x
            }
        }
        options.yColumn = y
        options.groupColumns = group
        options.metrics = metric
        if let tokensPerStep, !(tokensPerStep > 0) { throw UsageError("--tokens-per-step must be a positive number") }
        options.tokensPerStep = tokensPerStep
        options.minX = minX
        if let repeated { options.repeatedSteps = repeated }
        options.strict = strict
        if let maxDepth {
            guard maxDepth >= 1 else { throw UsageError("--max-depth must be 1 or more") }
            options.maxDepth = maxDepth
        }
        options.stitch = stitch
        options.deriveFromCompute = derive
        options.run = run
        options.includeUnfinished = includeUnfinished
        if let delimiter {
            if delimiter == "tab" || delimiter == "\\t" {
                options.delimiter = 9
            } else if delimiter.utf8.count == 1 {
                options.delimiter = delimiter.utf8.first
            } else {
                throw UsageError("--delimiter must be one character or \"tab\", not \"\(delimiter)\"")
            }
        }
        return options
    }

    /// The options as strings, for the `"options"` object of `--json`.
    var summary: [String: String] {
        var out: [String: String] = ["repeated": (repeated ?? .last).rawValue]
        if let format { out["format"] = format.rawValue }
        if let x { out["x"] = x }
        if let y { out["y"] = y }
        if !group.isEmpty { out["group"] = group.joined(separator: ",") }
        if !metric.isEmpty { out["metric"] = metric.joined(separator: ",") }
        if strict { out["strict"] = "true" }
        if let tokensPerStep { out["tokens_per_step"] = "\(tokensPerStep)" }
        if let minX { out["min_x"] = "\(minX)" }
        if stitch { out["stitch"] = "true" }
        if derive { out["derive"] = "true" }
        if !seriesPatterns.isEmpty { out["series"] = seriesPatterns.joined(separator: ",") }
        return out
    }

    /// Reads the inputs and prints the drop report and warnings to stderr.
    func read(digest: DigestMode = .concurrent) throws -> IngestResult {
        var options = try options()
        options.digest = digest
        var result = try Ingest.read(paths: paths, options: options)
        Self.printNotes(warnings: result.warnings, report: result.report, skipped: result.skipped)
        if !seriesPatterns.isEmpty { try SeriesSelection(patterns: seriesPatterns).apply(to: &result) }
        return result
    }

    /// Summarises the inputs (streaming: memory does not grow with the file) and prints
    /// the drop report and warnings to stderr.
    func summarize(digest: DigestMode = .concurrent) throws -> IngestSummary {
        var options = try options()
        options.digest = digest
        let summary = try Ingest.summarize(paths: paths, options: options)
        Self.printNotes(warnings: summary.warnings, report: summary.report, skipped: summary.skipped)
        return summary
    }

    private static func printNotes(warnings: [String], report: DropReport, skipped: [SkippedInput]) {
        var lines = warnings.map { "warning: \($0)" }
        // Bad files are worth a warning; the rest of what a folder held is listed by inspect.
        lines += skipped.filter { $0.reason.hasPrefix("a bad file") }.map { "warning: skipped \($0.path): \($0.reason)" }
        lines += report.lines.map { "note: \($0)" }
        if !lines.isEmpty { FileHandle.standardError.write(Data(VisibleText.escaped(lines.joined(separator: "\n") + "\n").utf8)) }
    }
}

/// `scalefit ingest PATH... -o tidy.csv|tidy.jsonl`: the normalised table.
struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read training logs and write one normalised table (run,metric,x,value,…).",
        discussion: """
            Reads W&B, TensorBoard, Hugging Face, MLflow, Lightning, plain-text logs, sweep tables and \
            generic CSV/TSV/JSON/JSONL, detected from the content. Writes CSV, or JSON Lines when the \
            output name ends in .jsonl. Nothing is written when an input is bad (exit status 2).
            """)

    @OptionGroup var input: IngestArguments

    @Option(name: .shortAndLong, help: "The output file (.csv or .jsonl); - or nothing writes CSV to standard output.")
    var output: String?

    @Flag(help: "Print the report (inputs with SHA-256, series, what was dropped) as JSON on standard output.")
    var json = false

    func run() throws {
        // The SHA-256 is only in the --json report.
        let result = try input.read(digest: json ? .concurrent : .none)
        // The table goes out in pieces as it is formatted, never whole in memory.
        let jsonLines = output?.hasSuffix(".jsonl") == true
        func table(_ emit: (String) throws -> Void) throws {
            if jsonLines { try result.writeJSONLines(emit) } else { try NormalForm.writeCSV(result.series, emit) }
        }
        if let output, output != "-" {
            try AtomicWriter.write(to: output, producing: table)
            // One line on success (stderr: stdout may carry the --json report).
            let points = result.series.reduce(0) { $0 + $1.count }
            let dropped = result.report.total
            FileHandle.standardError.write(Data(
                "scalefit: wrote \(points) points of \(result.series.count) series to \(output)\(dropped > 0 ? " (\(dropped) dropped, listed above)" : "")\n".utf8))
        } else {
            if json { throw UsageError("--json prints the report on standard output; write the table to a file with -o") }
            try table { FileHandle.standardOutput.write(Data($0.utf8)) }
        }
        if json {
            FileHandle.standardOutput.write(Data(result.jsonReport(toolVersion: ScalefitCommand.version, options: input.summary).utf8))
        }
    }
}
