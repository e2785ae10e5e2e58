/// scalefit's version, written by `--version` and into every document's `"tool"` record.
/// The one place it is spelled.
public let scalefitVersion = "0.1.0"
