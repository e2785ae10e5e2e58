import Fit
import Foundation
import ScalefitCore

/// A Jupyter notebook (nbformat 4.5) that carries the data and scalefit's fit, re-fits the
/// same law in the same residual space with scipy, re-plots it with matplotlib, and ends
/// with a cell that asserts the re-fit agrees with scalefit's parameters within 1e-3
/// relative.
///
/// The re-fit uses the reparametrisation scalefit uses (log for positive parameters, logit
/// for bounded ones), scipy's `least_squares` (`trf`; `loss="huber"` with `f_scale = δ` is
/// exactly scalefit's summed Huber loss), and starts 5% away from scalefit's estimate: the
/// check is that an independent optimiser lands on the same minimum.
///
/// ```swift
/// let text = Notebook.render(title: "analysis", entries: [(series, fit)], inputs: inputs, toolVersion: "0.1.0")
/// // {"cells": [...], "metadata": {...}, "nbformat": 4, "nbformat_minor": 5}
/// ```
public enum Notebook {
    /// One fitted series to carry into the notebook.
    public struct Entry: Sendable {
        public var series: Series
        public var fit: FitResult
        public init(series: Series, fit: FitResult) {
            self.series = series
            self.fit = fit
        }
    }

    /// The laws the notebook can re-fit (every single-input law of the zoo, plus chinchilla).
    public static func supports(_ model: String) -> Bool {
        pythonLaw(model) != nil
    }

    /// The notebook's JSON text.
    ///
    /// - Parameters:
    ///   - introduction: markdown placed after the title (e.g. the paper a figure reproduces).
    ///   - figure: optional extra code cell (matplotlib) drawn after the re-fit plot.
    public static func render(
        title: String, entries: [Entry], inputs: [InputRecord], toolVersion: String, introduction: String = "",
        figure: String? = nil
    ) -> String {
        var cells: [JSONNode] = []
        var counter = 0
        func markdown(_ text: String) {
            counter += 1
            cells.append(.object([
                ("cell_type", .string("markdown")), ("id", .string("cell-\(counter)")), ("metadata", .object([])),
                ("source", sourceLines(text)),
            ]))
        }
        func code(_ text: String) {
            counter += 1
            cells.append(.object([
                ("cell_type", .string("code")), ("execution_count", .null), ("id", .string("cell-\(counter)")),
                ("metadata", .object([])), ("outputs", .array([])), ("source", sourceLines(text)),
            ]))
        }

        var intro = "# \(title)\n\nMade by scalefit \(toolVersion). "
        intro += "The data and scalefit's fit are embedded below; the notebook re-fits the same law in the same residual space with scipy, re-plots it, and checks that both agree.\n"
        if !inputs.isEmpty {
            intro += "\n| input | SHA-256 |\n|---|---|\n"
            for input in inputs {
                intro += "| `\(URL(fileURLWithPath: input.path).lastPathComponent)` | `\(input.sha256)` |\n"
            }
        }
        if !introduction.isEmpty { intro += "\n" + introduction + "\n" }
        markdown(intro)

        var fitText = "## The fit\n\n"
        for entry in entries {
            let fit = entry.fit
            fitText += "**\(fit.series)** (\(fit.pointCount) points): `\(fit.model)`, \(fit.formula), residuals in \(fit.space.rawValue) space"
            fitText += fit.space == .log ? " (r = ln L(x) − ln y: every decade counts the same)" : " (r = L(x) − y)"
            fitText += ", loss \(fit.loss == .leastSquares ? "least squares (Σ r²)" : "\(fit.loss) (Huber, summed)"). "
            fitText += "AICc \(FitReport.number(fit.aicc)), status \(fit.status.code).\n\n"
            fitText += "| parameter | value | std. error | 95% CI | CI method |\n|---|---|---|---|---|\n"
            for p in fit.parameters {
                fitText += "| \(p.name) | \(FitReport.number(p.value)) | \(FitReport.number(p.standardError)) | \(FitReport.interval(p.ci95))\(p.note.map { " (\($0))" } ?? "") | \(p.ci95 == nil ? "" : p.ci95Method?.rawValue ?? "") |\n"
            }
            fitText += "\n"
        }
        markdown(fitText)

        code(setupCode(entries: entries))
        markdown("""
            ## Re-fit with scipy

            The law below is written out in numpy. Parameters are optimised on the same scale as \
            scalefit does it (log for positive ones, logit for bounded ones, so no bound is ever \
            clipped), with `scipy.optimize.least_squares` from a start 5% away from scalefit's \
            estimate, in the same residual space and with the same loss.
            """)
        let laws = Set(entries.map(\.fit.model)).sorted()
        code(laws.compactMap { $0 == "custom" ? pythonCustomLaw(entries.first { $0.fit.model == "custom" }!.fit.formula) : pythonLaw($0) }.joined(separator: "\n\n") + "\n\nLAWS = {" + laws.map { "\"\($0)\": \(functionName($0))" }.joined(separator: ", ") + "}")
        code(refitCode)
        markdown("## Plot\n\nData, scalefit's curve and the scipy re-fit (dashed) on log–log axes, with the residuals below.")
        code(plotCode)
        if let figure {
            markdown("## The paper's figure")
            code(figure)
        }
        markdown("## Check\n\nEvery free parameter of the scipy re-fit must agree with scalefit's within 1e-3 relative (a parameter that sits at a bound of its domain, such as a floor of 0, must sit at that bound in both), and the objectives must agree.")
        code(checkCode)

        let document: JSONNode = .object([
            ("cells", .array(cells)),
            ("metadata", .object([
                ("kernelspec", .object([("display_name", .string("Python 3")), ("language", .string("python")), ("name", .string("python3"))])),
                ("language_info", .object([("name", .string("python"))])),
                ("scalefit", .object([("version", .string(toolVersion))])),
            ])),
            ("nbformat", .integer(4)),
            ("nbformat_minor", .integer(5)),
        ])
        return document.rendered() + "\n"
    }

