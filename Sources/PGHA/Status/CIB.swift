/// What `pgha status` reads from the CIB (`cibadmin -Q`): the pgha resources configured, their parameters,
/// the nodes, and the transient node attributes of the status section. Pure: built from the XML text.
public struct CIB: Equatable, Sendable {
    /// A primitive of class ocf, provider heartbeat, type pgha.
    public struct Resource: Equatable, Sendable {
        public var id: String
        /// The clone (or 1.x `master`) that holds it; nil for a bare primitive, which pgha does not support.
        public var clone: String?
        /// Its instance_attributes as set in the CIB; unset parameters are absent (defaults come later).
        public var parameters: [String: String]
    }

    public var resources: [Resource]
    /// Node names of the configuration's `<nodes>`, in CIB order.
    public var nodes: [String]
    /// Per node, the transient attributes of the status section (`master-<resource>` among them).
    public var transientAttributes: [String: [String: String]]
    /// The cluster option `maintenance-mode` (nothing is started, stopped or promoted while it is true).
    public var maintenanceMode: Bool
    /// The ids of the location constraints (`cli-prefer-<clone>` is what `crm_resource --move` leaves).
    public var locationConstraints: [String]

    public init(xml: String) throws(PacemakerXML.SyntaxError) {
        let root = try PacemakerXML(parsing: xml).root
        let configuration = root.child("configuration")
        resources = []
        if let section = configuration?.child("resources") {
            CIB.collect(section, clone: nil, into: &resources)
        }
        nodes = configuration?.child("nodes")?.children(named: "node").compactMap { $0["uname"] } ?? []
        maintenanceMode = (configuration?.child("crm_config")?.children(named: "cluster_property_set") ?? [])
            .flatMap { $0.children(named: "nvpair") }
            .contains { $0["name"] == "maintenance-mode" && ["true", "yes", "on", "1"].contains(($0["value"] ?? "").lowercased()) }
        locationConstraints = configuration?.child("constraints")?.children(named: "rsc_location").compactMap { $0["id"] } ?? []
        transientAttributes = [:]
        for state in root.child("status")?.children(named: "node_state") ?? [] {
            guard let node = state["uname"] else { continue }
            var values: [String: String] = [:]
            for set in state.child("transient_attributes")?.children(named: "instance_attributes") ?? [] {
                for pair in set.children(named: "nvpair") {
                    if let name = pair["name"] { values[name] = pair["value"] ?? "" }
                }
            }
            transientAttributes[node] = values
        }
    }

    /// Walks resources, groups and clones, remembering the nearest clone.
    private static func collect(_ element: PacemakerXML.Element, clone: String?, into found: inout [Resource]) {
        for child in element.children {
            switch child.name {
            case "primitive":
                guard child["class"] == "ocf", child["provider"] == "heartbeat", child["type"] == "pgha",
                      let id = child["id"] else { continue }
                found.append(Resource(id: id, clone: clone, parameters: parameters(of: child)))
            case "clone", "master":
                collect(child, clone: child["id"], into: &found)
            case "group", "bundle":
                collect(child, clone: clone, into: &found)
            default:
                continue
            }
        }
    }

    /// The primitive's nvpairs. Sets with a rule apply to some nodes or times only: they are left out, and the
    /// first set that names a parameter wins, as Pacemaker does for sets of equal score.
    private static func parameters(of primitive: PacemakerXML.Element) -> [String: String] {
        var values: [String: String] = [:]
        for set in primitive.children(named: "instance_attributes") where set.child("rule") == nil {
            for pair in set.children(named: "nvpair") {
                guard let name = pair["name"], values[name] == nil else { continue }
                values[name] = pair["value"] ?? ""
            }
        }
        return values
    }

    /// The resource `pgha status` reports on: the one named, else the only one.
    public func resource(named name: String?) throws(StatusError) -> Resource {
        if let name {
            guard let found = resources.first(where: { $0.id == name }) else {
                throw .unknownResource(name, configured: resources.map(\.id))
            }
            return found
        }
        switch resources.count {
        case 0: throw .noResource
        case 1: return resources[0]
        default: throw .severalResources(resources.map(\.id))
        }
    }
}
