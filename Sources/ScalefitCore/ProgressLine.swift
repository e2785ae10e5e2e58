import Foundation

/// A one-line progress counter on standard error for work that takes longer than about a
/// second (fitting many series, a report). It writes only when standard error is a
/// terminal and the caller did not ask for quiet, only after `delay` seconds have passed,
/// and clears its line when done, so piped and redirected output never sees it.
///
/// ```swift
/// let progress = ProgressLine("fitting", total: series.count, quiet: quiet)
/// for s in series { …; progress.advance() }
/// progress.finish()
/// ```
public final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private let delay: TimeInterval
    private var done = 0
    private var shown = false
    private let lock = NSLock()
    private let output: FileHandle

    /// - Parameters:
    ///   - terminal: whether `output` is a terminal (default: asked of standard error); the
    ///     line is drawn only on one.
    public init(_ label: String, total: Int, quiet: Bool, delay: TimeInterval = 1,
                output: FileHandle = .standardError, terminal: Bool? = nil) {
        self.label = label
        self.total = total
        self.delay = delay
        self.output = output
        enabled = !quiet && total > 1 && (terminal ?? (isatty(STDERR_FILENO) == 1))
    }

    /// Counts one item done and, once the delay has passed, redraws the line.
    public func advance(_ item: String? = nil) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += 1
        guard Date().timeIntervalSince(start) >= delay else { return }
        shown = true
        // A series name is data: shown with its control characters escaped.
        let text = "\r\u{1B}[K\(label) \(done)/\(total)" + (item.map { ": " + VisibleText.escaped($0, keeping: "") } ?? "")
        output.write(Data(text.utf8))
    }

    /// Clears the line if anything was shown.
    public func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if shown { output.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}
