#if canImport(Glibc)
import Glibc
#endif

/// What Pacemaker hands an agent in its environment, read once and passed down.
public struct OCFEnvironment: Sendable {
    public let variables: [String: String]

    public init(_ variables: [String: String]) {
        self.variables = variables
    }

    /// The process environment.
    public static func current() -> OCFEnvironment {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return OCFEnvironment(result)
    }

    public subscript(name: String) -> String? { variables[name] }

    /// `OCF_RESKEY_<name>`, the resource's parameter, nil when unset.
    public func parameter(_ name: String) -> String? { variables["OCF_RESKEY_" + name] }

    /// `OCF_RESKEY_CRM_meta_<name>`, a meta attribute or operation attribute.
    public func meta(_ name: String) -> String? { variables["OCF_RESKEY_CRM_meta_" + name] }

    /// The resource name without the clone instance suffix (`pgsqld:1` -> `pgsqld`).
    public var resourceName: String {
        let instance = variables["OCF_RESOURCE_INSTANCE"] ?? "pgha"
        return String(instance.split(separator: ":").first ?? Substring(instance))
    }

    public var instance: String { variables["OCF_RESOURCE_INSTANCE"] ?? "pgha" }

    /// The operation's interval in milliseconds; 0 for a one-shot operation.
    public var intervalMilliseconds: Int { Int(meta("interval") ?? "0") ?? 0 }

    /// A probe is a monitor with interval 0: Pacemaker asks what runs where, also on nodes without PostgreSQL.
    public func isProbe(action: String) -> Bool { action == "monitor" && intervalMilliseconds == 0 }

    /// The operation's timeout in seconds, with a fallback for runs outside Pacemaker.
    public func timeoutSeconds(default fallback: Int) -> Int {
        guard let value = meta("timeout"), let ms = Int(value), ms > 0 else { return fallback }
        return max(1, ms / 1000)
    }

    /// The name of this node in the cluster: Pacemaker's `on_node`, else the kernel's host name.
    public var nodeName: String {
        if let node = meta("on_node"), !node.isEmpty { return node }
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, buffer.count)
        let host = String(cString: buffer)
        return String(host.split(separator: ".").first ?? Substring(host))
    }

    /// True when Pacemaker's clone meta attributes are present (an action run by the cluster,
    /// not a `pcs resource create` validation or a hand run).
    public var hasCloneMeta: Bool { meta("clone_max") != nil }

    public var checkLevel: Int { Int(variables["OCF_CHECK_LEVEL"] ?? "0") ?? 0 }

    /// Where agents keep state that must not survive a reboot.
    public var stateDirectory: String { variables["HA_RSCTMP"] ?? "/run/resource-agents" }

    public static func isTrue(_ value: String?) -> Bool {
        guard let value = value?.lowercased() else { return false }
        return ["true", "yes", "on", "1", "y"].contains(value)
    }
}
