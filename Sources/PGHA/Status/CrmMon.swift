/// A resource instance's role on one node, as Pacemaker reports it.
public enum PacemakerRole: Equatable, Sendable {
    case promoted, unpromoted, stopped
    /// The instance failed (crm_mon's `failed="true"`), whatever role it had.
    case failed
    /// A transitional or unknown role, lower-cased as crm_mon prints it ("starting", "migrating"...).
    case other(String)

    /// Pacemaker 2.1's words (promoted, unpromoted) and 2.0's (Master, Slave; Started for a plain clone).
    init(crmMon role: String) {
        switch role.lowercased() {
        case "promoted", "master": self = .promoted
        case "unpromoted", "slave", "started": self = .unpromoted
        case "stopped": self = .stopped
        default: self = .other(role.lowercased())
        }
    }

    public var name: String {
        switch self {
        case .promoted: return "promoted"
        case .unpromoted: return "unpromoted"
        case .stopped: return "stopped"
        case .failed: return "failed"
        case .other(let role): return role
        }
    }
}

/// What `crm_mon --output-as=xml` says about the cluster's nodes and one resource. Pure: built from the XML text.
public struct CrmMon: Equatable, Sendable {
    public struct Node: Equatable, Sendable {
        public var name: String
        public var online: Bool
        public var standby: Bool
        public var maintenance: Bool
        /// Being fenced or lost without fencing yet.
        public var unclean: Bool
    }

    /// A failed operation Pacemaker keeps in its history until a cleanup.
    public struct Failure: Equatable, Sendable {
        public var node: String
        public var operation: String
        public var exitStatus: String
        public var exitReason: String
    }

    public var nodes: [Node]
    /// The resource's role on each node where an instance is active or failed; other nodes are stopped.
    public var roles: [String: PacemakerRole]
    /// Per node, the node attributes crm_mon shows (promotion scores: `master-<resource>`).
    public var attributes: [String: [String: String]]
    public var failures: [Failure]

    public init(xml: String, resource: String) throws(PacemakerXML.SyntaxError) {
        let root = try PacemakerXML(parsing: xml).root
        nodes = (root.child("nodes")?.children(named: "node") ?? []).compactMap { node in
            guard let name = node["name"] else { return nil }
            return Node(name: name, online: node["online"] == "true", standby: node["standby"] == "true",
                        maintenance: node["maintenance"] == "true", unclean: node["unclean"] == "true")
        }
        roles = [:]
        // Clone instances are `resource` elements named after the primitive (`pgsqld`, or `pgsqld:1` for a
        // unique clone), each with the node it runs on; a stopped instance has no node.
        for instance in root.child("resources")?.descendants(named: "resource") ?? [] {
            guard let id = instance["id"], id == resource || id.hasPrefix(resource + ":") else { continue }
            let role: PacemakerRole = instance["failed"] == "true" ? .failed : PacemakerRole(crmMon: instance["role"] ?? "")
            for node in instance.children(named: "node") {
                guard let name = node["name"] else { continue }
                // A failed instance says more than another instance's role on the same node.
                if roles[name] != .failed { roles[name] = role }
            }
        }
        attributes = [:]
        for node in root.child("node_attributes")?.children(named: "node") ?? [] {
            guard let name = node["name"] else { continue }
            var values: [String: String] = [:]
            for attribute in node.children(named: "attribute") {
                if let key = attribute["name"] { values[key] = attribute["value"] ?? "" }
            }
            attributes[name] = values
        }
        failures = (root.child("failures")?.children(named: "failure") ?? []).compactMap { failure in
            guard let key = failure["op_key"], key.hasPrefix(resource + "_") || key.hasPrefix(resource + ":"),
                  let node = failure["node"] else { return nil }
            return Failure(node: node, operation: failure["task"] ?? key, exitStatus: failure["exitstatus"] ?? "",
                           exitReason: failure["exitreason"] ?? "")
        }
    }

    /// The role on `node`: stopped where no instance runs.
    public func role(on node: String) -> PacemakerRole { roles[node] ?? .stopped }
}

/// Promotion scores as Pacemaker writes them: integers, or ±INFINITY (1000000 in Pacemaker's arithmetic).
public enum PromotionScoreText {
    public static func parse(_ text: String) -> Int? {
        switch text.trimmingWhitespace.uppercased() {
        case "INFINITY", "+INFINITY": return 1_000_000
        case "-INFINITY": return -1_000_000
        default: return Int(text.trimmingWhitespace)
        }
    }
}