    /// Jupyter's list-of-lines form of a cell's source.
    static func sourceLines(_ text: String) -> JSONNode {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var trimmed = lines
        while trimmed.last == "" { trimmed.removeLast() }
        return .array(trimmed.enumerated().map { i, line in .string(i + 1 < trimmed.count ? line + "\n" : line) })
    }

    /// The data and scalefit's results, as JSON parsed in the notebook.
    static func setupCode(entries: [Entry]) -> String {
        let series: [JSONNode] = entries.map { entry in
            let s = entry.series, fit = entry.fit
            let law = LawCatalog.law(for: fit)
            let domains: [JSONNode] = law?.parameters.map { p in
                switch p.domain {
                case .real: .array([.string("real")])
                case .positive, .nonNegative: .array([.string("positive")])
                case .interval(let lo, let hi): .array([.string("interval"), .number(lo), .number(hi)])
                }
            } ?? []
            let heldX = Set(fit.holdout?.points.map(\.x) ?? [])
            return .object([
                ("name", .string(fit.series)), ("model", .string(fit.model)), ("space", .string(fit.space.rawValue)),
                ("loss", .string(fit.loss.description)),
                ("x", .array(s.x.map { .number($0) })), ("x2", s.x2.map { .array($0.map { .number($0) }) } ?? .null),
                ("y", .array(s.values.map { .number($0) })),
                ("weights", s.weights.map { .array($0.map { .number($0) }) } ?? .null),
                ("held_out", .array(s.x.map { .bool(heldX.contains($0)) })),
                ("names", .array(fit.parameters.map { .string($0.name) })),
                ("values", .array(fit.parameters.map { .number($0.value) })),
                ("ci95", .array(fit.parameters.map { p in p.ci95.map { .array([.number($0.lower), .number($0.upper)]) } ?? .null })),
                ("notes", .array(fit.parameters.map { $0.note.map { .string($0) } ?? .null })),
                ("domains", .array(domains)),
                ("objective", .number(fit.objective)),
            ])
        }
        var json = JSONNode.array(series).rendered()
        // Keep the raw string safe whatever the names hold.
        json = json.replacingOccurrences(of: "'", with: "\\u0027")
        return """
            import json
            import numpy as np
            from scipy.optimize import least_squares, brentq
            import matplotlib
            import matplotlib.pyplot as plt
            %config InlineBackend.figure_formats = ['svg']
            %config InlineBackend.print_figure_kwargs = {"bbox_inches": "tight", "metadata": {"Date": None}}
            plt.rcParams["svg.fonttype"] = "none"  # text stays text: small SVG outputs
            plt.rcParams["svg.hashsalt"] = "scalefit"  # fixed element ids: the same figure, the same bytes

            # Every series: data, the held-out points, and scalefit's estimates (in law order).
            SERIES = json.loads(r'''
            \(json)
            ''')
            for s in SERIES:
                for key in ("x", "y", "x2", "weights"):
                    if s[key] is not None:
                        s[key] = np.asarray(s[key], dtype=float)
                s["held_out"] = np.asarray(s["held_out"], dtype=bool)
            print(f"{len(SERIES)} series, {sum(len(s['x']) for s in SERIES)} points")
            """
    }

