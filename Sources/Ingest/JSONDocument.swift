import ScalefitCore

extension JSONValue {
    /// Parses a whole JSON document (numbers read back to the exact double their shortest
    /// form names, as scalefit writes them). Errors are ``ScalefitCore/InputError``s naming
    /// `file`, the line, the column and the JSON path.
    public static func parse(_ bytes: [UInt8], file: String) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, file: file)
        return try parser.parseDocument()
    }
}
