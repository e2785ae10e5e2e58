// swift-tools-version: 6.0
// scalefit: fit, diagnose and generate scaling-law data on GSL.
import PackageDescription

let package = Package(
    name: "scalefit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "scalefit", targets: ["scalefit"]),
        .library(name: "ScalefitCore", targets: ["ScalefitCore"]),
        .library(name: "Fit", targets: ["Fit"]),
        .library(name: "Ingest", targets: ["Ingest"]),
        .library(name: "Generate", targets: ["Generate"]),
        .library(name: "Tail", targets: ["Tail"]),
        .library(name: "Analysis", targets: ["Analysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        // SHA-256 of every input (Ingest/SHA256.swift): BoringSSL's assembly.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
    ],
    targets: [
        // GSL as a system library: `apt-get install libgsl-dev` provides gsl.pc.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"]), .brew(["gsl"])]
        ),
        // SQLite as a system library (`apt-get install libsqlite3-dev`), for MLflow's mlflow.db.
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        // Plain values and small utilities shared by every stage (Series, errors, exit
        // statuses, atomic writes, the JSON writer, the seeded RNG, parallel map, quantiles,
        // number formatting, the version). No GSL.
        .target(
            name: "ScalefitCore",
            exclude: ["README.md"]
        ),
        // The only importer of CGSL: one file per GSL facility (runtime, special functions,
        // least squares, random numbers, linear algebra, minimisers), plain Swift outside.
        .target(
            name: "GSL",
            dependencies: ["ScalefitCore", "CGSL"],
            exclude: ["README.md"]
        ),
        // The scaling-law zoo and the fit engine, on GSL's least squares.
        .target(
            name: "Fit",
            dependencies: [
                "ScalefitCore", "GSL",
                .product(name: "RealModule", package: "swift-numerics"),
            ],
            exclude: ["README.md"]
        ),
        // Verdicts on curves (scaling, saturating, collapsed, grokking, degrading), built on Fit.
        .target(
            name: "Detect",
            dependencies: ["ScalefitCore", "Fit"],
            exclude: ["README.md"]
        ),
        // The workflow the commands share (Sources/Analysis/README.md): the model choice, the
        // best fit of each series and the curve it draws, detection over many series, the
        // series spread over the cores; every result keyed by the series' identity.
        .target(
            name: "Analysis",
            dependencies: ["ScalefitCore", "Fit", "Detect", "Ingest"],
            exclude: ["README.md"]
        ),
        // Pure renderers: JSON, tables, SVG plots, the HTML report, Jupyter notebooks.
        .target(
            name: "Export",
            dependencies: ["ScalefitCore", "Fit", "Detect", "Analysis"],
            exclude: ["README.md"]
        ),
        // Readers for training logs (CSV, W&B, TensorBoard, Hugging Face, MLflow, text
        // logs, sweep tables) producing Series. No GSL: the core, SQLite for mlflow.db and
        // swift-crypto for the inputs' SHA-256.
        .target(
            name: "Ingest",
            dependencies: ["ScalefitCore", "CSQLite", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["README.md"]
        ),
        // Scenarios with known ground truth, drawn with GSL's RNG and distributions.
        .target(
            name: "Generate",
            dependencies: ["ScalefitCore", "GSL"],
            exclude: ["README.md"]
        ),
        // Tail exponents (Clauset–Shalizi–Newman 2009) and the collapse laws they predict.
        .target(
            name: "Tail",
            dependencies: ["ScalefitCore", "GSL"],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "scalefit",
            dependencies: [
                "ScalefitCore", "Fit", "Detect", "Analysis", "Export", "Ingest", "Generate", "Tail",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]
        ),
        // Side-by-side benchmarks (benchmarks/fit/run.sh); never part of the tests.
        .executableTarget(
            name: "fit-benchmarks",
            dependencies: ["Fit", "ScalefitCore", "Ingest"],
            path: "benchmarks/fit/Sources"
        ),
        // Detect validation on generated curves (benchmarks/detect/run.sh); never part of the tests.
        .executableTarget(
            name: "detect-validation",
            dependencies: ["Detect", "Fit", "Generate", "GSL", "ScalefitCore"],
            path: "benchmarks/detect/Sources"
        ),
        // Recovery and interval coverage of the exact collapse laws (benchmarks/collapse/run.sh).
        .executableTarget(
            name: "collapse-recovery",
            dependencies: ["Fit", "Generate", "GSL", "ScalefitCore"],
            path: "benchmarks/collapse/Sources"
        ),
        // SHA-256 throughput of Ingest's hasher (benchmarks/sha256/run.sh); never run by tests.
        .executableTarget(
            name: "sha256-benchmark",
            dependencies: ["Ingest"],
            path: "benchmarks/sha256/Sources"
        ),
        // Side-by-side benchmark against numpy (benchmarks/generate/run.sh); never run by tests.
        .executableTarget(
            name: "generate-benchmark",
            dependencies: ["Generate"],
            path: "benchmarks/generate/swift"
        ),
        .testTarget(
            name: "FitTests",
            dependencies: ["Fit", "ScalefitCore", "Generate", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .testTarget(
            name: "IngestTests",
            dependencies: ["Ingest", "ScalefitCore"]
        ),
        .testTarget(
            name: "GenerateTests",
            dependencies: ["Generate", "GSL", "ScalefitCore"]
        ),
        .testTarget(
            name: "TailTests",
            dependencies: ["Tail", "GSL", "ScalefitCore", "Generate", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .testTarget(
            name: "DetectTests",
            dependencies: ["Detect", "Fit", "Generate", "GSL", "ScalefitCore"]
        ),
        .testTarget(
            name: "AnalysisTests",
            dependencies: ["Analysis", "Detect", "Fit", "Ingest", "ScalefitCore"]
        ),
        .testTarget(
            name: "ExportTests",
            dependencies: ["Export", "Analysis", "Fit", "ScalefitCore", .product(name: "RealModule", package: "swift-numerics")]
        ),
        // Fuzz regressions, numerical torture, output safety and thread-count invariance
        // (issue 9; docs/reliability.md).
        .testTarget(
            name: "ReliabilityTests",
            dependencies: [
                "Fit", "Ingest", "ScalefitCore",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        // The shared utilities: number formatting against C's printf, the JSON writer, the
        // seeded generator, quantiles, parallel map.
        .testTarget(
            name: "ScalefitCoreTests",
            dependencies: ["ScalefitCore"]
        ),
        // A test helper that pauses an atomic write midway, to be signalled there
        // (Tests/CLITests/ReliabilityCLITests.swift); it keeps the pause out of the writer.
        .executableTarget(
            name: "write-interrupt-probe",
            dependencies: ["ScalefitCore"],
            path: "Tests/Probes/WriteInterruptProbe"
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["ScalefitCore", "write-interrupt-probe"]
        ),
    ]
)
