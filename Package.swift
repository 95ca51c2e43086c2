// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "pgha",
    products: [
        .executable(name: "pgha", targets: ["pgha"]),
    ],
    dependencies: [
        // Only the admin commands (`pgha status`) parse options with it; the OCF entry point never does.
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
        .executableTarget(
            name: "pgha",
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
