// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pgha",
    products: [
        .executable(name: "pgha", targets: ["pgha"]),
        .executable(name: "pgha-admin", targets: ["pgha-admin"]),
    ],
    dependencies: [
        // Only pgha-admin (`pgha status`) parses options with it; the OCF binary never links it.
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // libpq from libpq-dev, found through pkg-config.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // fork/exec as another user: Swift cannot call fork() itself.
        .target(name: "CPosix"),
        .target(
            name: "PGHA",
            dependencies: ["CLibPQ", "CPosix"]
        ),
        // What Pacemaker runs: no argument parser, no Foundation (each monitor pays for what is linked).
        .executableTarget(
            name: "pgha",
            dependencies: ["PGHA"]
        ),
        // `pgha status`, `--help`, `--version`: pgha execs it.
        .executableTarget(
            name: "pgha-admin",
            dependencies: ["PGHA", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(
            name: "PGHATests",
            dependencies: ["PGHA"],
            // Real `cibadmin -Q` and `crm_mon --output-as=xml` of the lab, read by path (see StatusFixtures).
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["PGHA"]
        ),
    ],
    swiftLanguageModes: [.v5]
)
