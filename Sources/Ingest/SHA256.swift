import Crypto

/// SHA-256 (FIPS 180-4), streaming: feed bytes with ``update(_:)``, then ``finalize()``.
///
/// It identifies each input in `IngestResult.sources` and in the `"inputs"` of every
/// `--json` document. The hashing itself is swift-crypto's (BoringSSL's assembly, which
/// uses the CPU's SHA instructions where it has them): measured at several times the speed
/// of the hand-written version it replaced (benchmarks/sha256/RESULTS.md). This type only
/// keeps the interface the readers use and the hexadecimal spelling.
///
/// ```swift
/// var hash = SHA256()
/// hash.update(Array("abc".utf8))
/// hash.finalize().hex  // "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// ```
/// - Complexity: O(n) in the number of bytes.
public struct SHA256: @unchecked Sendable {
    // swift-crypto's hasher is a value (copy-on-write over BoringSSL's context) that does not
    // declare Sendable; a copy handed to another thread is its own.
    private var hasher = Crypto.SHA256()

    public init() {}

    /// The 32-byte digest, with its lowercase hexadecimal spelling.
    public struct Digest: Sendable, Hashable {
        public var bytes: [UInt8]
        public var hex: String {
            let digits = Array("0123456789abcdef".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(64)
            for byte in bytes {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 15)])
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: [UInt8]) -> Digest {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Adds the bytes in `buffer` to the message.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard buffer.count > 0 else { return }
        hasher.update(bufferPointer: buffer)
    }

    /// The digest of everything added.
    public mutating func finalize() -> Digest {
        Digest(bytes: Array(hasher.finalize()))
    }
}
