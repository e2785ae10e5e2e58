import ArgumentParser
import Foundation
import ScalefitCore

/// The root command. Its custom `main` is the one place where errors become exit codes:
/// 0 success, 1 a fit or check failed, 2 bad input or usage (ArgumentParser's 64 is mapped
/// to 2), 3 a detected collapse with `--fail-on-collapse`.
@main
struct ScalefitCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "scalefit",
        abstract: "Fit, diagnose and generate scaling-law data: power laws, plateaus, model collapse.",
        version: version,
        subcommands: [
            DemoCommand.self, InspectCommand.self, IngestCommand.self, FitCommand.self, ModelsCommand.self,
            GenerateCommand.self, TailCommand.self, DetectCommand.self, PlotCommand.self, ReportCommand.self,
            NotebookCommand.self,
        ]
    )

    static func main() {
        // Ctrl-C (or SIGTERM/SIGHUP) in the middle of writing an output removes the
        // temporary file and leaves the old output as it was.
        AtomicWriter.installInterruptCleanup()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(status: exitStatus(for: error), error: error)
        }
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
            FileHandle.standardError.write(Data("scalefit: \(error)\n".utf8))
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
