// SHA-256 throughput of Ingest's hasher (the digest of every input in `--json` "inputs"):
// hashes an in-memory buffer of MB megabytes RUNS times and prints the median MB/s.
// Not a test; benchmarks/sha256/run.sh runs it beside Python's hashlib and coreutils.
//
//   sha256-benchmark [MB] [RUNS]
import Foundation
import Ingest

let arguments = CommandLine.arguments
let megabytes = arguments.count > 1 ? Int(arguments[1]) ?? 100 : 100
let runs = arguments.count > 2 ? Int(arguments[2]) ?? 5 : 5
var bytes = [UInt8](repeating: 0, count: megabytes * 1_000_000)
var state: UInt64 = 42
for i in bytes.indices {
    state = state &* 6364136223846793005 &+ 1442695040888963407
    bytes[i] = UInt8(truncatingIfNeeded: state >> 56)
}
var rates: [Double] = []
var digest = ""
for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    var hasher = SHA256()
    // 1 MiB pieces, as ByteSource feeds it.
    bytes.withUnsafeBytes { all in
        var offset = 0
        while offset < all.count {
            let end = min(offset + (1 << 20), all.count)
            hasher.update(UnsafeRawBufferPointer(rebasing: all[offset..<end]))
            offset = end
        }
    }
    digest = hasher.finalize().hex
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    rates.append(Double(megabytes) / seconds)
}
rates.sort()
print(String(format: "scalefit SHA256: %d MB, median of %d: %.1f MB/s (min %.1f, max %.1f); digest %@",
             megabytes, runs, rates[rates.count / 2], rates.first!, rates.last!, digest))