    static func functionName(_ model: String) -> String {
        "law_" + model.replacingOccurrences(of: "-", with: "_")
    }

    /// The law in numpy, or nil when the notebook cannot re-fit it.
    static func pythonLaw(_ model: String) -> String? {
        let name = functionName(model)
        switch model {
        case "power":
            return "def \(name)(x, x2, p):\n    A, alpha = p\n    return A * x ** (-alpha)"
        case "saturating":
            return "def \(name)(x, x2, p):\n    E, A, alpha = p\n    return E + A * x ** (-alpha)"
        case "broken1", "broken2", "broken3":
            return """
                def \(name)(x, x2, p):
                    # Smoothly broken power law (Caballero et al. 2022), written in logs for stability.
                    E, A, c0 = p[0], p[1], p[2]
                    lx = np.log(x)
                    log_part = np.log(A) - c0 * lx
                    for i in range((len(p) - 3) // 3):
                        c, d, f = p[3 + 3 * i], p[4 + 3 * i], p[5 + 3 * i]
                        log_part = log_part - c * f * np.logaddexp(0.0, (lx - np.log(d)) / f)
                    return E + np.exp(log_part)
                """
        case "m3":
            return "def \(name)(x, x2, p):\n    beta, gamma, c = p\n    return beta * (1.0 / x + gamma) ** c"
        case "m4":
            return """
                def \(name)(x, x2, p):
                    # Implicit: (L - E_inf) / (E0 - L)^a = beta * x^(-c), solved for L in (E_inf, E0).
                    e_inf, e0, a, beta, c = p
                    out = []
                    for xi in np.atleast_1d(x):
                        g = lambda L: np.log(L - e_inf) - a * np.log(e0 - L) - np.log(beta) + c * np.log(xi)
                        span = e0 - e_inf
                        out.append(brentq(g, e_inf + 1e-15 * span, e0 - 1e-15 * span, xtol=1e-15 * span, rtol=1e-15))
                    return np.asarray(out)
                """
        case "tailcut":
            return memoriserCode + "\n\ndef \(name)(x, x2, p):\n    beta, k = p\n    return memoriser_cut(x, beta, k, 0.0)"
        case "mixing":
            return memoriserCode + "\n\ndef \(name)(x, x2, p):\n    beta, k, pi = p\n    return memoriser_cut(x, beta, k, pi)"
        case "narrowing":
            return memoriserCode + "\n\ndef \(name)(x, x2, p):\n    beta, beta_prime = p\n    return memoriser_narrowed(x, beta, beta_prime)"
        case "tailcut-asymptotic":
            return "def \(name)(x, x2, p):\n    a, beta, floor = p\n    return a * x ** (-(1.0 - 1.0 / beta)) + floor"
        case "narrowing-asymptotic":
            return "def \(name)(x, x2, p):\n    a, beta, beta_prime = p\n    return a * x ** (-(beta - 1.0) / beta_prime)"
        case "mixing-asymptotic":
            return """
                def \(name)(x, x2, p):
                    # Clean descent plus a soft minimum (sharpness 4) of the plateau and the late descent at pi*x.
                    a, beta, floor, pi = p
                    c, s = 1.0 - 1.0 / beta, 4.0
                    clean = a * x ** (-c)
                    late = a * (pi * x) ** (-c)
                    return clean + (floor ** (-s) + late ** (-s)) ** (-1.0 / s)
                """
        case "generations-linear":
            return "def \(name)(x, x2, p):\n    F0, b = p\n    return F0 + b * x"
        case "generations-power":
            return "def \(name)(x, x2, p):\n    F0, b, c = p\n    return F0 + b * x ** c"
        case "generations-log":
            return "def \(name)(x, x2, p):\n    F0, b = p\n    return F0 + b * np.log(x)"
        case "chinchilla":
            return "def \(name)(x, x2, p):\n    E, A, B, alpha, beta = p\n    return E + A * x ** (-alpha) + B * x2 ** (-beta)"
        case "data-constrained":
            return """
                def \(name)(x, x2, p):
                    # Muennighoff et al. 2023: repeated tokens and excess parameters discounted.
                    E, A, B, alpha, beta, rd, rn, ud = p
                    g = (alpha * A / (beta * B)) ** (1.0 / (alpha + beta))
                    n_opt = g * (g * ud) ** (beta / alpha)
                    u, un = np.minimum(x2, ud), np.minimum(x, n_opt)
                    d_eff = u + u * rd * (1.0 - np.exp(-(x2 / u - 1.0) / rd))
                    n_eff = un + un * rn * (1.0 - np.exp(-(x / un - 1.0) / rn))
                    return E + A * n_eff ** (-alpha) + B * d_eff ** (-beta)
                """
        case "kaplan":
            return "def \(name)(x, x2, p):\n    N_c, D_c, alpha_N, alpha_D = p\n    return ((N_c / x) ** (alpha_N / alpha_D) + D_c / x2) ** alpha_D"
        case "accuracy-exp":
            return "def \(name)(x, x2, p):\n    epsilon, k, gamma = p\n    return epsilon - k * np.exp(-gamma * x)"
        case "accuracy-sigmoid":
            return "def \(name)(x, x2, p):\n    floor, ceiling, s, L0 = p\n    return floor + (ceiling - floor) / (1.0 + np.exp(-s * (L0 - x)))"
        default:
            return nil
        }
    }

