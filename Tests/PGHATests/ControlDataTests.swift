import Testing
@testable import PGHA

/// `LC_ALL=C pg_controldata` of a PostgreSQL 15 primary, with the state line replaced per test.
private func controlData(state: String, checkpoint: String = "0/3000060", redo: String = "0/3000028",
                         timeline: String = "1", minRecovery: String = "0/0", minRecoveryTimeline: String = "0")
    -> String
{
    """
    pg_control version number:            1300
    Catalog version number:               202209061
    Database system identifier:           7441234567890123456
    Database cluster state:               \(state)
    pg_control last modified:             Tue Nov 26 13:57:01 2024
    Latest checkpoint location:           \(checkpoint)
    Latest checkpoint's REDO location:    \(redo)
    Latest checkpoint's REDO WAL file:    000000010000000000000003
    Latest checkpoint's TimeLineID:       \(timeline)
    Latest checkpoint's PrevTimeLineID:   1
    Latest checkpoint's full_page_writes: on
    Latest checkpoint's NextXID:          0:735
    Latest checkpoint's NextOID:          16384
    Latest checkpoint's NextMultiXactId:  1
    Latest checkpoint's NextMultiOffset:  0
    Latest checkpoint's oldestXID:        716
    Latest checkpoint's oldestXID's DB:   1
    Latest checkpoint's oldestActiveXID:  735
    Latest checkpoint's oldestMultiXid:   1
    Latest checkpoint's oldestMulti's DB: 1
    Latest checkpoint's oldestCommitTsXid:0
    Latest checkpoint's newestCommitTsXid:0
    Time of latest checkpoint:            Tue Nov 26 13:56:58 2024
    Fake LSN counter for unlogged rels:   0/3E8
    Minimum recovery ending location:     \(minRecovery)
    Min recovery ending loc's timeline:   \(minRecoveryTimeline)
    Backup start location:                0/0
    Backup end location:                  0/0
    End-of-backup record required:        no
    wal_level setting:                    replica
    wal_log_hints setting:                off
    max_connections setting:              100
    max_worker_processes setting:         8
    max_wal_senders setting:              10
    max_prepared_xacts setting:           0
    max_locks_per_xact setting:           64
    track_commit_timestamp setting:       off
    Maximum data alignment:               8
    Database block size:                  8192
    Blocks per segment of large relation: 131072
    WAL block size:                       8192
    Bytes per WAL segment:                16777216
    Maximum length of identifiers:        64
    Maximum columns in an index:          32
    Maximum size of a TOAST chunk:        1996
    Size of a large-object chunk:         2048
    Date/time type storage:               64-bit integers
    Float8 argument passing:              by value
    Data page checksum version:           0
    Mock authentication nonce:            5c0b4e3e8d0f7b2a1e9c6d4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b

    """
}

@Suite("ControlData")
struct ControlDataTests {
    @Test("a running primary: in production")
    func inProduction() {
        let data = ControlData(output: controlData(state: "in production", checkpoint: "0/16B3D80",
                                                   redo: "0/16B3D48", timeline: "3"))
        #expect(data.state == .inProduction)
        #expect(data.checkpointLocation == LSN("0/16B3D80"))
        #expect(data.redoLocation == LSN("0/16B3D48"))
        #expect(data.checkpointTimeline == 3)
        #expect(data.minRecoveryEnd == LSN("0/0"))
        #expect(data.minRecoveryEndTimeline == 0)
    }

    @Test("a cleanly stopped primary: shut down")
    func shutDown() {
        let data = ControlData(output: controlData(state: "shut down", checkpoint: "1A/B374D848", timeline: "2"))
        #expect(data.state == .shutDown)
        #expect(data.checkpointLocation == LSN("1A/B374D848"))
        #expect(data.checkpointLocation?.value == 0x1A_B374_D848)
        #expect(data.checkpointTimeline == 2)
    }

    @Test("a cleanly stopped standby: shut down in recovery, with its minimum recovery point")
    func shutDownInRecovery() {
        let data = ControlData(output: controlData(state: "shut down in recovery", timeline: "2",
                                                   minRecovery: "0/5000120", minRecoveryTimeline: "3"))
        #expect(data.state == .shutDownInRecovery)
        #expect(data.minRecoveryEnd == LSN("0/5000120"))
        #expect(data.minRecoveryEndTimeline == 3)
        #expect(data.checkpointTimeline == 2)
        #expect(data.minimumRecoveryPoint == WALPosition(timeline: 3, lsn: LSN("0/5000120")!))
    }

