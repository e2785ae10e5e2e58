/// Words for a plot's axes and title, from what the data called its columns.
public enum PlotLabels {
    /// The x axis name of `column` (nil: the normal form's `x`), with its unit where the
    /// name implies one: `N` → `N (parameters)`, `D` → `D (tokens)`, `C` → `C (FLOPs)`.
    public static func inputAxis(column: String?) -> String {
        guard let column, !column.isEmpty else { return "x" }
        switch column {
        case "N", "n_params", "params", "parameters": return "\(column) (parameters)"
        case "D", "tokens_seen": return "\(column) (tokens)"
        case "C", "flops", "FLOPs", "compute": return "\(column) (FLOPs)"
        case "step", "_step", "global_step", "trainer/global_step", "train/global_step", "iter", "iteration":
            return "\(column) (optimizer steps)"
        default: return column
        }
    }

    /// The y axis name: the metric when every series measures the same one, the metrics
    /// joined when there are a few, and a pointer to the panel titles beyond.
    public static func valueAxis(metrics: [String]) -> String {
        var distinct: [String] = []
        for m in metrics where !m.isEmpty && !distinct.contains(m) { distinct.append(m) }
        switch distinct.count {
        case 0: return "value"
        case 1...3: return distinct.joined(separator: ", ")
        default: return "value (the metric is named over each panel)"
        }
    }

    /// ` — saturating` when every fit used one law; ` — best law per series` when they
    /// differ (each panel names its own); nothing without fits.
    public static func lawSuffix(_ models: [String]) -> String {
        let distinct = Set(models)
        if distinct.count == 1 { return " — \(models[0])" }
        return distinct.isEmpty ? "" : " — best law per series"
    }
}
