import RealModule

/// A parsed law as a straight-line program (one register per node), evaluated with exact
/// derivatives by forward-mode automatic differentiation: every register carries its value
/// and its derivatives along K directions, and each operation applies its own derivative
/// rule (the chain rule, exactly; no finite differences).
///
/// Two kinds of directions are used: the parameters (K = parameter count, the gradient
/// the least-squares solver needs), and one direction in the inputs (the slope of the loss
/// along a compute budget, for the compute-optimal allocation).
public struct CompiledExpression: Sendable {
    enum Op: Sendable {
        case constant(Double)
        case input(Int)
        case parameter(Int)
        case negate(Int)
        case add(Int, Int), subtract(Int, Int), multiply(Int, Int), divide(Int, Int), power(Int, Int)
        case function(ExpressionFunction, Int)
        case minimum(Int, Int), maximum(Int, Int)
    }

    let ops: [Op]
    /// Whether a register depends on any parameter (its parameter gradient can be nonzero).
    let dependsOnParameters: [Bool]
    /// Whether a register depends on an input (its derivative along the budget can be nonzero).
    let dependsOnInputs: [Bool]
    public let parameterCount: Int

    public init(_ parsed: ParsedExpression) {
        var ops: [Op] = []
        var onParameters: [Bool] = []
        var onInputs: [Bool] = []
        func emit(_ op: Op, parameters: Bool, inputs: Bool) -> Int {
            ops.append(op)
            onParameters.append(parameters)
            onInputs.append(inputs)
            return ops.count - 1
        }
        func constantValue(_ r: Int) -> Double? {
            if case .constant(let v) = ops[r] { return v }
            return nil
        }
        func compile(_ node: ExpressionNode) -> Int {
            switch node {
            case .number(let v):
                return emit(.constant(v), parameters: false, inputs: false)
            case .input(let i):
                return emit(.input(i), parameters: false, inputs: true)
            case .parameter(let j):
                return emit(.parameter(j), parameters: true, inputs: false)
            case .negate(let inner):
                let a = compile(inner)
                if let v = constantValue(a) { return emit(.constant(-v), parameters: false, inputs: false) }
                return emit(.negate(a), parameters: onParameters[a], inputs: onInputs[a])
            case .binary(let op, let left, let right):
                let a = compile(left), b = compile(right)
                let p = onParameters[a] || onParameters[b], x = onInputs[a] || onInputs[b]
                if let u = constantValue(a), let v = constantValue(b) {
                    let folded: Double
                    switch op {
                    case .add: folded = u + v
                    case .subtract: folded = u - v
                    case .multiply: folded = u * v
                    case .divide: folded = u / v
                    case .power: folded = Double.pow(u, v)
                    }
                    return emit(.constant(folded), parameters: false, inputs: false)
                }
                switch op {
                case .add: return emit(.add(a, b), parameters: p, inputs: x)
                case .subtract: return emit(.subtract(a, b), parameters: p, inputs: x)
                case .multiply: return emit(.multiply(a, b), parameters: p, inputs: x)
                case .divide: return emit(.divide(a, b), parameters: p, inputs: x)
                case .power: return emit(.power(a, b), parameters: p, inputs: x)
                }
            case .call(let function, let arguments):
                let registers = arguments.map(compile)
                let p = registers.contains { onParameters[$0] }, x = registers.contains { onInputs[$0] }
                switch function {
                case .pow: return emit(.power(registers[0], registers[1]), parameters: p, inputs: x)
                case .min: return emit(.minimum(registers[0], registers[1]), parameters: p, inputs: x)
                case .max: return emit(.maximum(registers[0], registers[1]), parameters: p, inputs: x)
                default: return emit(.function(function, registers[0]), parameters: p, inputs: x)
                }
            }
        }
        _ = compile(parsed.root)
        self.ops = ops
        self.dependsOnParameters = onParameters
        self.dependsOnInputs = onInputs
        self.parameterCount = parsed.parameterNames.count
    }

    /// Scratch space one evaluation with `directions` derivatives needs.
    public func scratchCount(directions: Int) -> Int { ops.count * (directions + 1) }

