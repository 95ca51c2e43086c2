import Testing
@testable import PGHA

@Suite("ServerVersion")
struct ServerVersionTests {
    @Test("reads PG_VERSION", arguments: [("15\n", 15), ("9.6", 96), ("9.6\n", 96), ("18", 18), ("10", 10),
                                         (" 12 \n", 12)])
    func pgVersionFile(text: String, major: Int) {
        #expect(ServerVersion(pgVersionFile: text)?.major == major)
    }

    @Test("rejects unreadable PG_VERSION", arguments: ["", "\n", "abc", "9", "9.", "9.x", "8", "15.2", "-15"])
    func pgVersionFileInvalid(text: String) {
        #expect(ServerVersion(pgVersionFile: text) == nil, "PG_VERSION \"\(text)\" should be unreadable")
    }

    @Test("reads pg_ctl --version", arguments: [
        ("pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n", 15),
        ("pg_ctl (PostgreSQL) 14.23\n", 14),
        ("pg_ctl (PostgreSQL) 16.15\n", 16),
        ("pg_ctl (PostgreSQL) 18.1", 18),
        ("pg_ctl (PostgreSQL) 18.1\n", 18),
        ("pg_ctl (PostgreSQL) 9.6.24", 96),
        ("pg_ctl (PostgreSQL) 10.23", 10),
        ("pg_ctl (PostgreSQL) 17devel", 17),
    ])
    func versionOutput(text: String, major: Int) {
        #expect(ServerVersion(versionOutput: text)?.major == major)
    }

    @Test("rejects other pg_ctl output", arguments: ["", "pg_ctl 15.18", "pg_ctl (PostgreSQL) ", "bash: pg_ctl: not found"])
    func versionOutputInvalid(text: String) {
        #expect(ServerVersion(versionOutput: text) == nil)
    }

    @Test("the binaries' version equals the data directory's")
    func binariesMatchData() {
        #expect(ServerVersion(versionOutput: "pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)")
            == ServerVersion(pgVersionFile: "15\n"))
        #expect(ServerVersion(versionOutput: "pg_ctl (PostgreSQL) 9.6.24") == ServerVersion(pgVersionFile: "9.6"))
        #expect(ServerVersion(versionOutput: "pg_ctl (PostgreSQL) 16.4") != ServerVersion(pgVersionFile: "15"))
    }

    @Test("description spells versions as PostgreSQL does")
    func description() {
        #expect(ServerVersion(major: 96).description == "9.6")
        #expect(ServerVersion(major: 15).description == "15")
    }

    @Test("isSupported from 10", arguments: [(95, false), (96, false), (10, true), (11, true), (15, true), (18, true)])
    func isSupported(major: Int, expected: Bool) {
        #expect(ServerVersion(major: major).isSupported == expected)
    }

    @Test("orders 9.6 before 10 and releases numerically")
    func ordering() {
        let v96 = ServerVersion(major: 96), v10 = ServerVersion(major: 10), v11 = ServerVersion(major: 11)
        let v15 = ServerVersion(major: 15), v18 = ServerVersion(major: 18)
        #expect(v96 < v10)
        #expect(!(v10 < v96))
        #expect(v10 < v11)
        #expect(v15 < v18)
        #expect([v18, v10, v96, v15, v11].sorted() == [v96, v10, v11, v15, v18])
        #expect(v15 >= ServerVersion(major: 15))
    }

    @Test("orders 9.x releases among themselves (Comparable agrees with ==)")
    func orderingNineX() {
        let v95 = ServerVersion(major: 95), v96 = ServerVersion(major: 96)
        #expect(v95 != v96)
        // Comparable requires exactly one of a < b, a == b, b < a.
        #expect(v95 < v96)
        #expect(!(v96 < v95))
    }
}