    @Test("a primary's control file has no minimum recovery point (0/0 on timeline 0)")
    func noMinimumRecoveryPoint() {
        let primary = ControlData(output: controlData(state: "in production"))
        #expect(primary.minRecoveryEnd == LSN("0/0"))
        #expect(primary.minimumRecoveryPoint == nil)
        #expect(ControlData(output: "").minimumRecoveryPoint == nil)
    }

    @Test("a running or crashed standby: in archive recovery")
    func inArchiveRecovery() {
        let data = ControlData(output: controlData(state: "in archive recovery"))
        #expect(data.state == .inArchiveRecovery)
        #expect(data.checkpointLocation == LSN("0/3000060"))
        #expect(data.redoLocation == LSN("0/3000028"))
        #expect(data.checkpointTimeline == 1)
    }

    @Test("every state text PostgreSQL prints is read", arguments: [
        ("starting up", ControlData.State.startingUp), ("shut down", .shutDown),
        ("shut down in recovery", .shutDownInRecovery), ("shutting down", .shuttingDown),
        ("in crash recovery", .inCrashRecovery), ("in archive recovery", .inArchiveRecovery),
        ("in production", .inProduction),
    ])
    func states(text: String, state: ControlData.State) {
        #expect(ControlData(output: controlData(state: text)).state == state)
    }

    @Test("unknown state text", arguments: ["unrecognized status code", "In Production", "", "in productio"])
    func unknownState(text: String) {
        #expect(ControlData(output: controlData(state: text)).state == .unknown)
    }

    @Test("output without the fields: unknown state and no positions")
    func empty() {
        let data = ControlData(output: "pg_controldata: fatal: could not open file \"global/pg_control\"\n")
        #expect(data.state == .unknown)
        #expect(data.checkpointLocation == nil)
        #expect(data.redoLocation == nil)
        #expect(data.checkpointTimeline == nil)
        #expect(data.minRecoveryEnd == nil)
        #expect(data.minRecoveryEndTimeline == nil)
        #expect(ControlData(output: "").state == .unknown)
    }

    @Test("unreadable values are nil")
    func unreadable() {
        let data = ControlData(output: controlData(state: "shut down", checkpoint: "garbage", timeline: "x"))
        #expect(data.state == .shutDown)
        #expect(data.checkpointLocation == nil)
        #expect(data.checkpointTimeline == nil)
        #expect(data.redoLocation == LSN("0/3000028"))
    }
}

@Suite("WALEnd")
struct WALEndTests {
    @Test("the end of WAL is the last location pg_waldump names", arguments: [
        ("pg_waldump: error: error in WAL record at 0/1500870: invalid record length at 0/15008E8: wanted 24, got 0", "0/15008E8"),
        ("pg_waldump: error: error in WAL record at 0/16EF458: invalid record length at 0/16EF4D0: expected at least 24, got 0", "0/16EF4D0"),
        ("Total 1 114\npg_waldump: error: error in WAL record at 1/A0: record with incorrect prev-link 0/0 at 1/F8", "1/F8"),
    ])
    func parses(output: String, expected: String) {
        #expect(WALEnd.parse(output) == LSN(expected))
    }

    @Test("no error line, no location")
    func unparsable() {
        #expect(WALEnd.parse("Total 1 114") == nil)
        #expect(WALEnd.parse("pg_waldump: error: could not find file \"000000030000000000000001\"") == nil)
    }
}

@Suite("ControlData.wasPrimary")
struct WasPrimaryTests {
    @Test("primary states, including a kill during the shutdown checkpoint", arguments: [
        ("in production", true), ("shut down", true), ("shutting down", true), ("in crash recovery", true),
        ("shut down in recovery", false), ("in archive recovery", false), ("starting up", false),
    ])
    func states(state: String, expected: Bool) {
        #expect(ControlData(output: "Database cluster state:               \(state)\n").wasPrimary == expected)
    }
}
