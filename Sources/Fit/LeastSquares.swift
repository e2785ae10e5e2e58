import GSL

// The least-squares vocabulary under the names Fit's callers have always used. The types
// live with their C owner in the GSL target (GSL/LeastSquaresTypes.swift and
// GSL/LeastSquares.swift); `import Fit` is enough to name them.

public typealias TrustRegionMethod = GSL.TrustRegionMethod
public typealias ParameterScaling = GSL.ParameterScaling
public typealias LinearSolverKind = GSL.LinearSolverKind
public typealias LeastSquaresSettings = GSL.LeastSquaresSettings
public typealias StopReason = GSL.StopReason
public typealias LeastSquaresStatus = GSL.LeastSquaresStatus
public typealias LeastSquaresError = GSL.LeastSquaresError
public typealias LeastSquaresProblem = GSL.LeastSquaresProblem
public typealias LeastSquaresResult = GSL.LeastSquaresResult
public typealias NonlinearLeastSquares = GSL.NonlinearLeastSquares
public typealias ParameterView = GSL.ParameterView
public typealias ResidualView = GSL.ResidualView
public typealias JacobianView = GSL.JacobianView
