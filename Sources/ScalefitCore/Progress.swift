import Foundation

/// A one-line progress counter on standard error for work that takes longer than about a
/// second (fitting many series, a report). It writes only when standard error is a
/// terminal and the caller did not ask for quiet, only after `delay` seconds have passed,
/// and clears its line when done, so piped and redirected output never sees it.
///
/// ```swift
/// let progress = Progress("fitting", total: series.count, quiet: quiet)
/// for s in series { …; progress.advance() }
/// progress.finish()
/// ```
public final class Progress: @unchecked Sendable {
    private let label: String
    private let total: Int
    private let enabled: Bool
    private let start = Date()
    private let delay: TimeInterval
    private var done = 0
    private var shown = false
    private let lock = NSLock()

    public init(_ label: String, total: Int, quiet: Bool, delay: TimeInterval = 1) {
        self.label = label
        self.total = total
        self.delay = delay
        enabled = !quiet && total > 1 && isatty(STDERR_FILENO) == 1
    }

    /// Counts one item done and, once the delay has passed, redraws the line.
    public func advance(_ item: String? = nil) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += 1
        guard Date().timeIntervalSince(start) >= delay else { return }
        shown = true
        let text = "\r\u{1B}[K\(label) \(done)/\(total)" + (item.map { ": \($0)" } ?? "")
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Clears the line if anything was shown.
    public func finish() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        shown = false
    }
}
