import ScalefitCore

// The optimiser's free, unconstrained θ against the law's parameters p: fixed values,
// ties, and each free parameter's domain transform (ParameterDomain).

/// Maps the optimiser's free, unconstrained vector θ to a law's full parameter vector p:
/// fixed parameters hold their value, tied ones copy their source, free ones go through
/// their domain's transform.
struct ParameterMap: Sendable {
    enum Slot: Sendable { case free(Int), fixed(Double), tied(Int) }
    let slots: [Slot]
    /// For each free parameter, the index of its law parameter and its domain.
    let freeIndices: [Int]
    let domains: [ParameterDomain]

    init(law: any ScalingLaw, fixed: [String: Double], tied: [String: String]) throws {
        if fixed.isEmpty && tied.isEmpty {
            // Every parameter free (the common case): no names to look up.
            let parameters = law.parameters
            slots = parameters.indices.map { .free($0) }
            freeIndices = Array(parameters.indices)
            domains = parameters.map(\.domain)
            return
        }
        let names = law.parameterNames
        for name in fixed.keys where !names.contains(name) {
            throw FitError("\(law.name) has no parameter \"\(name)\" (it has \(names.joined(separator: ", ")))")
        }
        for (target, source) in tied {
            guard names.contains(target), names.contains(source) else {
                throw FitError("cannot tie \(target)=\(source): \(law.name) has parameters \(names.joined(separator: ", "))")
            }
            if tied[source] != nil || fixed[target] != nil {
                throw FitError("cannot tie \(target)=\(source): the source must be free and the target not fixed")
            }
        }
        var slots: [Slot] = []
        var free: [Int] = []
        for (j, parameter) in law.parameters.enumerated() {
            if let value = fixed[parameter.name] {
                slots.append(.fixed(value))
            } else if tied[parameter.name] == nil {
                slots.append(.free(free.count))
                free.append(j)
            } else {
                slots.append(.fixed(.nan))  // resolved below
            }
        }
        for (j, parameter) in law.parameters.enumerated() {
            if let source = tied[parameter.name], let s = names.firstIndex(of: source) {
                slots[j] = .tied(s)
            }
        }
        self.slots = slots
        self.freeIndices = free
        self.domains = free.map { law.parameters[$0].domain }
    }

    var freeCount: Int { freeIndices.count }

    /// p from θ, written into `p`.
    @inline(__always)
    func natural(_ theta: ParameterView, into p: inout [Double]) {
        for j in 0..<slots.count {
            switch slots[j] {
            case .free(let k): p[j] = domains[k].natural(theta[k])
            case .fixed(let v): p[j] = v
            case .tied: break
            }
        }
        for j in 0..<slots.count {
            if case .tied(let s) = slots[j] { p[j] = p[s] }
        }
    }

    func natural(_ theta: [Double]) -> [Double] {
        var p = [Double](repeating: 0, count: slots.count)
        theta.withUnsafeBufferPointer { buffer in
            natural(ParameterView(array: buffer), into: &p)
        }
        return p
    }

    /// θ from a full p (fixed and tied entries ignored).
    func unconstrained(_ p: [Double]) -> [Double] {
        freeIndices.enumerated().map { k, j in domains[k].unconstrained(p[j]) }
    }

    /// dL/dθ_k from dL/dp_j: sums the law gradient over the parameters each free one feeds.
    @inline(__always)
    func chain(_ gradient: [Double], theta: ParameterView, into out: inout [Double]) {
        for k in 0..<out.count { out[k] = 0 }
        for j in 0..<slots.count {
            switch slots[j] {
            case .free(let k): out[k] += gradient[j]
            case .tied(let s): if case .free(let k) = slots[s] { out[k] += gradient[j] }
            case .fixed: break
            }
        }
        for k in 0..<out.count { out[k] *= domains[k].derivative(theta[k]) }
    }
}

extension ParameterView {
    /// A view of a Swift array (for evaluating the map outside GSL callbacks).
    init(array: UnsafeBufferPointer<Double>) {
        self.init(base: array.baseAddress ?? UnsafePointer(bitPattern: 8)!, stride: 1, count: array.count)
    }
}
