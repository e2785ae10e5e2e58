import Foundation

extension ScalingLaw {
    /// Adds a delta-method 95% interval to each derived quantity: the gradient g of the
    /// quantity by central differences in every parameter (relative step 1e-6), the
    /// variance gᵀΣg from the parameters' covariance Σ, and value ± t·se. For a positive
    /// quantity the same is done for its logarithm and transformed back, so that the
    /// interval respects the quantity's sign (a plateau, an onset).
    func addDeltaIntervals(to estimates: inout [DerivedEstimate], at p: [Double], covariance: [[Double]], t: Double) {
        let quantities = derived
        guard t.isFinite, covariance.count == p.count else { return }
        for (d, quantity) in quantities.enumerated() where d < estimates.count {
            guard let value = estimates[d].value, value.isFinite else { continue }
            let logScale = value > 0
            func f(_ q: [Double]) -> Double? {
                guard let v = quantity.value(q), v.isFinite else { return nil }
                return logScale ? (v > 0 ? Foundation.log(v) : nil) : v
            }
            var gradient = [Double](repeating: 0, count: p.count)
            var usable = true
            for j in p.indices where covariance[j][j] > 0 {
                let h = 1e-6 * max(abs(p[j]), 1e-8)
                var up = p, down = p
                up[j] += h
                down[j] -= h
                guard let a = f(up), let b = f(down) else { usable = false; break }
                gradient[j] = (a - b) / (2 * h)
            }
            guard usable else { continue }
            var variance = 0.0
            for a in p.indices { for b in p.indices { variance += gradient[a] * covariance[a][b] * gradient[b] } }
            guard variance.isFinite, variance >= 0, let centre = f(p) else { continue }
            let half = t * variance.squareRoot()
            estimates[d].ci95 = logScale
                ? (Foundation.exp(centre - half), Foundation.exp(centre + half))
                : (centre - half, centre + half)
        }
    }
}