    /// The memoriser's expected error in numpy/scipy, written independently of the Swift code
    /// from the same formulas (docs/collapse-theory.md): ranks 1…1000 summed exactly, the rest
    /// of each block as a difference of lower incomplete gamma functions, the unseen tail as
    /// ζ(β, k + 1)/ζ(β); cuts below 1000 interpolate linearly between integer cuts.
    static let memoriserCode = """
        from scipy.special import gammainc, gammaincc, gamma as gamma_fn, zeta

        M_EXACT = 1000
        RANKS = np.arange(1, M_EXACT + 1, dtype=float)

        def block_integral(a, b, g, lam, lo, hi):
            # integral from lo to hi of a x^-b exp(-lam x^-g) dx (u = lam x^-g)
            e = (b - 1.0) / g
            u_lo = lam * lo ** (-g)
            u_hi = 0.0 if np.isinf(hi) else lam * hi ** (-g)
            if u_lo < 1e-10:
                pw = lambda x, r: 0.0 if np.isinf(x) else x ** (-r)
                return a * (pw(lo, b - 1) - pw(hi, b - 1)) / (b - 1) - lam * a * (pw(lo, b + g - 1) - pw(hi, b + g - 1)) / (b + g - 1)
            if u_hi > 1:
                diff = gammaincc(e, u_hi) - gammaincc(e, u_lo)
            else:
                diff = gammainc(e, u_lo) - (gammainc(e, u_hi) if u_hi > 0 else 0.0)
            return max(a / g * lam ** (-e) * gamma_fn(e) * diff, 0.0)

        def _cut_integer(ts, beta, k, pi, integer_cut):
            A = 1.0 / zeta(beta)
            tail = A * zeta(beta, k + 1.0)
            inside = 1.0 - tail
            s1 = pi + (1.0 - pi) / inside
            p = A * RANKS ** (-beta)
            head_end = min(integer_cut, M_EXACT) if integer_cut is not None else M_EXACT
            q = np.where(np.arange(M_EXACT) < head_end, s1, pi) * p
            exact_end = M_EXACT if pi > 0 else head_end
            logq = np.log1p(-q[:exact_end])
            out = []
            for t in np.atleast_1d(ts):
                e = float(np.sum(p[:exact_end] * np.exp(np.maximum(t * logq, -745.0))))
                if integer_cut is None:
                    e += block_integral(A, beta, beta, t * s1 * A, M_EXACT + 0.5, k + 0.5)
                    e += block_integral(A, beta, beta, t * pi * A, k + 0.5, np.inf) if pi > 0 else tail
                else:
                    e += block_integral(A, beta, beta, t * pi * A, M_EXACT + 0.5, np.inf) if pi > 0 else tail
                out.append(e)
            return np.asarray(out)

        def memoriser_cut(ts, beta, k, pi):
            if k >= M_EXACT:
                return _cut_integer(ts, beta, k, pi, None)
            lower = np.floor(k)
            w = k - lower
            low = _cut_integer(ts, beta, lower, pi, int(lower))
            return low if w == 0 else (1 - w) * low + w * _cut_integer(ts, beta, lower + 1, pi, int(lower) + 1)

        def memoriser_narrowed(ts, beta, beta_prime):
            A, A2 = 1.0 / zeta(beta), 1.0 / zeta(beta_prime)
            p = A * RANKS ** (-beta)
            logq = np.log1p(-A2 * RANKS ** (-beta_prime))
            return np.asarray([float(np.sum(p * np.exp(np.maximum(t * logq, -745.0))))
                               + block_integral(A, beta, beta_prime, t * A2, M_EXACT + 0.5, np.inf)
                               for t in np.atleast_1d(ts)])
        """