    /// The value at (x, x2), without derivatives.
    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: ops.count) { scratch in
            p.withUnsafeBufferPointer { run(x, x2, $0.baseAddress!, scratch.baseAddress!, directions: 0, seeds: .none, gradient: nil) }
        }
    }

    /// The value and ∂/∂p_j into `gradient` (length = parameter count).
    public func valueAndGradient(_ x: Double, _ x2: Double, parameters p: [Double], into gradient: inout [Double]) -> Double {
        let k = parameterCount
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: scratchCount(directions: k)) { scratch in
            p.withUnsafeBufferPointer { pp in
                gradient.withUnsafeMutableBufferPointer { g in
                    run(x, x2, pp.baseAddress!, scratch.baseAddress!, directions: k, seeds: .parameters, gradient: g.baseAddress)
                }
            }
        }
    }

    /// The derivative of L along N = e^u, D = e^(c − u) at (n, d): N·∂L/∂N − D·∂L/∂D (the
    /// slope of the loss along a fixed compute budget C = 6·N·D, in u = ln N).
    public func budgetSlope(_ n: Double, _ d: Double, parameters p: [Double]) -> Double {
        withUnsafeTemporaryAllocation(of: Double.self, capacity: scratchCount(directions: 1)) { scratch in
            p.withUnsafeBufferPointer { pp in
                var slope = 0.0
                _ = run(n, d, pp.baseAddress!, scratch.baseAddress!, directions: 1, seeds: .inputs(n, -d), gradient: &slope)
                return slope
            }
        }
    }

    enum Seeds {
        case none
        /// Direction j is parameter j.
        case parameters
        /// One direction: input 0 moves by the first value, input 1 by the second.
        case inputs(Double, Double)
    }

    /// Runs the program. `scratch` holds ops.count values, then ops.count·K derivatives;
    /// the result's derivatives are copied to `gradient` (K values) when given.
    @inline(__always)
    func run(
        _ x: Double, _ x2: Double, _ p: UnsafePointer<Double>, _ scratch: UnsafeMutablePointer<Double>, directions k: Int,
        seeds: Seeds, gradient: UnsafeMutablePointer<Double>?
    ) -> Double {
        let v = scratch
        let g = scratch + ops.count
        var active = dependsOnParameters
        if case .inputs = seeds { active = dependsOnInputs }
        for r in 0..<ops.count {
            let dr = g + r * k
            let on = k > 0 && active[r]
            switch ops[r] {
            case .constant(let c):
                v[r] = c
            case .input(let i):
                v[r] = i == 0 ? x : x2
                if on, case .inputs(let s0, let s1) = seeds { dr[0] = i == 0 ? s0 : s1 }
            case .parameter(let j):
                v[r] = p[j]
                if on { for m in 0..<k { dr[m] = m == j ? 1 : 0 } }
            case .negate(let a):
                v[r] = -v[a]
                if on { let da = g + a * k; for m in 0..<k { dr[m] = -da[m] } }
            case .add(let a, let b):
                v[r] = v[a] + v[b]
                if on { combine(dr, 1, a, 1, b, active, g, k) }
            case .subtract(let a, let b):
                v[r] = v[a] - v[b]
                if on { combine(dr, 1, a, -1, b, active, g, k) }
            case .multiply(let a, let b):
                v[r] = v[a] * v[b]
                if on { combine(dr, v[b], a, v[a], b, active, g, k) }
            case .divide(let a, let b):
                let q = v[a] / v[b]
                v[r] = q
                if on { combine(dr, 1 / v[b], a, -q / v[b], b, active, g, k) }
            case .power(let a, let b):
                let base = v[a], exponent = v[b]
                let value = Double.pow(base, exponent)
                v[r] = value
                if on {
                    // d(a^b) = b·a^(b−1)·da + a^b·ln a·db; the ln a term only where b varies.
                    let byBase = active[a] ? (base != 0 ? exponent * value / base : exponent * Double.pow(base, exponent - 1)) : 0
                    let byExponent = active[b] ? value * Double.log(base) : 0
                    combine(dr, byBase, a, byExponent, b, active, g, k)
                }
            case .minimum(let a, let b):
                let first = v[a] <= v[b]
                v[r] = first ? v[a] : v[b]
                if on { combine(dr, first ? 1 : 0, a, first ? 0 : 1, b, active, g, k) }
            case .maximum(let a, let b):
                let first = v[a] >= v[b]
                v[r] = first ? v[a] : v[b]
                if on { combine(dr, first ? 1 : 0, a, first ? 0 : 1, b, active, g, k) }
            case .function(let f, let a):
                let u = v[a]
                let value: Double, slope: Double
                switch f {
                case .exp: value = Double.exp(u); slope = value
                case .log: value = Double.log(u); slope = 1 / u
                case .log10: value = Double.log10(u); slope = 1 / (u * Double.log(10))
                case .log2: value = Double.log2(u); slope = 1 / (u * Double.log(2))
                case .log1p: value = Double.log(onePlus: u); slope = 1 / (1 + u)
                case .expm1: value = Double.expMinusOne(u); slope = value + 1
                case .sqrt: value = u.squareRoot(); slope = 0.5 / value
                case .abs: value = Swift.abs(u); slope = u < 0 ? -1 : 1
                case .sigmoid:
                    value = u >= 0 ? 1 / (1 + Double.exp(-u)) : Double.exp(u) / (1 + Double.exp(u))
                    slope = value * (1 - value)
                case .tanh: value = Double.tanh(u); slope = 1 - value * value
                case .pow, .min, .max: value = .nan; slope = .nan  // compiled as their own ops
                }
                v[r] = value
                if on { let da = g + a * k; for m in 0..<k { dr[m] = slope * da[m] } }
            }
        }
        let last = ops.count - 1
        if let gradient, k > 0 {
            if active[last] {
                for m in 0..<k { gradient[m] = g[last * k + m] }
            } else {
                for m in 0..<k { gradient[m] = 0 }
            }
        }
        return v[last]
    }

    /// dr = ca·da + cb·db, reading only the operands that carry derivatives.
    @inline(__always)
    private func combine(
        _ dr: UnsafeMutablePointer<Double>, _ ca: Double, _ a: Int, _ cb: Double, _ b: Int, _ active: [Bool],
        _ g: UnsafeMutablePointer<Double>, _ k: Int
    ) {
        let da = g + a * k, db = g + b * k
        switch (active[a], active[b]) {
        case (true, true): for m in 0..<k { dr[m] = ca * da[m] + cb * db[m] }
        case (true, false): for m in 0..<k { dr[m] = ca * da[m] }
        case (false, true): for m in 0..<k { dr[m] = cb * db[m] }
        case (false, false): for m in 0..<k { dr[m] = 0 }
        }
    }
}
