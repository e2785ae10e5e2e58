/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as zlib's `crc32` computes it:
/// W&B's record log checks its records with it (not CRC-32C, whatever its comments say).
///
/// `CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926` (the standard check value).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        return crc
    }

    /// The CRC of `bytes`, continuing from `crc` (the CRC of the bytes before them; 0 to start).
    static func update(_ crc: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var value = ~crc
        table.withUnsafeBufferPointer { table in
            for byte in bytes { value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8) }
        }
        return ~value
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBufferPointer { update(0, $0) } }
}
