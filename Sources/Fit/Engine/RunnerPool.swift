import Synchronization

// The process-wide pool of runners kept between fits of the same shape.

/// What makes two runners interchangeable: the law, the number of points and every option
/// a runner reads. A runner of one key serves any data of that size after ``StartRunner/use(_:)``.
private struct RunnerKey: Equatable {
    let law: ObjectIdentifier
    let name: String
    let count: Int
    let space: ResidualSpace
    let loss: FitLoss
    let solver: LeastSquaresSettings
    let fixed: [String: Double]
    let tied: [String: String]
}

/// A runner waiting in the pool; only one thread holds it at a time (taken under the lock).
private struct PooledRunner: @unchecked Sendable {
    let key: RunnerKey
    let runner: AnyObject
}

/// Runners set free by finished fits. Setting one up (the GSL solver's buffers, the
/// projection's, the problem closures) costs about as much as a whole small fit, and a
/// caller that fits many series of one size (a sweep, a detection run, a benchmark)
/// would pay it every time. A short list, searched from the most recent end (comparing
/// keys costs less than hashing them).
private let runnerPool = Mutex<[PooledRunner]>([])
/// Bounds on what the pool keeps: runners in all, and points per runner.
private let pooledLimit = 16, pooledPointLimit = 4096

extension StartRunner {
    private static func key(law: Law, count: Int, options: FitOptions) -> RunnerKey {
        RunnerKey(
            law: ObjectIdentifier(Law.self), name: law.name, count: count, space: options.space, loss: options.loss,
            solver: options.solver, fixed: options.fixed, tied: options.tied)
    }

    /// A runner for this law, data and options: one kept by an earlier fit of the same
    /// shape when there is one (its data swapped in; results do not depend on which), else
    /// a new one. Give it back with ``recycle()``.
    static func make(law: Law, data: FitData, map: ParameterMap, options: FitOptions) -> StartRunner? {
        if data.count <= pooledPointLimit {
            let key = key(law: law, count: data.count, options: options)
            let kept = runnerPool.withLock { pool -> AnyObject? in
                guard let index = pool.lastIndex(where: { $0.key == key }) else { return nil }
                return pool.remove(at: index).runner
            }
            if let runner = kept as? StartRunner<Law> {
                runner.use(data)
                runner.retries = true
                runner.screening = false
                return runner
            }
        }
        return try? StartRunner(law: law, data: data, map: map, options: options)
    }

    /// Puts the runner back for a later fit of the same shape (the oldest one kept makes
    /// room when the pool is full).
    func recycle() {
        guard data.count <= pooledPointLimit else { return }
        let pooled = PooledRunner(key: Self.key(law: law, count: data.count, options: options), runner: self)
        runnerPool.withLock { pool in
            if pool.count >= pooledLimit { pool.removeFirst() }
            pool.append(pooled)
        }
    }
}
