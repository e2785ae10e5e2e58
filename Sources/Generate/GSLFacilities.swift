import GSL

// The GSL facilities Generate's scenarios draw on, under the names Generate's callers have
// always used. They live in the GSL target (GSL/Random.swift, GSL/LinearAlgebra.swift).

public typealias GSLRandom = GSL.GSLRandom
public typealias DenseMatrix = GSL.DenseMatrix
public typealias GSLLinearAlgebra = GSL.GSLLinearAlgebra
