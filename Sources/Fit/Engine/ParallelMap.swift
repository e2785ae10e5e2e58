import Dispatch

// Work spread over threads with per-worker state, results at their index.

/// Runs `body(i)` for i in 0..<count on `threads` workers, each with its own state from
/// `makeState`; results land at their index, so they do not depend on the thread count.
func parallelMap<State, Result: Sendable>(
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
final class ResultBox<Value: Sendable>: @unchecked Sendable {
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

/// The number of worker threads to use by default: every core.
func defaultThreadCount() -> Int {
    #if os(Linux)
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #else
    return 2
    #endif
}

#if os(Linux)
import Glibc
#endif