    static let refitCode = """
        def to_theta(value, domain):
            if domain[0] == "positive":
                return np.log(max(value, 1e-300))
            if domain[0] == "interval":
                lo, hi = domain[1], domain[2]
                s = min(max((value - lo) / (hi - lo), 1e-12), 1 - 1e-12)
                return np.log(s / (1 - s))
            return value

        def to_value(theta, domain):
            if domain[0] == "positive":
                return np.exp(theta)
            if domain[0] == "interval":
                lo, hi = domain[1], domain[2]
                return lo + (hi - lo) / (1 + np.exp(-theta))
            return theta

        def refit(s):
            law = LAWS[s["model"]]
            names, notes, domains = s["names"], s["notes"], s["domains"]
            free = [i for i, note in enumerate(notes) if note is None or note.startswith("at bound")]
            train = ~s["held_out"]
            x, y = s["x"][train], s["y"][train]
            x2 = s["x2"][train] if s["x2"] is not None else None
            w = np.sqrt(s["weights"][train]) if s["weights"] is not None else 1.0

            def parameters(theta):
                p = list(s["values"])
                for k, i in enumerate(free):
                    p[i] = to_value(theta[k], domains[i])
                for i, note in enumerate(notes):  # tied parameters follow their source
                    if note is not None and note.startswith("tied to "):
                        p[i] = p[names.index(note[len("tied to "):])]
                return p

            def residuals(theta):
                fitted = law(x, x2, parameters(theta))
                r = np.log(fitted) - np.log(y) if s["space"] == "log" else fitted - y
                return w * r

            # Start 5% away from scalefit's estimate (on the natural scale).
            start = np.array([to_theta(s["values"][i] * 1.05, domains[i]) for i in free])
            loss = s["loss"]
            kwargs = dict(loss="huber", f_scale=float(loss.split(":")[1])) if loss.startswith("huber") else {}
            result = least_squares(residuals, start, method="trf", xtol=1e-15, ftol=1e-15, gtol=1e-15,
                                    max_nfev=20000, **kwargs)
            r = residuals(result.x)
            if loss.startswith("huber"):
                delta = kwargs["f_scale"]
                a = np.abs(r)
                objective = float(np.sum(np.where(a <= delta, 0.5 * r * r, delta * (a - 0.5 * delta))))
            else:
                objective = float(np.sum(r * r))
            return np.asarray(parameters(result.x)), objective, result

        REFITS = []
        for s in SERIES:
            p, objective, result = refit(s)
            REFITS.append((p, objective))
            print(s["name"], s["model"], result.status, result.message)
            for name, ours, theirs in zip(s["names"], s["values"], p):
                print(f"  {name:>10}  scalefit {ours: .9g}   scipy {theirs: .9g}")
            print(f"  objective  scalefit {s['objective']:.9g}   scipy {objective:.9g}")
        """

