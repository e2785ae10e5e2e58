import Dispatch
#if os(Linux)
import Glibc
#endif

/// Runs `body(&state, i)` for i in 0..<count on up to `threads` workers, each with its own
/// state from `makeState` (a scratch buffer, a solver workspace, or `()`), and returns the
/// results at their index, so the output does not depend on the thread count. Worker w takes
/// i = w, w + workers, …; `finish` sees each worker's state at the end (to hand a workspace
/// back). A worker whose `makeState` gives nil leaves its indices nil.
///
/// The one parallel loop of scalefit: the fit engine's starts and series, the long-series
/// passes and the tail bootstrap all run through it.
public func parallelMap<State, Result: Sendable>(
    count: Int, threads: Int, makeState: @Sendable () -> State?, body: @Sendable (inout State, Int) -> Result?,
    finish: @Sendable (State) -> Void = { _ in }
) -> [Result?] {
    let workers = max(1, min(threads, count))
    if workers == 1 {
        guard var state = makeState() else { return .init(repeating: nil, count: count) }
        let results = (0..<count).map { body(&state, $0) }
        finish(state)
        return results
    }
    let box = ResultBox<Result>(count: count)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        guard var state = makeState() else { return }
        var i = worker
        while i < count {
            box.set(i, body(&state, i))
            i += workers
        }
        finish(state)
    }
    return box.values
}

/// Slots written by distinct workers at distinct indices.
private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Value?>
    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }
    deinit {
        storage.deinitialize()
        storage.deallocate()
    }
    func set(_ index: Int, _ value: Value?) { storage[index] = value }
    var values: [Value?] { Array(storage) }
}

/// The number of worker threads to use by default: every online core.
public func defaultThreadCount() -> Int {
    #if os(Linux)
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #else
    return 2
    #endif
}
