import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one way scalefit writes an output file: to a temporary file in the same folder,
/// flushed, then renamed over the destination. A reader never sees half a file, and an
/// error or a kill leaves the old file (if any) intact.
///
/// Temporaries are named `.<name>.tmp-<pid>-<random>` beside the destination, so they are
/// discoverable:
/// - on SIGINT, SIGTERM or SIGHUP, once ``installInterruptCleanup()`` has run (the CLI does
///   it first thing), the in-flight temporaries are removed before the process dies of the
///   signal;
/// - after a SIGKILL, which nothing can catch, the next write to the same destination
///   removes the temporaries of processes that no longer exist.
public enum AtomicWriter {
    public struct WriteError: Error, ExitStatusProviding, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var exitStatus: ExitStatus { .badInput }
        public var description: String { "\(path): error: cannot write: \(reason)" }
    }

    /// Writes `text` (UTF-8) to `path` atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Writes `data` to `path` atomically; creates missing parent folders.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { pieces in try pieces.add(data) }
    }

    /// Writes the text `produce` hands to `emit`, in order, to `path` atomically, without
    /// holding it all: it goes to the temporary file in 1 MiB pieces as it comes. Anything
    /// `produce` throws abandons the temporary, as a write error does.
    ///
    /// ```swift
    /// try AtomicWriter.write(to: "tidy.csv") { emit in try NormalForm.writeCSV(series, emit) }
    /// ```
    public static func write(to path: String, producing produce: (_ emit: (String) throws -> Void) throws -> Void) throws {
        try write(to: path) { pieces in try produce { try pieces.add($0.utf8) } }
    }

    private static func write(to path: String, _ fill: (PieceWriter) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: path, reason: "cannot create folder \(folder.path): \(error.localizedDescription)")
        }
        removeStaleTemporaries(for: url)
        let temporary = folder.appendingPathComponent(temporaryPrefix(for: url) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        guard InFlight.shared.register(temporary.path) else {
            throw WriteError(path: path, reason: "interrupted")
        }
        defer { InFlight.shared.unregister(temporary.path) }
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw WriteError(path: path, reason: "cannot create a temporary file in \(folder.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            let pieces = PieceWriter(handle: handle, temporary: temporary.path)
            try fill(pieces)
            try pieces.finish()
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(path: path, reason: error.localizedDescription)
        }
        // The rename happens under the in-flight lock: an interrupt either comes before it
        // (the temporary is removed and the old file stays) or after it (the new file is whole).
        let renamed = InFlight.shared.commit(temporary.path) { rename(temporary.path, url.path) == 0 ? nil : errno }
        if let code = renamed {
            try? FileManager.default.removeItem(at: temporary)
            throw WriteError(path: path, reason: String(cString: strerror(code)))
        }
    }

    /// Gathers bytes and writes them in 1 MiB pieces. With `SCALEFIT_TEST_PAUSE_MID_WRITE`
    /// set (a test hook, see Tests/CLITests/ReliabilityCLITests.swift), it stops after the
    /// first piece when there is more to write, says where on standard error and waits to
    /// be killed.
    private final class PieceWriter {
        static let piece = 1 << 20
        let handle: FileHandle
        let temporary: String
        private var pending: [UInt8] = []
        private var written = 0

        init(handle: FileHandle, temporary: String) {
            self.handle = handle
            self.temporary = temporary
            pending.reserveCapacity(2 * Self.piece)
        }

        func add<Bytes: Collection>(_ bytes: Bytes) throws where Bytes.Element == UInt8 {
            pending.append(contentsOf: bytes)
            while pending.count >= Self.piece { try writePiece(Self.piece) }
        }

        func finish() throws {
            if !pending.isEmpty { try writePiece(pending.count) }
        }

        private func writePiece(_ count: Int) throws {
            if written > 0, ProcessInfo.processInfo.environment["SCALEFIT_TEST_PAUSE_MID_WRITE"] != nil {
                try handle.synchronize()
                FileHandle.standardError.write(Data("scalefit: paused mid-write: \(temporary)\n".utf8))
                while true { sleep(60) }
            }
            try pending.withUnsafeBytes { try handle.write(contentsOf: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            pending.removeSubrange(..<count)
            written += count
        }
    }

    /// `.<name>.tmp-`: the prefix of every temporary for `destination`.
    static func temporaryPrefix(for destination: URL) -> String {
        ".\(destination.lastPathComponent).tmp-"
    }

    /// Removes the temporaries for `destination` left by processes that no longer run
    /// (a SIGKILL or a power cut in the middle of an earlier write).
    static func removeStaleTemporaries(for destination: URL) {
        let folder = destination.deletingLastPathComponent()
        let prefix = temporaryPrefix(for: destination)
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let rest = entry.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: folder.appendingPathComponent(entry).path)
            }
        }
    }

    /// Makes SIGINT, SIGTERM and SIGHUP remove the in-flight temporaries, then end the
    /// process by the same signal (so a shell sees the usual status, e.g. 130 for Ctrl-C).
    /// Call it once, early; later calls do nothing.
    public static func installInterruptCleanup() {
        InFlight.shared.installHandlers()
    }
}

/// The temporaries being written, guarded by a lock that the rename also holds.
private final class InFlight: @unchecked Sendable {
    static let shared = InFlight()
    private let lock = NSLock()
    private var paths: Set<String> = []
    private var interrupted = false
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "scalefit.atomic-writer.signals")

    func register(_ path: String) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard !interrupted else { return false }
        paths.insert(path)
        return true
    }

    func unregister(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        paths.remove(path)
    }

    /// Runs `rename` under the lock unless an interrupt already removed the temporary;
    /// returns `rename`'s error number, or nil on success.
    func commit(_ path: String, _ rename: () -> Int32?) -> Int32? {
        lock.lock(); defer { lock.unlock() }
        guard !interrupted, paths.contains(path) else { return EINTR }
        return rename()
    }

    func installHandlers() {
        lock.lock(); defer { lock.unlock() }
        guard sources.isEmpty else { return }
        for number in [SIGINT, SIGTERM, SIGHUP] {
            // A signal ignored at start stays ignored (`nohup` ignores SIGHUP, a shell's
            // background jobs SIGINT): only a signal that would have ended us gets cleanup.
            if let previous = signal(number, SIG_IGN), unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) { continue }
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [unowned self] in self.interrupt(number) }
            source.resume()
            sources.append(source)
        }
    }

    /// Removes every in-flight temporary and dies of `number`. The lock is never released:
    /// no rename can follow.
    private func interrupt(_ number: Int32) -> Never {
        lock.lock()
        interrupted = true
        for path in paths { unlink(path) }
        signal(number, SIG_DFL)
        // Dispatch's threads block signals; unblock this one here, then raise it.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, number)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        raise(number)
        // The default action of these signals ends the process; this is only a fallback.
        _exit(128 + number)
    }
}
