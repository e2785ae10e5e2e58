/// One measured curve: loss (or any metric) against one input, or two for laws such as
/// Chinchilla's L(N, D).
///
/// This is the normal form every reader produces and every stage consumes; its CSV form
/// has the columns `run,metric,x,value`, then optional `x2`, `wall_time` and one column
/// per extra label (see docs/design.md, "Output contract").
public struct Series: Sendable, Hashable, Codable {
    /// The run (or setting) this curve belongs to, e.g. `"pythia-160m"` or `"cut-k1000"`.
    public var run: String
    /// The measured quantity, e.g. `"eval/loss"` or `"test_error"`.
    public var metric: String
    /// The first input: model size, tokens, steps, samples, generation…
    public var x: [Double]
    /// The second input of a two-input law (D in L(N, D)), or `nil`.
    public var x2: [Double]?
    /// The measured values, one per x.
    public var values: [Double]
    /// Optional weights, one per point (1/σ² in GSL's convention).
    public var weights: [Double]?
    /// Wall-clock times (seconds), when the log had them.
    public var wallTimes: [Double]?
    /// Extra labels that hold for the whole curve (e.g. `generation = 3`).
    public var labels: [String: String]

    public init(
        run: String, metric: String, x: [Double], x2: [Double]? = nil, values: [Double],
        weights: [Double]? = nil, wallTimes: [Double]? = nil, labels: [String: String] = [:]
    ) {
        precondition(x.count == values.count, "x and values must have the same length")
        precondition(x2 == nil || x2!.count == x.count, "x2 must have the length of x")
        precondition(weights == nil || weights!.count == x.count, "weights must have the length of x")
        self.run = run
        self.metric = metric
        self.x = x
        self.x2 = x2
        self.values = values
        self.weights = weights
        self.wallTimes = wallTimes
        self.labels = labels
    }

    /// The number of points.
    public var count: Int { x.count }

    /// A name for tables and JSON: `run` and, when it says more, `metric`.
    public var name: String { metric.isEmpty ? run : "\(run)/\(metric)" }

    /// The series restricted to the points at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Series {
        Series(
            run: run, metric: metric,
            x: indices.map { x[$0] },
            x2: x2.map { all in indices.map { all[$0] } },
            values: indices.map { values[$0] },
            weights: weights.map { all in indices.map { all[$0] } },
            wallTimes: wallTimes.flatMap { all in all.count == x.count ? indices.map { all[$0] } : nil },
            labels: labels)
    }

    /// The series sorted by x (then x2), so that "the K largest x" is the last K points.
    public func sortedByX() -> Series {
        let order = x.indices.sorted { a, b in
            if x[a] != x[b] { return x[a] < x[b] }
            if let x2 { return x2[a] < x2[b] }
            return a < b
        }
        return subset(order)
    }
}
