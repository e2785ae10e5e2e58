// A test helper, not part of scalefit: writes DESTINATION through AtomicWriter exactly as the
// CLI does (interrupt cleanup installed, the temporary beside the destination, 1 MiB
// pieces), stops once the first piece is in the temporary, says where on standard error
// ("scalefit: paused mid-write: PATH") and waits up to 120 seconds for a signal, then
// finishes the write. Tests/CLITests/ReliabilityCLITests.swift signals it there, so the
// pause lives here and not in the writer.
//
//   write-interrupt-probe DESTINATION
import Foundation
import ScalefitCore

guard CommandLine.arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: write-interrupt-probe DESTINATION\n".utf8))
    exit(2)
}
let destination = URL(fileURLWithPath: CommandLine.arguments[1])
AtomicWriter.installInterruptCleanup()
do {
    try AtomicWriter.write(to: destination.path) { emit in
        // One byte more than a piece: the writer writes the first piece and keeps one byte.
        try emit(String(repeating: "x", count: (1 << 20) + 1))
        let folder = destination.deletingLastPathComponent()
        let prefix = ".\(destination.lastPathComponent).tmp-"
        let temporary = try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix(prefix) } ?? "?"
        FileHandle.standardError.write(Data("scalefit: paused mid-write: \(folder.appendingPathComponent(temporary).path)\n".utf8))
        Thread.sleep(forTimeInterval: 120)
        try emit("\n")
    }
} catch {
    FileHandle.standardError.write(Data("write-interrupt-probe: \(error)\n".utf8))
    exit(4)
}
