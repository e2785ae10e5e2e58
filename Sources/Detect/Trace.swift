/// Diagnostic trace of the detector's fits (off in builds; switched on while profiling).
@inline(__always)
func trace(_ message: @autoclosure () -> String) {}
