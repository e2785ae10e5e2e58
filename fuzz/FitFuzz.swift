// libFuzzer target for the argument-to-fit path: a fuzzed argument vector and a fuzzed
// CSV go through `scalefit fit` as the CLI parses and runs it (FitCommand, FitFlags and
// IngestArguments are compiled in from Sources/scalefit), with small limits so that one
// input costs milliseconds: one thread, at most 3 starts, 5 bootstrap replicates and 4
// prediction points.
//
// Input layout: argument tokens separated by "\n", then a NUL byte, then the CSV.
import ArgumentParser
import Foundation

/// What FitCommand needs from the root command (which is not compiled in: its @main
/// would clash with libFuzzer's main).
enum ScalefitCommand {
    static let version = "fuzz"
}

enum FitFuzz {
    static let path: String = {
        // Standard output (the fit tables and JSON) goes nowhere.
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 { dup2(null, 1) }
        return NSTemporaryDirectory() + "scalefit-fuzz-fit-\(getpid()).csv"
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func scalefitFuzzFit(_ bytes: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let data = UnsafeBufferPointer(start: bytes, count: size)
    let split = data.firstIndex(of: 0) ?? size
    let argumentText = String(decoding: data[0..<split], as: UTF8.self)
    let csv = split < size ? Data(data[(split + 1)...]) : Data()
    let path = FitFuzz.path
    FileManager.default.createFile(atPath: path, contents: csv)
    let tokens = argumentText.split(separator: "\n", omittingEmptySubsequences: false).prefix(16).map(String.init)
    do {
        var command = try FitCommand.parse([path] + tokens)
        command.threads = 1
        command.starts = min(command.starts ?? 3, 3)
        command.fitting.bootstrap = min(command.fitting.bootstrap, 5)
        command.predict = Array(command.predict.prefix(4))
        try command.run()
    } catch {
        _ = String(describing: error)
    }
    return 0
}
