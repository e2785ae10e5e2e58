/// What a plot shows, as plain values: curves of points, fitted curves with bands, and the
/// verdict markers (breakpoints, plateaus). ``SVGPlot/render(_:)`` turns it into SVG text.
///
/// Nothing here knows where the values came from: the CLI fills it from ingested series and
/// fits, and the Detect stage adds its breakpoints and plateaus as ``PlotMarker``s.
public struct Plot: Sendable {
    /// The heading drawn above the panels.
    public var title: String
    /// Axis names, e.g. `n (samples)` and `test error`.
    public var xLabel: String
    public var yLabel: String
    /// One layer per series; two or more layers are a family drawn on a colour scale.
    public var layers: [PlotLayer]
    /// What the colour scale of a family means (`generation`, `synthetic_fraction`), or nil.
    public var familyLabel: String?
    /// Markers that hold for the whole plot (applied to the main panel).
    public var markers: [PlotMarker]
    /// The space residuals are drawn in: `log` (ln y − ln fit) or `linear` (y − fit).
    public var residualsInLogSpace: Bool
    /// Pixel size of the whole picture.
    public var width: Double
    public var height: Double
    /// Prefix of the SVG element ids (clip paths), unique per plot when several share one
    /// HTML page.
    public var identifier: String = "plot"

    public init(
        title: String, xLabel: String, yLabel: String, layers: [PlotLayer], familyLabel: String? = nil,
        markers: [PlotMarker] = [], residualsInLogSpace: Bool = true, width: Double = 760, height: Double = 560
    ) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.layers = layers
        self.familyLabel = familyLabel
        self.markers = markers
        self.residualsInLogSpace = residualsInLogSpace
        self.width = width
        self.height = height
    }
}

/// One series on a plot: its points, an optional min/max band, an optional fitted curve.
public struct PlotLayer: Sendable {
    public var name: String
    public var x: [Double]
    public var y: [Double]
    /// Per-point lower and upper ends of a min/max band (W&B `__MIN`/`__MAX`); NaN where absent.
    public var bandLower: [Double]?
    public var bandUpper: [Double]?
    /// Indices of points the fit did not see (held out for the extrapolation check).
    public var heldOut: Set<Int>
    /// The fitted curve, or nil when the layer shows data only.
    public var curve: PlotCurve?
    /// The fitted value at each data point (for the residual panel), NaN where undefined.
    public var fitted: [Double]?
    /// This layer's place on the family's colour scale (e.g. its generation), or nil to use
    /// its position in the list.
    public var familyValue: Double?
    /// Markers that belong to this series (drawn in its colour).
    public var markers: [PlotMarker]
    /// Curves of a two-input fit drawn against the first input at fixed values of the other
    /// (L(N) at each D of the data, or along each compute budget of an isoFLOP sweep), each
    /// with the points it runs through.
    public var profiles: [PlotProfile] = []
    /// The compute-optimal frontier of a two-input fit: (N_opt(C), L_opt(C)) over the data's
    /// compute range, or nil.
    public var frontier: PlotCurve?

    public init(
        name: String, x: [Double], y: [Double], bandLower: [Double]? = nil, bandUpper: [Double]? = nil,
        heldOut: Set<Int> = [], curve: PlotCurve? = nil, fitted: [Double]? = nil, familyValue: Double? = nil,
        markers: [PlotMarker] = []
    ) {
        precondition(x.count == y.count, "x and y must have the same length")
        self.name = name
        self.x = x
        self.y = y
        self.bandLower = bandLower
        self.bandUpper = bandUpper
        self.heldOut = heldOut
        self.curve = curve
        self.fitted = fitted
        self.familyValue = familyValue
        self.markers = markers
    }
}

/// A fitted curve sampled on a grid, with its 95% confidence band (the mean curve).
public struct PlotCurve: Sendable {
    /// The legend text, e.g. `saturating fit`.
    public var label: String
    public var x: [Double]
    public var value: [Double]
    /// 95% confidence band of the mean curve, parallel to `x`; nil where the fit had none.
    public var lower: [Double]?
    public var upper: [Double]?
    /// 95% prediction band (where a new observation falls: the mean curve's uncertainty and
    /// the residual scatter), parallel to `x`; nil where the fit had none.
    public var predictionLower: [Double]?
    public var predictionUpper: [Double]?
    /// The largest x the fit saw: the curve is solid up to here and dashed beyond (extrapolation).
    public var fittedUpTo: Double

    public init(
        label: String, x: [Double], value: [Double], lower: [Double]? = nil, upper: [Double]? = nil,
        predictionLower: [Double]? = nil, predictionUpper: [Double]? = nil, fittedUpTo: Double
    ) {
        self.label = label
        self.x = x
        self.value = value
        self.lower = lower
        self.upper = upper
        self.predictionLower = predictionLower
        self.predictionUpper = predictionUpper
        self.fittedUpTo = fittedUpTo
    }
}

/// One curve of a two-input fit at a fixed value of the second input (or of the compute
/// budget), and the indices of the layer's points that belong to it.
public struct PlotProfile: Sendable {
    /// The legend text, e.g. `D = 2×10¹⁰` or `C = 10¹⁹`.
    public var label: String
    public var curve: PlotCurve
    public var points: [Int]
    /// The curve's lowest point (the compute-optimal model of an isoFLOP profile), or nil.
    public var optimum: (x: Double, y: Double)?

    public init(label: String, curve: PlotCurve, points: [Int], optimum: (x: Double, y: Double)? = nil) {
        self.label = label
        self.curve = curve
        self.points = points
        self.optimum = optimum
    }
}

/// A verdict drawn on a plot: a breakpoint (a vertical line with its 95% interval shaded) or
/// a plateau (the level over its span, shaded).
public enum PlotMarker: Sendable {
    case breakpoint(x: Double, ci95: (lower: Double, upper: Double)?)
    case plateau(level: Double, fromX: Double, toX: Double)
}
