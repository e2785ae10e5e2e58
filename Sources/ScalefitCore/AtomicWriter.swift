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
    /// Why an output could not be written. A destination that cannot take a file (a folder,
    /// a read-only file, a parent that is a file) is a usage error (exit 2); a failure while
    /// writing (disk full, I/O error) exits 4.
    public struct WriteError: Error, ExitStatusProviding, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var exitStatus: ExitStatus
        public init(path: String, reason: String, exitStatus: ExitStatus = .outputFailed) {
            self.path = path
            self.reason = reason
            self.exitStatus = exitStatus
        }
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

    /// Writes several files so that they appear together: every one is written to its
    /// temporary first, then all are renamed under one lock; if a rename fails, the ones
    /// already renamed are put back (the old files are kept as hard links until the end).
    /// `generate` writes data.csv and truth.json this way, so new data never sits beside an
    /// old truth.
    public static func write(files: [(path: String, data: Data)]) throws {
        var staged: [(temporary: String, destination: String, path: String)] = []
        defer { for item in staged { InFlight.shared.unregister(item.temporary); unlink(item.temporary) } }
        var direct: [(Destination, Data, String)] = []
        for file in files {
            let destination = try resolve(file.path)
            guard case .file(let target, let existing) = destination else {
                direct.append((destination, file.data, file.path))
                continue
            }
            let temporary = try writeTemporary(for: target, existing: existing, userPath: file.path) { try $0.add(file.data) }
            staged.append((temporary, target, file.path))
        }
        try commitGroup(staged.map { ($0.temporary, $0.destination, $0.path) })
        staged.removeAll()
        for (destination, data, path) in direct { try writeDirect(destination, path: path) { try $0.add(data) } }
    }

    /// Where the bytes go.
    enum Destination {
        /// An open descriptor: `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`, `/proc/self/fd/N`.
        case descriptor(Int32)
        /// A character or block device, a FIFO or a socket: opened and written in place.
        case special(String)
        /// A regular file (or none yet) at this path, symbolic links followed: replaced atomically.
        case file(String, stat?)
    }

    /// The descriptor a path names, if it names one.
    static func descriptor(named path: String) -> Int32? {
        switch path {
        case "-", "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                if let n = Int32(path.dropFirst(prefix.count)), n >= 0 { return n }
            }
            return nil
        }
    }

    /// Follows symbolic links (a link keeps pointing at the new file) and sorts the
    /// destination into a descriptor, a special file or a regular file.
    static func resolve(_ path: String) throws -> Destination {
        var current = path
        for _ in 0..<40 {
            if let fd = descriptor(named: current) {
                guard fcntl(fd, F_GETFD) != -1 else {
                    throw WriteError(path: path, reason: "descriptor \(fd) is not open", exitStatus: .badInput)
                }
                return .descriptor(fd)
            }
            var info = stat()
            if lstat(current, &info) != 0 {
                let code = errno
                if code == ENOENT || code == ENOTDIR { return .file(current, nil) }
                throw WriteError(path: path, reason: String(cString: strerror(code)), exitStatus: .badInput)
            }
            switch info.st_mode & S_IFMT {
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let count = readlink(current, &buffer, Int(PATH_MAX))
                guard count >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno)), exitStatus: .badInput) }
                let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                current = target.hasPrefix("/") ? target : URL(fileURLWithPath: current).deletingLastPathComponent().appendingPathComponent(target).path
            case S_IFDIR:
                throw WriteError(path: path, reason: "\(current) is a folder", exitStatus: .badInput)
            case S_IFREG:
                return .file(current, info)
            default:
                return .special(current)
            }
        }
        throw WriteError(path: path, reason: "too many levels of symbolic links", exitStatus: .badInput)
    }

    /// Whether this user may write a file with these permissions. As root, access(2) says
    /// yes to everything; a file with no write bit at all is still refused (the user made it
    /// read-only on purpose).
    static func mayWrite(_ path: String, _ info: stat) -> Bool {
        if geteuid() == 0 { return info.st_mode & 0o222 != 0 }
        return access(path, W_OK) == 0
    }

    /// `mkdir -p` with messages that name the part of the path that is in the way.
    static func makeFolders(_ folder: String, for path: String) throws {
        var info = stat()
        if stat(folder, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw WriteError(path: path, reason: "\(folder) is a file, not a folder", exitStatus: .badInput)
            }
            return
        }
        let parent = URL(fileURLWithPath: folder).deletingLastPathComponent().path
        if parent != folder, !parent.isEmpty { try makeFolders(parent, for: path) }
        if mkdir(folder, 0o777) != 0 && errno != EEXIST {
            throw WriteError(path: path, reason: "cannot create folder \(folder): \(String(cString: strerror(errno)))", exitStatus: .badInput)
        }
    }

    private static func write(to path: String, _ fill: (PieceWriter) throws -> Void) throws {
        let destination = try resolve(path)
        guard case .file(let target, let existing) = destination else {
            try writeDirect(destination, path: path, fill)
            return
        }
        let temporary = try writeTemporary(for: target, existing: existing, userPath: path, fill)
        defer { InFlight.shared.unregister(temporary) }
        try commitGroup([(temporary, target, path)])
    }

    /// A device, FIFO or descriptor is written in place: it cannot be replaced, and
    /// replacing it would turn /dev/null into a file.
    private static func writeDirect(_ destination: Destination, path: String, _ fill: (PieceWriter) throws -> Void) throws {
        let fd: Int32
        var owned = false
        switch destination {
        case .descriptor(let n): fd = n
        case .special(let device):
            fd = open(device, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno)), exitStatus: .badInput) }
            owned = true
        case .file: return
        }
        defer { if owned { close(fd) } }
        do {
            let pieces = PieceWriter(fd: fd, temporary: nil)
            try fill(pieces)
            try pieces.finish()
        } catch let error as WriteError {
            throw WriteError(path: path, reason: error.reason, exitStatus: error.exitStatus)
        } catch {
            throw WriteError(path: path, reason: "\(error)", exitStatus: .badInput)
        }
    }

    /// Writes the temporary beside `target`, with the old file's mode and owner; returns
    /// its path (registered in flight).
    private static func writeTemporary(for target: String, existing: stat?, userPath path: String, _ fill: (PieceWriter) throws -> Void) throws -> String {
        let url = URL(fileURLWithPath: target)
        let folder = url.deletingLastPathComponent().path
        try makeFolders(folder, for: path)
        if let existing, !mayWrite(target, existing) {
            throw WriteError(
                path: path,
                reason: "\(target) is read-only (mode \(String(existing.st_mode & 0o7777, radix: 8))); scalefit does not replace a file you cannot write",
                exitStatus: .badInput)
        }
        var folderInfo = stat()
        if stat(folder, &folderInfo) == 0, !(geteuid() == 0 ? folderInfo.st_mode & 0o222 != 0 : access(folder, W_OK | X_OK) == 0) {
            throw WriteError(path: path, reason: "the folder \(folder) is read-only", exitStatus: .badInput)
        }
        if let existing, existing.st_nlink > 1 {
            FileHandle.standardError.write(Data("scalefit: note: \(path) had \(existing.st_nlink) hard links; the new file takes this name only (the other names keep the old contents)\n".utf8))
        }
        removeStaleTemporaries(for: url)
        let temporary = folder + "/" + temporaryPrefix(for: url) + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard InFlight.shared.register(temporary) else { throw WriteError(path: path, reason: "interrupted") }
        let mode = existing.map { mode_t($0.st_mode & 0o7777) } ?? 0o666
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let code = errno
            InFlight.shared.unregister(temporary)
            throw WriteError(path: path, reason: "cannot create a temporary file in \(folder): \(String(cString: strerror(code)))",
                             exitStatus: code == ENOSPC || code == EIO || code == EDQUOT ? .outputFailed : .badInput)
        }
        do {
            if let existing {
                // Keep the old file's permissions (umask would have narrowed or the default
                // widened them) and, where allowed, its owner.
                _ = fchmod(fd, mode)
                if existing.st_uid != geteuid() || existing.st_gid != getegid() { _ = fchown(fd, existing.st_uid, existing.st_gid) }
            }
            let pieces = PieceWriter(fd: fd, temporary: temporary)
            try fill(pieces)
            try pieces.finish()
            guard fsync(fd) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
            guard close(fd) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        } catch {
            close(fd)
            unlink(temporary)
            InFlight.shared.unregister(temporary)
            if let error = error as? WriteError { throw WriteError(path: path, reason: error.reason, exitStatus: error.exitStatus) }
            throw error
        }
        return temporary
    }

    /// Renames every temporary over its destination under the in-flight lock: an interrupt
    /// comes before (old files kept) or after (new files whole). When a rename fails, the
    /// renames done so far are undone from hard-link backups of the old files.
    private static func commitGroup(_ moves: [(temporary: String, destination: String, path: String)]) throws {
        var failure: (String, Int32)?
        let completed = InFlight.shared.commit(moves.map(\.temporary)) { () -> Bool in
            var done: [(destination: String, backup: String?)] = []
            for move in moves {
                var backup: String? = move.temporary + "-old"
                if moves.count == 1 || link(move.destination, backup!) != 0 { backup = nil }
                if rename(move.temporary, move.destination) != 0 {
                    failure = (move.path, errno)
                    if let backup { unlink(backup) }
                    for item in done.reversed() {
                        if let old = item.backup { rename(old, item.destination) } else { unlink(item.destination) }
                    }
                    return false
                }
                done.append((move.destination, backup))
            }
            for item in done { if let old = item.backup { unlink(old) } }
            return true
        }
        if !completed {
            for move in moves { unlink(move.temporary) }
            if let (path, code) = failure { throw WriteError(path: path, reason: String(cString: strerror(code))) }
            throw WriteError(path: moves.first?.path ?? "", reason: "interrupted")
        }
    }

    /// Gathers bytes and writes them in 1 MiB pieces.
    private final class PieceWriter {
        static let piece = 1 << 20
        let fd: Int32
        let temporary: String?
        private var pending: [UInt8] = []
        private var written = 0

        init(fd: Int32, temporary: String?) {
            self.fd = fd
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
            var offset = 0
            while offset < count {
                let n = pending.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, count - offset) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(path: temporary ?? "", reason: String(cString: strerror(errno)))
                }
                offset += n
            }
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

    /// Runs `rename` under the lock unless an interrupt already removed a temporary;
    /// returns what `rename` returns, or false.
    func commit(_ list: [String], _ rename: () -> Bool) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard !interrupted, list.allSatisfy({ paths.contains($0) }) else { return false }
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
