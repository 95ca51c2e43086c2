import Testing
@testable import PGHA

@Suite("Conninfo secrets")
struct ConninfoSecretsTests {
    @Test("redacted: password and sslpassword shown as ***, everything else kept")
    func redacted() {
        #expect(Conninfo.redacted("host=n1 port=5432 user=rep password=S3cr3t application_name=n2")
                    == "host=n1 port=5432 user=rep password=*** application_name=n2")
        #expect(Conninfo.redacted("host=n1 password='a b\\'c' sslpassword=k sslmode=require")
                    == "host=n1 password=*** sslpassword=*** sslmode=require")
        #expect(Conninfo.redacted("host=n1 passfile=/var/lib/postgresql/.pgpass") == "host=n1 passfile=/var/lib/postgresql/.pgpass")
    }

    @Test("an unparsable string is masked as free text", arguments: [
        "host='n1 password=S3cr3t", "password = S3cr3t host=", "x password='S3cr3t",
    ])
    func redactedUnparsable(text: String) {
        #expect(!Conninfo.redacted(text).contains("S3cr3t"), "\(Conninfo.redacted(text))")
    }

    @Test("masked: every password value in free text, quoted or bare, inside quotes or not", arguments: [
        ("primary_conninfo 'host=10.0.0.1 password=S3cr3t application_name=n1' slot pgha_n1",
         "primary_conninfo 'host=10.0.0.1 password=*** application_name=n1' slot pgha_n1"),
        ("primary_conninfo 'host=x password='S3 cr\\'3t' port=1'", "primary_conninfo 'host=x password=*** port=1'"),
        ("a password = S3cr3t b sslpassword=S3cr3t", "a password=*** b sslpassword=***"),
        ("conn \"password=S3cr3t\" end", "conn \"password=***\" end"),
        ("no secret here, the word password alone", "no secret here, the word password alone"),
        ("", ""),
    ])
    func masked(text: String, expected: String) {
        #expect(Conninfo.masked(in: text) == expected)
    }

    @Test("masking never leaves the secret, whatever follows it", arguments: [
        "password=S3cr3t", "password='S3cr3t", "password='S3cr3t\\", "x password=S3cr3t'y", "passwordpassword=S3cr3t",
    ])
    func maskedEdge(text: String) {
        #expect(!Conninfo.masked(in: text).contains("S3cr3t"), "\(Conninfo.masked(in: text))")
    }

    @Test("for a child process: the password leaves the connection string for PGPASSWORD")
    func childProcess() throws {
        let split = try Conninfo.forChildProcess("host=n1 port=5432 password='a b' dbname=postgres")
        #expect(split.conninfo == "host=n1 port=5432 dbname=postgres")
        #expect(split.environment == ["PGPASSWORD": "a b"] && split.serviceFile == nil)
        let plain = try Conninfo.forChildProcess("host=n1 passfile=/p")
        #expect(plain.conninfo == "host=n1 passfile=/p" && plain.environment.isEmpty && plain.serviceFile == nil)
    }

    @Test("for a child process: sslpassword leaves the connection string for a service file")
    func childProcessKeyPassphrase() throws {
        let split = try Conninfo.forChildProcess("host=n1 sslkey=/k sslpassword='p q' password=x")
        #expect(split.conninfo == "host=n1 sslkey=/k")
        #expect(split.environment == ["PGPASSWORD": "x"])
        #expect(split.serviceFile == "[pgha]\nsslpassword=p q\n")
        #expect(throws: AgentError.self, "a line break cannot be written there") {
            try Conninfo.forChildProcess("host=n1 sslpassword='a\nb'")
        }
        #expect(throws: AgentError.self, "nor white space at its ends") { try Conninfo.forChildProcess("host=n1 sslpassword=' a'") }
        #expect(throws: AgentError.self, "the admin's service would win over ours") {
            try Conninfo.forChildProcess("host=n1 service=s sslpassword=a")
        }
    }

    @Test("log lines, exit reasons and recorded decisions carry no password")
    func sinks() {
        let log = Log(instance: "pgsqld", action: "notify")
        #expect(!log.line(.info, "primary_conninfo 'host=n1 password=S3cr3t'").contains("S3cr3t"))
        #expect(!DecisionRecord(time: 1, action: "notify", text: "follows n1: primary_conninfo 'host=n1 password=S3cr3t'").line.contains("S3cr3t"))
    }
}
