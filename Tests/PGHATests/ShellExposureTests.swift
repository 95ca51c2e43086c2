import Testing
@testable import PGHA

@Suite("ShellExposure")
struct ShellExposureTests {
    @Test("quote: single quotes, a quote inside closed, escaped and reopened")
    func quote() {
        #expect(ShellExposure.quote("data_directory=/var/lib/pg 15") == "'data_directory=/var/lib/pg 15'")
        #expect(ShellExposure.quote("a'b") == #"'a'\''b'"#)
        #expect(ShellExposure.quote("") == "''")
    }

    @Test("paths: what a shell acts on inside double quotes is found, the rest passes",
          arguments: [("/var/lib/postgresql/15/main", nil), ("/srv/data dir 'é", nil), ("/a\"b", "\""),
                      ("/a$HOME", "$"), ("/a`id`", "`"), ("/a\\b", "\\"), ("/a\nb", "\n")] as [(String, Character?)])
    func paths(path: String, found: Character?) {
        #expect(ShellExposure.unsafeInQuotes(path) == found)
    }

    @Test("start_opts: plain -c options pass; quoting and shell syntax are refused",
          arguments: [("-c config_file=/etc/postgresql/15/main/postgresql.conf", nil),
                      ("-c unix_socket_directories=/tmp -c shared_buffers=128MB -c log_line_prefix=%m", nil),
                      ("-c a=1; rm -rf /", ";"), ("-c a=1 | x", "|"), ("-c a=$(id)", "$"), ("-c a='x y'", "'"),
                      ("-c a=1 & b", "&"), ("-c a=1 > /tmp/x", ">"), ("-c a=é", "é")] as [(String, Character?)])
    func options(options: String, found: Character?) {
        #expect(ShellExposure.unsafeOption(options) == found)
    }

    @Test("a refused line break is spelt out in the reason")
    func describe() {
        #expect(ShellExposure.describe("\n") == "a line break")
        #expect(ShellExposure.describe(";") == "';'")
    }
}
