// swift-tools-version:6.0
//
// Layers, bottom-up; every target imports only targets below it:
//   C shims (CBLAS, CHDF5, CZlib, CNCursesW), C kernels (CKernels) and the fault guard (CSignalGuard), Storage → Kernels → Networks, CellData → Diffusion → Analysis
//   → front ends: TextUI (text grid and charts) → Report (HTML) → Workbench (ncurses) → wbdit (CLI)
import PackageDescription

let package = Package(
    name: "wbdit",
    products: [
        .executable(name: "wbdit", targets: ["wbdit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: C shims (system libraries found by pkg-config)
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CNCursesW", pkgConfig: "ncursesw",
                       providers: [.apt(["libncursesw5-dev"])]),

        // MARK: C kernels: AVX-512 small-matrix sgemm and AdamW, chosen at run time
        .target(name: "CKernels"),

        // MARK: The signal guard: libhdf5's faults on damaged files end in one line, not a crash
        .target(name: "CSignalGuard"),

        // MARK: Storage: files written atomically and read whole
        .target(name: "Storage"),

        // MARK: Engine
        .target(name: "Kernels", dependencies: ["CBLAS", "CKernels"]),
        .target(name: "Networks", dependencies: ["Kernels", "Storage"]),

        // MARK: Data
        .target(name: "CellData", dependencies: ["Kernels", "Storage", "CHDF5", "CZlib", "CSignalGuard"]),

        // MARK: Diffusion and training
        .target(name: "Diffusion", dependencies: ["Kernels", "Networks", "CellData", "Storage"]),

        // MARK: Analysis
        .target(name: "Analysis", dependencies: ["Kernels", "CellData", "Storage"]),

        // MARK: Front ends
        .target(name: "TextUI", dependencies: ["Storage"]),
        .target(name: "Report", dependencies: ["TextUI", "Analysis", "Diffusion", "CellData", "Networks", "Storage"]),
        .target(name: "Workbench", dependencies: ["TextUI", "Report", "Diffusion", "Analysis", "CellData", "Networks", "Kernels", "Storage", "CNCursesW"]),
        .executableTarget(name: "wbdit", dependencies: [
            "Kernels", "Storage", "Networks", "CellData", "Diffusion", "Analysis", "TextUI", "Workbench", "Report",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: Fuzzing: the harness (every parser of untrusted bytes) and libFuzzer's entry
        // point, built by `make fuzz` with -sanitize=fuzzer,address; `make test` replays the corpus.
        .target(name: "FuzzHarness", dependencies: ["CellData", "Diffusion", "Networks", "TextUI"], path: "Tests/FuzzHarness"),
        .executableTarget(name: "wbdit-fuzz", dependencies: ["FuzzHarness"], path: "Tests/Fuzz", exclude: ["Corpus", "Crashes", "Hangs", "Faults", "run.sh", "lsan-libhdf5.supp"],
                          swiftSettings: [.unsafeFlags(["-parse-as-library"])]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["Kernels", "Networks", "AllocationCounter"], path: "Tests/TestSupport"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "CKernels", "TestSupport"]),
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .testTarget(name: "NetworksTests", dependencies: ["Networks", "TestSupport", "AllocationCounter"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DiffusionTests", dependencies: ["Diffusion", "TestSupport", "AllocationCounter"]),
        .testTarget(name: "CellDataTests", dependencies: ["CellData", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "Report", "Kernels", "TextUI", "Diffusion", "CellData", "Networks", "Analysis"],
                    exclude: ["Snapshots"]),
        .testTarget(name: "CommandLineTests", dependencies: ["wbdit", "Kernels", "CellData", "Analysis", "Diffusion", "Workbench", "TestSupport"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "FuzzReplayTests", dependencies: ["FuzzHarness"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "TextUI", "TestSupport"], resources: [.copy("Snapshots")]),
    ],
    swiftLanguageModes: [.v5]
)
