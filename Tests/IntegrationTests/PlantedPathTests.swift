import Foundation
import Testing

/// The agent runs as root among the system user's files: links and files that user plants (as any
/// PostgreSQL superuser can) never make root read, write, chown or move a file elsewhere. Each case is
/// planted as postgres and checked against a root-only file's content, owner and mode afterwards.
@Suite(.serialized) struct PlantedPathTests {
    static let secret = "root-only secret line\n"

    /// A root-owned file, mode 0600, outside every directory of the system user.
    static func rootOnlyFile(_ workspace: Workspace) throws -> String {
        let directory = workspace.path + "/root-only"
        try run("/usr/bin/install", ["-d", "-o", "root", "-g", "root", "-m", "0700", directory])
        let path = directory + "/secret"
        try secret.write(toFile: path, atomically: false, encoding: .utf8)
        try run("/usr/bin/chmod", ["0600", path])
        return path
    }

    /// The root-only file is as it was: content, owner root, mode 0600.
    static func untouched(_ path: String) throws -> Bool {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try String(contentsOfFile: path, encoding: .utf8) == secret
            && (attributes[.ownerAccountID] as? NSNumber)?.intValue == 0
            && (attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600
    }

    /// n1, initialised and stopped, on the first PostgreSQL build found.
    static func initializedNode(_ workspace: Workspace) throws -> Node {
        let node = try workspace.node("n1", try #require(PostgresBuild.available.first))
        try node.initialize()
        return node
    }

    static func plant(link: String, to target: String) throws {
        try #require(try run("/bin/ln", ["-sfn", target, link], user: "postgres").status == 0)
    }

    @Test("postgresql.auto.conf a link to a root-only file: start refuses naming it, the file is not read or changed")
    func settingsFileLink() throws {
        let workspace = try Workspace()
        let node = try Self.initializedNode(workspace)
        let secretFile = try Self.rootOnlyFile(workspace)
        let settings = node.datadir + "/postgresql.auto.conf"
        try #require(try run("/bin/rm", ["-f", settings], user: "postgres").status == 0)
        try Self.plant(link: settings, to: secretFile)
        let started = try node.pgha("start")
        #expect(started.code == 1, "\(started.log)")
        #expect(started.log.contains("ocf-exit-reason:'\(settings)' is a symbolic link: not followed"), "\(started.log)")
        #expect(!started.log.contains("root-only secret"), "\(started.log)")
        #expect(try Self.untouched(secretFile))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: settings) == secretFile, "the link is left as found")
        #expect(node.postmasterPID == nil, "nothing started")
    }

    @Test("a FIFO as postgresql.auto.conf: start refuses at once instead of waiting for a writer")
    func settingsFileFIFO() throws {
        let workspace = try Workspace()
        let node = try Self.initializedNode(workspace)
        let settings = node.datadir + "/postgresql.auto.conf"
        try #require(try run("/bin/rm", ["-f", settings], user: "postgres").status == 0)
        try #require(try run("/usr/bin/mkfifo", [settings], user: "postgres").status == 0)
        let started = try node.pgha("start")
        #expect(started.code == 1, "\(started.log)")
        #expect(started.log.contains("'\(settings)' is not a regular file"), "\(started.log)")
    }

    @Test("standby.signal and the old temporary names planted as links: replaced or left, never followed")
    func temporaryAndMarkerLinks() throws {
        let workspace = try Workspace()
        let node = try Self.initializedNode(workspace)
        let secretFile = try Self.rootOnlyFile(workspace)
        // The names main's agent used (<file>.pgha-<pid>.tmp) for the next few pids, and the marker file.
        let next = Int(ProcessInfo.processInfo.processIdentifier)
        for pid in next..<(next + 200) {
            try Self.plant(link: node.datadir + "/postgresql.auto.conf.pgha-\(pid).tmp", to: secretFile)
        }
        try Self.plant(link: node.datadir + "/standby.signal", to: secretFile)
        let started = try node.pgha("start")
        try #require(started.code == 0, "\(started.log)\n\(node.serverLog)")
        #expect(try Self.untouched(secretFile))
        // The marker is a file of the system user's now: rename replaced the link itself.
        let marker = try FileManager.default.attributesOfItem(atPath: node.datadir + "/standby.signal")
        #expect(marker[.type] as? FileAttributeType == .typeRegular)
        #expect((marker[.ownerAccountName] as? String) == "postgres")
        let settings = try FileManager.default.attributesOfItem(atPath: node.datadir + "/postgresql.auto.conf")
        #expect((settings[.ownerAccountName] as? String) == "postgres")
        #expect((settings[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try node.pgha("monitor").code == 0)
    }

    @Test("the log file a link to a root-only file: a failed start's reason quotes nothing of it")
    func logfileLink() throws {
        let workspace = try Workspace()
        let node = try Self.initializedNode(workspace)
        let secretFile = try Self.rootOnlyFile(workspace)
        let logDirectory = workspace.path + "/log"
        try run("/usr/bin/install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "0755", logDirectory])
        let logfile = logDirectory + "/postgresql.log"
        try Self.plant(link: logfile, to: secretFile)
        let started = try node.pgha("start", ["OCF_RESKEY_logfile": logfile])
        #expect(started.code == 1, "\(started.log)")
        #expect(!started.log.contains("root-only secret"), "\(started.log)")
        #expect(try Self.untouched(secretFile))
    }

    @Test("a logfile reached through a link the system user owns: validate-all warns, naming it")
    func validateWarnsOfUserLinks() throws {
        let workspace = try Workspace()
        let node = try Self.initializedNode(workspace)
        let logDirectory = workspace.path + "/pglog"
        try run("/usr/bin/install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "0755", logDirectory])
        let own = workspace.path + "/postgres-owned"
        try run("/usr/bin/install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "0755", own])
        let link = own + "/log-link"
        try Self.plant(link: link, to: logDirectory)
        let validated = try node.pgha("validate-all", ["OCF_RESKEY_logfile": link + "/postgresql.log"])
        #expect(validated.code == 0, "a warning, not an error: \(validated.log)")
        #expect(validated.log.contains("WARNING: validate-all: logfile '\(link)/postgresql.log': \(link) is a symbolic link that system_user postgres can replace"),
                "\(validated.log)")
        let plain = try node.pgha("validate-all")
        #expect(plain.code == 0 && !plain.log.contains("symbolic link"), "no link, no warning: \(plain.log)")
    }

    @Test("the finished clone directory a link to a root-owned directory: start refuses, nothing moves")
    func cloneDirectoryLink() throws {
        let workspace = try Workspace()
        let build = try #require(PostgresBuild.available.first)
        let (_, b) = try BootstrapTests.pairWithStoppedStandby(workspace, build)
        b.parameters["bootstrap"] = "true"
        try FileManager.default.removeItem(atPath: b.datadir)
        try run("/usr/bin/install", ["-d", "-o", "postgres", "-g", "postgres", "-m", "0700", b.datadir])
        let rootDirectory = workspace.path + "/root-dir"
        try run("/usr/bin/install", ["-d", "-o", "root", "-g", "root", "-m", "0755", rootDirectory])
        try "keep\n".write(toFile: rootDirectory + "/PG_VERSION", atomically: false, encoding: .utf8)
        try "keep\n".write(toFile: rootDirectory + "/important", atomically: false, encoding: .utf8)
        try Self.plant(link: b.datadir + "/.pgha-clone", to: rootDirectory)
        let started = try b.pgha("start")
        #expect(started.code == 1, "\(started.log)")
        #expect(started.log.contains("'\(b.datadir)/.pgha-clone' is not a directory of a clone"), "\(started.log)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: rootDirectory).sorted() == ["PG_VERSION", "important"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: b.datadir) == [".pgha-clone"], "nothing moved in")
    }
}
