import Fit
import Foundation
import ScalefitCore

extension FitPlotting {
    /// What a two-input fit L(N, D) looks like against N: one curve per fixed D of the data
    /// (a grid of model sizes × data sizes), or, when every D differs (an isoFLOP sweep),
    /// one curve per compute budget C = 6·N·D of the data, L(N, C/(6N)), marked at its
    /// lowest point; and the compute-optimal frontier (N_opt(C), L_opt(C)) over the data's
    /// compute range. Profiles need 2 to 12 groups of at least two points (three on a
    /// compute budget); otherwise only the frontier is drawn.
    public static func twoInputCurves(series: Series, law: any ScalingLaw, parameters p: [Double]) -> (profiles: [PlotProfile], frontier: PlotCurve?) {
        guard let d = series.x2, law.inputCount == 2 else { return ([], nil) }
        let n = series.x
        let usable = n.indices.filter { n[$0] > 0 && d[$0] > 0 && n[$0].isFinite && d[$0].isFinite }
        guard let nLow = usable.map({ n[$0] }).min(), let nHigh = usable.map({ n[$0] }).max() else { return ([], nil) }
        let c = ComputeOptimal.flopsPerParameterToken
        func grid(_ lo: Double, _ hi: Double, _ count: Int = 60) -> [Double] {
            let a = Foundation.log(lo), b = Foundation.log(hi)
            return (0..<count).map { Foundation.exp(a + (b - a) * Double($0) / Double(count - 1)) }
        }
        var profiles: [PlotProfile] = []
        let byD = groups(usable, key: { d[$0] }, decades: 0.002)
        if (2...12).contains(byD.count), byD.allSatisfy({ $0.count >= 2 }) {
            for group in byD {
                let fixed = group.map { d[$0] }.reduce(0, +) / Double(group.count)
                let xs = grid(nLow, nHigh)
                let curve = PlotCurve(
                    label: "D = \(PlotAxis.plain(fixed))", x: xs, value: xs.map { law.value($0, fixed, parameters: p) }, fittedUpTo: nHigh)
                profiles.append(PlotProfile(label: curve.label, curve: curve, points: group))
            }
        } else {
            let byC = groups(usable, key: { c * n[$0] * d[$0] }, decades: 0.02)
            if (2...12).contains(byC.count), byC.allSatisfy({ $0.count >= 3 }) {
                for group in byC {
                    let logs = group.map { Foundation.log10(c * n[$0] * d[$0]) }
                    let budget = Foundation.pow(10, logs.reduce(0, +) / Double(logs.count))
                    let ns = group.map { n[$0] }
                    let xs = grid(ns.min()! / 1.5, min(ns.max()! * 1.5, budget / c))
                    let curve = PlotCurve(
                        label: "C = \(PlotAxis.plain(budget))", x: xs, value: xs.map { law.value($0, budget / (c * $0), parameters: p) },
                        fittedUpTo: xs.last ?? nHigh)
                    let optimum = ComputeOptimal.optimum(law, p, compute: budget).map { (x: $0.n, y: $0.loss) }
                    profiles.append(PlotProfile(label: curve.label, curve: curve, points: group, optimum: optimum))
                }
            }
        }
        let budgets = usable.map { c * n[$0] * d[$0] }
        var frontier: PlotCurve?
        if let lo = budgets.min(), let hi = budgets.max(), hi > lo {
            let points = grid(lo, hi, 40).compactMap { ComputeOptimal.optimum(law, p, compute: $0) }
            if points.count >= 2 {
                frontier = PlotCurve(
                    label: "compute-optimal frontier (N_opt, L_opt at each C = 6ND)", x: points.map(\.n), value: points.map(\.loss),
                    fittedUpTo: points.map(\.n).max() ?? nHigh)
            }
        }
        return (profiles, frontier)
    }

    /// `indices` grouped by `key` (positive): sorted by it, a new group wherever two neighbours
    /// differ by more than `decades` in log10.
    static func groups(_ indices: [Int], key: (Int) -> Double, decades: Double) -> [[Int]] {
        let sorted = indices.sorted { key($0) < key($1) }
        var out: [[Int]] = []
        var last = -Double.infinity
        for i in sorted {
            let k = Foundation.log10(key(i))
            if out.isEmpty || k - last > decades { out.append([]) }
            out[out.count - 1].append(i)
            last = k
        }
        return out.map { $0.sorted() }
    }
}
