import Foundation
import ScalefitCore

/// A file (or standard input, path `-`) read in chunks, hashed with SHA-256 as it goes.
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
    private var pending: [UInt8] = []
    private var pendingOffset = 0
    private(set) var atEnd = false
    /// Bytes read from the file so far.
    private(set) var byteCount = 0
    static let chunkSize = 1 << 20

    init(path: String) throws {
        self.path = path
        if path == "-" {
            descriptor = 0
            ownsDescriptor = false
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
        }
    }

    deinit {
        if ownsDescriptor { _ = close(descriptor) }
    }

    /// Reads from the descriptor (not from `pending`), hashing what arrives.
    private func readRaw(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if atEnd { return 0 }
        while true {
            let count = Foundation.read(descriptor, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(file: path, message: "cannot read: \(String(cString: strerror(errno)))")
            }
            if count == 0 { atEnd = true; return 0 }
            hasher.update(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count))
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

    /// Reads whatever is left (so the hash covers the whole file) and returns the digest.
    func finish() throws -> String {
        pending = []; pendingOffset = 0
        var chunk = [UInt8](repeating: 0, count: Self.chunkSize)
        while try chunk.withUnsafeMutableBytes({ try readRaw(into: $0) }) > 0 {}
        return hasher.finalize().hex
    }
}
