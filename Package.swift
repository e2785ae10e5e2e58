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
        .library(name: "Tail", targets: ["Tail"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        // GSL as a system library: `apt-get install libgsl-dev` provides gsl.pc.
        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"]), .brew(["gsl"])]
        ),
        // Plain values shared by every stage (Series, units, errors) and GSL's
        // process-wide set-up (error handler off) plus its special functions.
        .target(
            name: "ScalefitCore",
            dependencies: ["CGSL"]
        ),
        // The scaling-law zoo and the only code that drives GSL's least squares.
        .target(
            name: "Fit",
            dependencies: [
                "ScalefitCore", "CGSL",
                .product(name: "RealModule", package: "swift-numerics"),
            ]
        ),
        // Tail exponents (Clauset–Shalizi–Newman 2009) and the collapse laws they predict;
        // GSL's minimisers only in Sources/Tail/GSLMinimizer.swift.
        .target(
            name: "Tail",
            dependencies: ["ScalefitCore", "CGSL"],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "scalefit",
            dependencies: [
                "ScalefitCore", "Fit", "Tail",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "FitTests",
            dependencies: ["Fit", "ScalefitCore", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .testTarget(
            name: "TailTests",
            dependencies: ["Tail", "ScalefitCore", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .testTarget(
            name: "CLITests",
            dependencies: ["ScalefitCore"]
        ),
    ]
)
