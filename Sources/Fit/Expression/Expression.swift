import RealModule

/// A law written by its user: `E + A*N^-alpha + B*D^-beta`, parsed into a tree.
///
/// The language: numbers (`2`, `0.5`, `.5`, `1e9`, `6.02E23`), the inputs `N` (or `x`) and
/// `D` (or `x2`), parameters (every other name), `+ - * /`, `^` or `**` for powers (right
/// associative, binding tighter than a unary minus: `-x^2` is −(x²), and `N^-alpha` is
/// N^(−alpha)), parentheses, and the functions of ``ExpressionFunction``. Names are case
/// sensitive. Errors name the column (1-based, in characters) of the offending token.
public indirect enum ExpressionNode: Sendable, Equatable {
    case number(Double)
    /// Input 0 (`N`/`x`) or 1 (`D`/`x2`).
    case input(Int)
    /// A parameter, by its index in order of first appearance.
    case parameter(Int)
    case negate(ExpressionNode)
    case binary(ExpressionOperator, ExpressionNode, ExpressionNode)
    case call(ExpressionFunction, [ExpressionNode])
}

public enum ExpressionOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", power = "^"
}

/// The functions a law may call.
public enum ExpressionFunction: String, Sendable, CaseIterable {
    case exp, log, log10, log2, log1p, expm1, sqrt, abs, pow, min, max, sigmoid, tanh

    /// How many arguments it takes.
    public var arity: Int {
        switch self {
        case .pow, .min, .max: 2
        default: 1
        }
    }
}

/// A mistake in a law's text: what is wrong and the column (1-based) where it is.
public struct ExpressionError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    /// 1-based column of the offending token (in characters).
    public var column: Int
    public var text: String

    public var description: String {
        "column \(column): \(message)\n  \(text)\n  " + String(repeating: " ", count: max(column - 1, 0)) + "^"
    }
}

/// A parsed law: its tree, its parameters (in order of first appearance) and how many
/// inputs it uses.
public struct ParsedExpression: Sendable {
    public var text: String
    public var root: ExpressionNode
    public var parameterNames: [String]
    /// 1 when only `N`/`x` appears, 2 when `D`/`x2` does.
    public var inputCount: Int

    /// Names that denote the inputs; they cannot be parameters.
    public static let inputNames: [String: Int] = ["N": 0, "x": 0, "D": 1, "x2": 1]

    public init(_ text: String) throws(ExpressionError) {
        var parser = ExpressionParser(text)
        self.root = try parser.parse()
        self.text = text
        self.parameterNames = parser.parameters
        var used = parser.inputsUsed
        if used.isEmpty { used = [0] }
        self.inputCount = used.contains(1) ? 2 : 1
        // One spelling per input: `N + x` would be one input under two names.
        for input in [0, 1] {
            let spellings = parser.inputSpellings.filter { $0.value.input == input }
            if spellings.count > 1 {
                let later = spellings.max { $0.value.column < $1.value.column }!
                throw ExpressionError(
                    message: "\(spellings.keys.sorted().joined(separator: " and ")) both name input \(input + 1); use one of them",
                    column: later.value.column, text: text)
            }
        }
    }
}

struct ExpressionParser {
    private let characters: [Character]
    private let text: String
    private var position = 0
    private(set) var parameters: [String] = []
    private(set) var inputsUsed: Set<Int> = []
    /// Each input name used: which input it is and the column of its first use.
    private(set) var inputSpellings: [String: (input: Int, column: Int)] = [:]

    init(_ text: String) {
        self.text = text
        self.characters = Array(text)
    }

    private enum Token: Equatable {
        case number(Double), name(String), symbol(String), end
    }

    private func fail(_ message: String, at column: Int) -> ExpressionError {
        ExpressionError(message: message, column: column, text: text)
    }

