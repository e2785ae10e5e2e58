import Foundation
import ScalefitCore

/// A file (or standard input, path `-`) read in chunks, hashed with SHA-256 as it goes
/// (or on a second thread, or not at all: see ``DigestMode``).
///
/// Readers never hold a large file whole: the CSV tokenizer and the line reader pull
/// 1 MiB chunks. ``peek(_:)`` keeps the first bytes for format detection, so standard input,
/// which cannot be reopened, is read exactly once.
final class ByteSource {
    /// The path as the user named it, used in error messages.
    let path: String
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var hasher = SHA256()
    private let hashInline: Bool
    private let concurrent: ConcurrentDigest?
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private(set) var atEnd = false
    /// Bytes read from the file so far.
    private(set) var byteCount = 0
    static let chunkSize = 1 << 20

    init(path: String, digest: DigestMode = .inline) throws {
        self.path = path
        if path == "-" {
            descriptor = 0
            ownsDescriptor = false
            hashInline = digest != .none
            concurrent = nil
        } else {
            var status = stat()
            if stat(path, &status) != 0 {
                throw InputError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
            }
            if (status.st_mode & S_IFMT) == S_IFDIR {
                throw InputError(file: path, message: "is a folder, expected a file")
            }
            let fd = open(path, O_RDONLY)
            if fd < 0 {
                throw InputError(file: path, message: "cannot open: \(String(cString: strerror(errno)))")
            }
            descriptor = fd
            ownsDescriptor = true
            // Only a regular file can be read twice (not a pipe such as `<(command)`).
            let regular = (status.st_mode & S_IFMT) == S_IFREG
            hashInline = digest == .inline || (digest == .concurrent && !regular)
            concurrent = digest == .concurrent && regular ? ConcurrentDigest(path: path) : nil
        }
    }

    deinit {
        concurrent?.cancel()
        if ownsDescriptor { _ = close(descriptor) }
    }

    /// Reads from the descriptor (not from `pending`), hashing what arrives.
    private func readRaw(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if atEnd { return 0 }
        while true {
            let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(file: path, message: "cannot read: \(String(cString: strerror(errno)))", readFailed: true)
            }
            if count == 0 { atEnd = true; return 0 }
            if hashInline { hasher.update(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count)) }
            byteCount += count
            return count
        }
    }

    /// The first `count` bytes (fewer at the end of the file), without consuming them.
    func peek(_ count: Int) throws -> [UInt8] {
        while pending.count - pendingOffset < count && !atEnd {
            var chunk = [UInt8](repeating: 0, count: max(count - (pending.count - pendingOffset), 4096))
            let got = try chunk.withUnsafeMutableBytes { try readRaw(into: $0) }
            pending.append(contentsOf: chunk[0..<got])
        }
        return Array(pending[pendingOffset..<min(pending.count, pendingOffset + count)])
    }

    /// Reads up to `buffer.count` bytes; returns 0 at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if pendingOffset < pending.count {
            let take = min(buffer.count, pending.count - pendingOffset)
            pending.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + pendingOffset, byteCount: take)
            }
            pendingOffset += take
            if pendingOffset == pending.count { pending = []; pendingOffset = 0 }
            return take
        }
        return try readRaw(into: buffer)
    }

    /// The rest of the file, whole (for JSON documents, which are small).
    func readAll() throws -> [UInt8] {
        var out = Array(pending[pendingOffset...])
        pending = []; pendingOffset = 0
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        while true {
            let got = try chunk.withUnsafeMutableBytes { try readRaw(into: $0) }
            if got == 0 { break }
            out.append(contentsOf: chunk[0..<got])
        }
        return out
    }

    /// Reads whatever is left (so the hash and ``byteCount`` cover the whole file) and
    /// returns the digest: the empty string with ``DigestMode/none``.
    func finish() throws -> String {
        pending = []; pendingOffset = 0
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        while try chunk.withUnsafeMutableBytes({ try readRaw(into: $0) }) > 0 {}
        if let concurrent {
            let (digest, bytes, failure) = concurrent.wait()
            if let failure { throw InputError(file: path, message: "cannot read: \(failure)", readFailed: true) }
            if bytes != byteCount {
                // The file grew or shrank while it was read (a live log): hash exactly the
                // bytes that were parsed, reading them again.
                return try Self.digest(path: path, firstBytes: byteCount)
            }
            return digest
        }
        return hashInline ? hasher.finalize().hex : ""
    }

    /// The SHA-256 of the first `count` bytes of the file at `path`.
    private static func digest(path: String, firstBytes count: Int) throws -> String {
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw InputError(file: path, message: "cannot open: \(String(cString: strerror(errno)))") }
        defer { _ = close(fd) }
        var hasher = SHA256()
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var left = count
        while left > 0 {
            let got = chunk.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, min($0.count, left)) }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { throw InputError(file: path, message: "the file shrank while it was read", readFailed: true) }
            chunk.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<got])) }
            left -= got
        }
        return hasher.finalize().hex
    }
}

/// The SHA-256 of a file computed on its own thread, which opens and reads the file
/// itself: the parsing thread shares no buffer with it, so nothing is copied or locked
/// per chunk. The second read comes from the page cache.
final class ConcurrentDigest: @unchecked Sendable {
    private let lock = NSLock()
    private let done = DispatchSemaphore(value: 0)
    private var cancelled = false
    // Written by the hashing thread before it signals `done`, read after `wait()`.
    private var digest = ""
    private var bytes = 0
    private var failure: String?

    init(path: String) {
        let thread = Thread { [self] in run(path) }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private var isCancelled: Bool { lock.lock(); defer { lock.unlock() }; return cancelled }

    private func run(_ path: String) {
        defer { done.signal() }
        let fd = open(path, O_RDONLY)
        if fd < 0 { failure = String(cString: strerror(errno)); return }
        defer { _ = close(fd) }
        var status = stat()
        if fstat(fd, &status) != 0 { failure = String(cString: strerror(errno)); return }
        // The size when opened: a log that grows meanwhile is hashed up to it (and again
        // by `finish` if the parser read more).
        var left = Int(status.st_size)
        var hasher = SHA256()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: ByteSource.chunkSize, alignment: 64)
        defer { chunk.deallocate() }
        while !isCancelled {
            let got = left == 0 ? 0 : Foundation.read(fd, chunk.baseAddress, min(chunk.count, left))
            if got < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno)); return
            }
            if got == 0 { digest = hasher.finalize().hex; return }
            hasher.update(UnsafeRawBufferPointer(start: chunk.baseAddress, count: got))
            bytes += got
            left -= got
        }
    }

    /// Stops the hashing early (the reader failed; nobody will ask for the digest).
    func cancel() { lock.lock(); cancelled = true; lock.unlock() }

    /// Waits for the hash of the whole file.
    func wait() -> (digest: String, bytes: Int, failure: String?) {
        done.wait()
        done.signal()  // a second wait returns at once
        return (digest, bytes, failure)
    }
}
