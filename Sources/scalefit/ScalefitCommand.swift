import ArgumentParser
import Foundation
import ScalefitCore

/// The root command. Its custom `main` is the one place where errors become exit codes:
/// 0 success, 1 a fit or check failed, 2 bad input or usage (ArgumentParser's 64 is mapped
/// to 2), 3 a detected collapse with `--fail-on-collapse`, 4 an output that could not be
/// written (disk full, I/O error).
@main
struct ScalefitCommand: ParsableCommand {
    static let version = scalefitVersion

    static let configuration = CommandConfiguration(
        commandName: "scalefit",
        abstract: "Fit, diagnose and generate scaling-law data: power laws, plateaus, model collapse.",
        version: version,
        subcommands: [
            DemoCommand.self, InspectCommand.self, IngestCommand.self, FitCommand.self, ModelsCommand.self,
            GenerateCommand.self, TailCommand.self, DetectCommand.self, PlotCommand.self, ReportCommand.self,
            NotebookCommand.self, PredictCommand.self, OptimalCommand.self, IsoflopCommand.self,
        ]
    )

    static func main() {
        // Ctrl-C (or SIGTERM/SIGHUP) in the middle of writing an output removes the
        // temporary file and leaves the old output as it was.
        AtomicWriter.installInterruptCleanup()
        do {
            var command = try parseAsRoot(joiningNegativeValues(Array(CommandLine.arguments.dropFirst())))
            try command.run()
        } catch {
            exit(status: exitStatus(for: error), error: error)
        }
    }

    /// `--seed -1` → `--seed=-1`: ArgumentParser reads a token that starts with `-` as an
    /// option, so a negative value would be "missing"; joined, it reaches the option's own
    /// check ("--beta must be > 1, got -2.0"; "The value '-1' is invalid for '--seed'").
    static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var i = 0
        while i < arguments.count {
            let token = arguments[i]
            if token == "--" { out += arguments[i...]; break }
            if token.hasPrefix("--"), !token.contains("="), i + 1 < arguments.count, isNegativeNumber(arguments[i + 1]) {
                out.append(token + "=" + arguments[i + 1])
                i += 2
                continue
            }
            out.append(token)
            i += 1
        }
        return out
    }

    static func isNegativeNumber(_ token: String) -> Bool {
        guard token.hasPrefix("-"), token.count > 1 else { return false }
        let rest = token.dropFirst()
        return Double(rest) != nil || rest.lowercased() == "inf" || rest.lowercased() == "nan" || rest.first.map { $0.isNumber || $0 == "." } == true
    }

    /// Maps any error to the documented exit status.
    static func exitStatus(for error: any Error) -> Int32 {
        if let provided = error as? any ExitStatusProviding { return provided.exitStatus.rawValue }
        let code = exitCode(for: error).rawValue
        switch code {
        case 0: return 0
        case 64: return ExitStatus.badInput.rawValue  // EX_USAGE from ArgumentParser
        default: return code
        }
    }

    private static func exit(status: Int32, error: any Error) -> Never {
        if error is any ExitStatusProviding {
            FileHandle.standardError.write(Data(VisibleText.escaped("scalefit: \(error)\n").utf8))
        } else {
            let message = fullMessage(for: error)
            if !message.isEmpty {
                let stream = status == 0 ? FileHandle.standardOutput : FileHandle.standardError
                stream.write(Data((message + "\n").utf8))
            }
        }
        Foundation.exit(status)
    }
}
