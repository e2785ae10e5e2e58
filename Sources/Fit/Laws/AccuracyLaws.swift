import RealModule

/// From loss to a downstream metric: the maps that over-training and observational-scaling
/// studies fit to predict a benchmark's error or accuracy from the model's loss. Here x is
/// the loss (not a size), and the value is the downstream metric.
///
/// - `accuracy-exp` (Gadre et al. 2024, "Language models scale reliably with over-training
///   and on downstream tasks"): top-1 error Err(L) = ε − k·e^(−γ·L). As the loss grows the
///   error rises to ε (chance level); each unit of loss less takes a factor e^(−γ) off the
///   gap to ε.
/// - `accuracy-sigmoid` (the emergence-style map of observational scaling studies):
///   Acc(L) = floor + (ceiling − floor)·σ(s·(L₀ − L)), σ the logistic function: the accuracy
///   climbs from `floor` to `ceiling` as the loss falls through L₀, steepest there, with
///   slope s per unit of loss.
///
/// Neither is in `auto` (their x is a loss, not a size); fit them with `--model`.
public struct AccuracyLaw: ScalingLaw {
    public enum Form: String, Sendable, CaseIterable { case exponential = "accuracy-exp", sigmoid = "accuracy-sigmoid" }
    public let form: Form
    public init(_ form: Form) { self.form = form }

    public var name: String { form.rawValue }
    public var formula: String {
        switch form {
        case .exponential: "Err = epsilon - k·exp(-gamma·L)"
        case .sigmoid: "Acc = floor + (ceiling - floor)·sigmoid(s·(L0 - L))"
        }
    }
    public var parameters: [LawParameter] {
        switch form {
        case .exponential:
            [.init("epsilon", .positive, "error as the loss grows (chance level)"),
             .init("k", .positive, "size of the gap below epsilon at loss 0", role: .scale),
             .init("gamma", .positive, "rate at which the gap closes per unit of loss", role: .exponent)]
        case .sigmoid:
            [.init("floor", .nonNegative, "accuracy at high loss (chance level)", role: .floor),
             .init("ceiling", .positive, "accuracy at low loss"),
             .init("s", .positive, "steepness per unit of loss"),
             .init("L0", .real, "loss at the steepest point (the midpoint)")]
        }
    }

    public func value(_ x: Double, _ x2: Double, parameters p: [Double]) -> Double {
        switch form {
        case .exponential: return p[0] - p[1] * Double.exp(-p[2] * x)
        case .sigmoid: return p[0] + (p[1] - p[0]) * logistic(p[2] * (p[3] - x))
        }
    }

    public func gradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) {
        _ = valueAndGradient(x, x2, parameters: p, into: &g)
    }

    public func valueAndGradient(_ x: Double, _ x2: Double, parameters p: [Double], into g: inout [Double]) -> Double {
        switch form {
        case .exponential:
            let e = Double.exp(-p[2] * x)
            g[0] = 1
            g[1] = -e
            g[2] = p[1] * x * e
            return p[0] - p[1] * e
        case .sigmoid:
            let sigma = logistic(p[2] * (p[3] - x)), slope = (p[1] - p[0]) * sigma * (1 - sigma)
            g[0] = 1 - sigma
            g[1] = sigma
            g[2] = slope * (p[3] - x)
            g[3] = slope * p[2]
            return p[0] + (p[1] - p[0]) * sigma
        }
    }

    public func initialGuesses(x: [Double], x2: [Double]?, y: [Double]) -> [[Double]] {
        guard let low = y.min(), let high = y.max(), let xMin = x.min(), let xMax = x.max(), high > 0 else { return [] }
        var starts: [[Double]] = []
        switch form {
        case .exponential:
            // ε above every error; k from the lowest-loss point: y₀ = ε − k·e^(−γ·x₀).
            guard let i0 = x.indices.min(by: { x[$0] < x[$1] }) else { return [] }
            for epsilon in [1.05 * high, 1.3 * high] {
                for gamma in [0.3, 1, 3] {
                    let k = (epsilon - y[i0]) * Double.exp(gamma * x[i0])
                    if k.isFinite && k > 0 { starts.append([epsilon, k, gamma]) }
                }
            }
        case .sigmoid:
            let span = max(xMax - xMin, 1e-12), middle = x.sorted()[x.count / 2]
            for (floor, ceiling) in [(0.9 * low, 1.1 * high), (0.5 * low, min(1, 1.5 * high))] {
                for steepness in [2.0, 6.0, 20.0] {
                    starts.append([max(floor, 0), max(ceiling, 1e-12), steepness / span, middle])
                }
            }
        }
        return starts
    }
}
