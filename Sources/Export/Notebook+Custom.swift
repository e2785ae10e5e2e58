import Fit

extension Notebook {
    /// A custom law (`fit --law`) in numpy: the same expression, translated node by node
    /// (N/x → x, D/x2 → x2, parameters → p[j], in law order, ^ → **, functions → numpy's), every
    /// operation parenthesised so that Python's precedence cannot differ from the law's.
    /// A notebook holds one custom law (the commands fit one `--law` to every series).
    static func pythonCustomLaw(_ formula: String) -> String? {
        guard let parsed = try? ParsedExpression(formula) else { return nil }
        let names = parsed.parameterNames
        var text = "def \(functionName("custom"))(x, x2, p):\n"
        text += "    # The user's law: \(formula.replacingOccurrences(of: "\n", with: " "))\n"
        text += "    # p = [" + names.joined(separator: ", ") + "]\n"
        text += "    return " + python(parsed.root, names: names) + " + 0.0 * x"
        return text
    }

    static func python(_ node: ExpressionNode, names: [String]) -> String {
        func go(_ n: ExpressionNode) -> String { python(n, names: names) }
        switch node {
        case .number(let v):
            return "\(v)"
        case .input(let i):
            return i == 0 ? "x" : "x2"
        case .parameter(let j):
            return "p[\(j)]"
        case .negate(let a):
            return "(-\(go(a)))"
        case .binary(let op, let a, let b):
            let symbol = op == .power ? "**" : op.rawValue
            return "(\(go(a)) \(symbol) \(go(b)))"
        case .call(let f, let args):
            let a = args.map(go)
            switch f {
            case .pow: return "(\(a[0]) ** \(a[1]))"
            case .min: return "np.minimum(\(a[0]), \(a[1]))"
            case .max: return "np.maximum(\(a[0]), \(a[1]))"
            case .sigmoid: return "(1.0 / (1.0 + np.exp(-\(a[0]))))"
            case .abs: return "np.abs(\(a[0]))"
            default: return "np.\(f.rawValue)(\(a[0]))"
            }
        }
    }
}