    static let plotCode = """
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 6), sharex=True,
                                          gridspec_kw=dict(height_ratios=[3, 1]))
        colours = plt.cm.viridis(np.linspace(0, 0.9, max(len(SERIES), 1)))
        for k, (s, (p, _), colour) in enumerate(zip(SERIES, REFITS, colours)):
            if len(SERIES) == 1:
                colour = "#1f4e79"
            law = LAWS[s["model"]]
            x, y, held = s["x"], s["y"], s["held_out"]
            if s["x2"] is None:
                grid = np.geomspace(x.min(), x.max() * 2, 200) if (x > 0).all() else np.linspace(x.min(), x.max(), 200)
                top.plot(grid, law(grid, None, s["values"]), color=colour, lw=2, label=f"{s['name']}: scalefit")
                top.plot(grid, law(grid, None, p), color="#d95f02", lw=1.2, ls="--", label="scipy re-fit" if k == 0 else None)
            top.scatter(x[~held], y[~held], s=14, color=colour, zorder=3)
            if held.any():
                top.scatter(x[held], y[held], s=30, facecolors="white", edgecolors=colour, zorder=3, label="held out" if k == 0 else None)
            fitted = law(x, s["x2"], s["values"])
            r = np.log(y / fitted) if s["space"] == "log" else y - fitted
            bottom.scatter(x, r, s=10, color=colour)
        if all((s["x"] > 0).all() for s in SERIES):
            top.set_xscale("log")
        if all((s["y"] > 0).all() for s in SERIES):
            top.set_yscale("log")
        top.set_ylabel("value")
        top.legend(fontsize=8)
        bottom.axhline(0, color="#999999", ls=":")
        bottom.set_ylabel("ln(data / fit)" if SERIES[0]["space"] == "log" else "data − fit")
        bottom.set_xlabel("x")
        fig.tight_layout()
        plt.show()
        """

    static let checkCode = """
        for s, (p, objective) in zip(SERIES, REFITS):
            scale = float(np.max(np.abs(s["y"])))
            for name, note, ours, theirs in zip(s["names"], s["notes"], s["values"], p):
                if note is not None and note.startswith("at bound"):
                    assert abs(ours - theirs) <= 1e-6 * scale, (s["name"], name, ours, theirs)
                elif note is None:
                    assert abs(ours - theirs) <= 1e-3 * abs(ours), (s["name"], name, ours, theirs)
            assert abs(objective - s["objective"]) <= 1e-3 * abs(s["objective"]) + 1e-12, (s["name"], objective, s["objective"])
        print("scipy re-fit agrees with scalefit within 1e-3 relative for", len(SERIES), "series")
        """
}
