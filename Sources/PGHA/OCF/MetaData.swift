/// The agent's self-description for Pacemaker (`meta-data`), valid against ra-api-1.dtd.
public enum MetaData {
    public static let version = "0.1.0"

    /// Actions with their default timeouts (seconds) and intervals. The two monitors differ in interval:
    /// Pacemaker needs distinct intervals per role.
    static let actions: [(name: String, timeout: Int, extra: String)] = [
        ("start", 60, ""),
        ("stop", 60, ""),
        ("promote", 30, ""),
        ("demote", 120, ""),
        ("monitor", 15, " interval=\"15s\" role=\"Promoted\""),
        ("monitor", 16, " interval=\"16s\" role=\"Unpromoted\""),
        ("notify", 60, ""),
        ("meta-data", 5, ""),
        ("validate-all", 5, ""),
    ]

    /// The timeout this agent advertises for `action`, what it assumes when Pacemaker gives none (a run by
    /// hand); 60 s for a name it does not know.
    static func defaultTimeout(of action: String) -> Int {
        actions.first { $0.name == action }?.timeout ?? 60
    }

    public static var xml: String {
        var text = """
            <?xml version="1.0"?>
            <!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">
            <resource-agent name="pgha" version="\(version)">
              <version>1.0</version>
              <longdesc lang="en">
            Keeps a PostgreSQL streaming-replication cluster available, run as a promotable clone with notify=true: \
            one primary, the other nodes streaming standbys. No virtual IP is needed: on promotion every standby's \
            primary_conninfo is pointed at the new primary (reload on PostgreSQL 13 and later) and each streams \
            through its own physical replication slot; clients find the primary with a libpq multi-host \
            connection string and target_session_attrs=read-write. A standby behind another is never promoted.
              </longdesc>
              <shortdesc lang="en">PostgreSQL streaming replication, promotable clone, no VIP</shortdesc>
              <parameters>

            """
        for parameter in ParameterDefinition.all {
            text += """
                    <parameter name="\(parameter.name)" unique="0" required="\(parameter.required ? 1 : 0)">
                      <longdesc lang="en">\(escape(parameter.longdesc))</longdesc>
                      <shortdesc lang="en">\(escape(parameter.shortdesc))</shortdesc>
                      <content type="\(parameter.kind.rawValue)" default="\(escape(parameter.defaultValue))" />
                    </parameter>

                """
        }
        text += "  </parameters>\n  <actions>\n"
        for action in actions {
            text += "    <action name=\"\(action.name)\" timeout=\"\(action.timeout)s\"\(action.extra) />\n"
        }
        text += "  </actions>\n</resource-agent>\n"
        return text
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        for c in text {
            switch c {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(c)
            }
        }
        return escaped
    }
}
