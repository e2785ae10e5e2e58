/// A minimal reader of the protocol-buffer wire format: varints, fixed 32/64-bit fields and
/// length-delimited fields, with unknown fields skipped.
///
/// Enough for TensorBoard's `Event` → `Summary` → `Value` → `TensorProto` chain without
/// generated code (see the Ingest guide, "Design notes", for why not swift-protobuf).
/// Every read is bounds-checked and returns `nil` on malformed input, never traps.
struct ProtobufReader {
    enum Field {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(ArraySlice<UInt8>)
    }

    private let bytes: ArraySlice<UInt8>
    private var index: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.index = bytes.startIndex
    }

    var isAtEnd: Bool { index >= bytes.endIndex }

    mutating func varint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            if shift < 64 { result |= UInt64(byte & 0x7F) << shift }
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 70 { return nil }
        }
        return nil
    }

    /// The next field as (number, value), or `nil` at the end or on malformed input.
    mutating func next() -> (number: Int, field: Field)? {
        guard !isAtEnd, let key = varint() else { return nil }
        let number = Int(truncatingIfNeeded: key >> 3)
        switch key & 7 {
        case 0:
            guard let value = varint() else { return nil }
            return (number, .varint(value))
        case 1:
            guard index + 8 <= bytes.endIndex else { return nil }
            var value: UInt64 = 0
            for k in 0..<8 { value |= UInt64(bytes[index + k]) << (8 * UInt64(k)) }
            index += 8
            return (number, .fixed64(value))
        case 2:
            guard let length = varint(), length <= UInt64(bytes.endIndex - index) else { return nil }
            let slice = bytes[index..<(index + Int(length))]
            index += Int(length)
            return (number, .bytes(slice))
        case 5:
            guard index + 4 <= bytes.endIndex else { return nil }
            var value: UInt32 = 0
            for k in 0..<4 { value |= UInt32(bytes[index + k]) << (8 * UInt32(k)) }
            index += 4
            return (number, .fixed32(value))
        default:
            return nil  // groups (3, 4) are not used by these messages
        }
    }
}
