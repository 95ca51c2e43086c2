/// Why `pgha status` could not report at all (as opposed to problems it found and reports).
public enum StatusError: Error, Equatable, Sendable {
    /// A Pacemaker tool did not answer: no cluster runs here, or this user may not ask it.
    case noCluster(command: String, output: String)
    case unreadableXML(command: String, error: PacemakerXML.SyntaxError)
    case noResource
    case severalResources([String])
    case unknownResource(String, configured: [String])
    case invalidParameters(resource: String, reason: String)
    case notPermitted(String)

    /// What the admin reads on stderr.
    public var message: String {
        switch self {
        case .noCluster(let command, let output):
            let detail = output.split(separator: "\n").first.map { ": \($0)" } ?? ""
            return "no cluster answers on this node (\(command) failed\(detail)); run pgha status as root on a running cluster node"
        case .unreadableXML(let command, let error):
            return "could not read the output of \(command): \(error)"
        case .noResource:
            return "no pgha resource (class ocf, provider heartbeat, type pgha) in the CIB"
        case .severalResources(let names):
            return "several pgha resources in the CIB (\(names.joined(separator: ", "))): choose one with --resource NAME"
        case .unknownResource(let name, let configured):
            let list = configured.isEmpty ? "none is configured" : "configured: \(configured.joined(separator: ", "))"
            return "no pgha resource named '\(name)' in the CIB (\(list))"
        case .invalidParameters(let resource, let reason):
            return "the parameters of \(resource) in the CIB are not valid: \(reason)"
        case .notPermitted(let text):
            return text
        }
    }
}
