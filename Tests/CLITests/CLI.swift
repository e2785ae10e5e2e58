import Foundation

/// Runs the `scalefit` binary that `swift build` put beside the test bundle.
enum CLI {
    struct MissingBinary: Error, CustomStringConvertible {
        var path: String
        var description: String { "no scalefit executable at \(path) (run `swift build`, or set SCALEFIT_BINARY)" }
    }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The `scalefit` executable of this build: `SCALEFIT_BINARY` when set, else the file
    /// named `scalefit` in the build products folder the test bundle sits in
    /// (`.build/<triple>/<config>/`). Only a regular executable file counts: a folder named
    /// `scalefit` (the default clone folder, `git clone …/scalefit`) is executable too, and
    /// accepting it made every CLI test run a directory.
    static let binary: URL = locateBinary()

    static func isExecutableFile(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return false
        }
        return FileManager.default.isExecutableFile(atPath: url.path)
    }

    /// Folders that may hold the build products, nearest first: the folder of the test
    /// runner's executable, the bundle itself (macOS `.xctest` bundles are folders) and the
    /// folder that holds it. Never further up: above `.build/` lies the checkout.
    static func productFolders() -> [URL] {
        var folders: [URL] = []
        if let executable = Bundle.main.executableURL { folders.append(executable.deletingLastPathComponent()) }
        let bundle = Bundle.main.bundleURL
        folders.append(bundle)
        folders.append(bundle.deletingLastPathComponent())
        for loaded in Bundle.allBundles where loaded.bundleURL.pathExtension == "xctest" {
            folders.append(loaded.bundleURL.deletingLastPathComponent())
        }
        let arguments = CommandLine.arguments
        if let first = arguments.first, first.contains("/") {
            folders.append(URL(fileURLWithPath: first).deletingLastPathComponent())
        }
        return folders
    }

    static func locateBinary() -> URL {
        if let given = ProcessInfo.processInfo.environment["SCALEFIT_BINARY"], !given.isEmpty {
            return URL(fileURLWithPath: given)
        }
        for folder in productFolders() {
            let candidate = folder.appendingPathComponent("scalefit")
            if isExecutableFile(candidate) { return candidate.standardizedFileURL }
        }
        // Last resort: the debug build of the current directory's package.
        return URL(fileURLWithPath: ".build/debug/scalefit").standardizedFileURL
    }

    static func run(_ arguments: [String], stdin: Data? = nil, in directory: URL? = nil) throws -> Run {
        guard isExecutableFile(binary) else { throw MissingBinary(path: binary.path) }
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a full pipe cannot block the child.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}
