import ArgumentParser
import Foundation
import ScalefitCore
import Tail

extension TailInputFormat: ExpressibleByArgument {}

/// `scalefit tail`: the power-law tail of frequency data, with its tests and predictions.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Fit a power-law tail (Clauset–Shalizi–Newman 2009) and predict the collapse laws from it.",
        discussion: """
            FILE holds raw samples (one value per line), a value,count table, or token,count \
            rows (each row one distinct token; its count is one observation). Use - for \
            standard input. Reports alpha, the exponent of the distribution of values, and \
            the Zipf rank exponent beta = 1/(alpha - 1).
            """
    )

    @Argument(help: "Input file, or - for standard input.")
    var file: String

    @Flag(help: "Treat values as integers (default when every value is a whole number).")
    var discrete = false

    @Flag(help: "Treat values as real numbers.")
    var continuous = false

    @Option(help: ArgumentHelp("The layout of FILE.", valueName: "FORMAT"))
    var format: TailInputFormat = .auto

    @Option(help: ArgumentHelp("x_min: auto (minimise the KS distance) or a value, in the units after --scale.", valueName: "auto|VALUE"))
    var xmin: String = "auto"

    @Option(name: .customLong("xmin-range"), help: ArgumentHelp("Search x_min only among values in LO:HI (units after --scale).", valueName: "LO:HI"))
    var xminRange: String?

    @Option(help: ArgumentHelp("Multiply every value by S before fitting (e.g. 1e-3 for thousands).", valueName: "S"))
    var scale: Double = 1

    @Option(help: ArgumentHelp("Bootstrap replicates for the goodness-of-fit p-value and the spread of (x_min, alpha); 0 skips.", valueName: "N"))
    var bootstrap: Int = 0

    @Option(help: ArgumentHelp("Seed of the bootstrap.", valueName: "S"))
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Bootstrap threads (default: all cores; results do not depend on it).", valueName: "N"))
    var threads: Int?

    @Option(help: ArgumentHelp("Alternatives for the likelihood-ratio tests: all, none, or a comma-separated list of \(TailAlternative.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "LIST"))
    var compare: String = "all"

    @Flag(help: "Predict c = 1 - 1/beta and the floors of the collapse laws.")
    var predict = false

    @Option(help: ArgumentHelp("With --predict: a tail cut at rank K.", valueName: "K"))
    var cut: Int?

    @Option(help: ArgumentHelp("With --predict: a generator trained on T0 samples (tail cut at k ≍ T0^(1/beta)).", valueName: "T0"))
    var t0: Double?

    @Flag(help: "Print one JSON document (schema_version 1) instead of the table.")
    var json = false

    func validate() throws {
        if discrete && continuous { throw ValidationError("--discrete and --continuous exclude each other") }
        if !(scale > 0 && scale.isFinite) { throw ValidationError("--scale must be a positive number") }
        if bootstrap < 0 { throw ValidationError("--bootstrap must be ≥ 0") }
        if let threads, threads < 1 { throw ValidationError("--threads must be ≥ 1") }
        if xmin != "auto", !(Double(xmin).map { $0 > 0 && $0.isFinite } ?? false) {
            throw ValidationError("--xmin must be auto or a positive number, not \(xmin)")
        }
        if let cut, cut < 1 { throw ValidationError("--cut must be ≥ 1") }
        if let t0, !(t0 >= 1 && t0.isFinite) { throw ValidationError("--t0 must be ≥ 1") }
        if (cut != nil || t0 != nil) && !predict { throw ValidationError("--cut and --t0 need --predict") }
        _ = try alternatives()
        _ = try searchRange()
        if xminRange != nil && xmin != "auto" { throw ValidationError("--xmin-range needs --xmin auto") }
    }

    private func searchRange() throws -> ClosedRange<Double>? {
        guard let xminRange else { return nil }
        let parts = xminRange.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Double(parts[0]), let high = Double(parts[1]), low <= high, low.isFinite, high.isFinite else {
            throw ValidationError("--xmin-range must be LO:HI with LO ≤ HI, not \(xminRange)")
        }
        return low...high
    }

    private func alternatives() throws -> [TailAlternative] {
        switch compare {
        case "all": return TailAlternative.allCases
        case "none", "": return []
        default:
            return try compare.split(separator: ",").map { name in
                guard let alternative = TailAlternative(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--compare: unknown alternative \"\(name)\"; expected all, none or \(TailAlternative.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return alternative
            }
        }
    }

    func run() throws {
        let text = try readInput()
        let parsed = try TailInput.parse(text, file: file, format: format)
        let sample = scale == 1 ? parsed.sample : parsed.sample.scaled(by: scale)
        let options = TailOptions(
            kind: discrete ? .discrete : (continuous ? .continuous : nil),
            xmin: xmin == "auto" ? nil : Double(xmin), xminSearchRange: try searchRange(),
            bootstrapReplicates: bootstrap, seed: seed, threads: threads,
            alternatives: try alternatives(), predict: predict, cut: cut, t0: t0)
        let report = try TailAnalysis.run(sample, options: options)
        if json {
            print(report.json(toolVersion: ScalefitCommand.version, inputPath: file, inputFormat: parsed.format, rows: parsed.rows, scale: scale), terminator: "")
        } else {
            print(VisibleText.escaped(report.text(inputPath: file, scale: scale)), terminator: "")
        }
        for warning in report.warnings {
            FileHandle.standardError.write(Data(VisibleText.escaped("scalefit tail: \(warning)\n").utf8))
        }
    }

    private func readInput() throws -> String {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            var info = stat()
            if stat(file, &info) != 0 {
                throw InputError(file: file, message: "cannot read the file: \(String(cString: strerror(errno)))")
            }
            if info.st_mode & S_IFMT == S_IFDIR { throw InputError(file: file, message: "is a folder, not a file of counts") }
            if info.st_mode & S_IFMT == S_IFCHR || info.st_mode & S_IFMT == S_IFBLK {
                throw InputError(file: file, message: "is a device, not a file of counts (a device such as /dev/zero never ends)")
            }
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw InputError(file: file, message: "cannot read the file (missing or unreadable)")
            }
            data = contents
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: file, message: "not UTF-8 text")
        }
        return text
    }
}