    private mutating func skipSpaces() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }

    /// The next token and its column, without consuming it.
    private mutating func peek() throws(ExpressionError) -> (Token, Int) {
        let saved = position
        let result = try next()
        position = saved
        return result
    }

    private mutating func next() throws(ExpressionError) -> (Token, Int) {
        skipSpaces()
        let column = position + 1
        guard position < characters.count else { return (.end, column) }
        let c = characters[position]
        if c.isASCII, c.isNumber || (c == "." && position + 1 < characters.count && characters[position + 1].isASCII && characters[position + 1].isNumber) {
            var end = position
            func digits() { while end < characters.count, characters[end].isASCII, characters[end].isNumber { end += 1 } }
            digits()
            if end < characters.count, characters[end] == "." { end += 1; digits() }
            if end < characters.count, characters[end] == "e" || characters[end] == "E" {
                var look = end + 1
                if look < characters.count, characters[look] == "+" || characters[look] == "-" { look += 1 }
                if look < characters.count, characters[look].isASCII, characters[look].isNumber {
                    end = look
                    digits()
                } else {
                    throw fail("a number's exponent needs digits (e.g. 1e9)", at: end + 1)
                }
            }
            let literal = String(characters[position..<end])
            guard let value = Double(literal), value.isFinite else { throw fail("\"\(literal)\" is not a finite number", at: column) }
            position = end
            if position < characters.count, characters[position].isLetter || characters[position] == "_" {
                throw fail("a name right after a number: write the multiplication, e.g. 2*x", at: position + 1)
            }
            return (.number(value), column)
        }
        if c.isLetter || c == "_" {
            var end = position
            while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" { end += 1 }
            let name = String(characters[position..<end])
            guard name.allSatisfy(\.isASCII) else { throw fail("names use ASCII letters, digits and _, not \"\(name)\"", at: column) }
            position = end
            return (.name(name), column)
        }
        if c == "*", position + 1 < characters.count, characters[position + 1] == "*" {
            position += 2
            return (.symbol("^"), column)
        }
        if "+-*/^(),".contains(c) {
            position += 1
            return (.symbol(String(c)), column)
        }
        let hint: String
        switch c {
        case "·", "×": hint = "; write * for a product"
        case "−", "–": hint = "; write - for a minus"
        case "[", "{": hint = "; use ( and )"
        case "=": hint = "; give the right-hand side only (no \"L =\")"
        default: hint = ""
        }
        throw fail("unexpected character \"\(c)\"\(hint)", at: column)
    }

    private mutating func expect(_ symbol: String, _ what: String) throws(ExpressionError) {
        let (token, column) = try next()
        guard token == .symbol(symbol) else { throw fail("expected \(what), found \(describe(token))", at: column) }
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .number(let v): "the number \(v)"
        case .name(let n): "\"\(n)\""
        case .symbol(let s): "\"\(s)\""
        case .end: "the end of the law"
        }
    }

    mutating func parse() throws(ExpressionError) -> ExpressionNode {
        skipSpaces()
        guard position < characters.count else { throw fail("the law is empty", at: 1) }
        let root = try sum()
        let (token, column) = try next()
        guard token == .end else {
            if token == .symbol(")") { throw fail("\")\" without a matching \"(\"", at: column) }
            throw fail("expected an operator or the end of the law, found \(describe(token))", at: column)
        }
        return root
    }

    private mutating func sum() throws(ExpressionError) -> ExpressionNode {
        var left = try product()
        while true {
            let (token, _) = try peek()
            guard case .symbol(let s) = token, s == "+" || s == "-" else { return left }
            _ = try next()
            let right = try product()
            left = .binary(s == "+" ? .add : .subtract, left, right)
        }
    }

    private mutating func product() throws(ExpressionError) -> ExpressionNode {
        var left = try unary()
        while true {
            let (token, _) = try peek()
            guard case .symbol(let s) = token, s == "*" || s == "/" else { return left }
            _ = try next()
            let right = try unary()
            left = .binary(s == "*" ? .multiply : .divide, left, right)
        }
    }

    private mutating func unary() throws(ExpressionError) -> ExpressionNode {
        let (token, _) = try peek()
        if token == .symbol("-") {
            _ = try next()
            return .negate(try unary())
        }
        if token == .symbol("+") {
            _ = try next()
            return try unary()
        }
        return try power()
    }

    private mutating func power() throws(ExpressionError) -> ExpressionNode {
        let base = try primary()
        let (token, _) = try peek()
        guard token == .symbol("^") else { return base }
        _ = try next()
        // Right associative, and the exponent may carry its own sign: N^-alpha.
        return .binary(.power, base, try unary())
    }

    private mutating func primary() throws(ExpressionError) -> ExpressionNode {
        let (token, column) = try next()
        switch token {
        case .number(let value):
            return .number(value)
        case .symbol("("):
            let inner = try sum()
            let (closing, at) = try next()
            guard closing == .symbol(")") else {
                throw fail("expected \")\" to close the \"(\" at column \(column), found \(describe(closing))", at: at)
            }
            return inner
        case .name(let name):
            let (after, _) = try peek()
            if after == .symbol("(") {
                guard let function = ExpressionFunction(rawValue: name) else {
                    let known = ExpressionFunction.allCases.map(\.rawValue).joined(separator: ", ")
                    throw fail("unknown function \"\(name)\" (known: \(known))", at: column)
                }
                _ = try next()
                var arguments: [ExpressionNode] = []
                while true {
                    arguments.append(try sum())
                    let (separator, at) = try next()
                    if separator == .symbol(")") { break }
                    guard separator == .symbol(",") else {
                        throw fail("expected \",\" or \")\" in the arguments of \(name), found \(describe(separator))", at: at)
                    }
                }
                guard arguments.count == function.arity else {
                    throw fail("\(name) takes \(function.arity) argument\(function.arity == 1 ? "" : "s"), got \(arguments.count)", at: column)
                }
                return .call(function, arguments)
            }
            if ExpressionFunction(rawValue: name) != nil {
                throw fail("\(name) is a function: write \(name)(…)", at: column)
            }
            if let input = ParsedExpression.inputNames[name] {
                inputsUsed.insert(input)
                if inputSpellings[name] == nil { inputSpellings[name] = (input, column) }
                return .input(input)
            }
            if let index = parameters.firstIndex(of: name) { return .parameter(index) }
            parameters.append(name)
            return .parameter(parameters.count - 1)
        case .end:
            throw fail("the law ends where a number, name or \"(\" was expected", at: column)
        case .symbol(let s):
            throw fail("expected a number, name or \"(\", found \"\(s)\"", at: column)
        }
    }
}
