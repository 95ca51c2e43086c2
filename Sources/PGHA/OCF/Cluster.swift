#if canImport(Glibc)
import Glibc
#endif

/// Pacemaker's command-line tools, for the few things the agent asks of the cluster. None of them runs
/// in monitor's steady state.
public struct Cluster: Sendable {
    public let sbindir: String
    /// The action's deadline: no tool runs past it (each also has its own limit, 10 or 20 s).
    public let deadline: Deadline

    public init(sbindir: String = "/usr/sbin", deadline: Deadline = .none) {
        self.sbindir = sbindir
        self.deadline = deadline
    }

    /// The tools where `HA_SBIN_DIR` says, as the OCF shell and Perl libraries (and so PAF) read it, else
    /// in /usr/sbin. The integration tests point it at stand-ins.
    public init(environment: OCFEnvironment, deadline: Deadline = .none) {
        let directory = environment["HA_SBIN_DIR"] ?? ""
        self.init(sbindir: directory.isEmpty ? "/usr/sbin" : directory, deadline: deadline)
    }

    /// True when the tools are installed (outside a cluster, as in the integration tests, they may not be).
    public var isInstalled: Bool { ChildProcess.isExecutable(sbindir + "/crm_node") }

    /// The cluster's nodes from `crm_node -l` (`<id> <name> <state>` per line), nil when no cluster answers.
    public func nodes() -> [String]? {
        guard isInstalled, let result = try? ChildProcess.run(sbindir + "/crm_node", ["-l"], timeoutSeconds: deadline.seconds(atMost: 10)),
              result.succeeded
        else { return nil }
        return Cluster.parseNodeList(result.output)
    }

    /// The nodes of this node's partition (online with it) from `crm_node -p`, nil when no cluster answers.
    public func partition() -> [String]? {
        guard isInstalled, let result = try? ChildProcess.run(sbindir + "/crm_node", ["-p"], timeoutSeconds: deadline.seconds(atMost: 10)),
              result.succeeded
        else { return nil }
        return result.output.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// The node where `resource` runs promoted, from `crm_resource --locate`; nil when none or no cluster.
    public func promotedNode(resource: String) -> String? {
        guard isInstalled, let result = try? ChildProcess.run(sbindir + "/crm_resource",
                                                             ["--resource", resource, "--locate"], timeoutSeconds: deadline.seconds(atMost: 10)),
              result.succeeded
        else { return nil }
        return Cluster.parsePromoted(result.output)
    }

    /// `resource pgsqld is running on: n2 Promoted` (2.1; `Master` in 2.0).
    static func parsePromoted(_ output: String) -> String? {
        for line in output.split(separator: "\n") {
            let words = line.split(whereSeparator: \.isWhitespace)
            if let role = words.last, role == "Promoted" || role == "Master", words.count >= 2 {
                return String(words[words.count - 2])
            }
        }
        return nil
    }

    static func parseNodeList(_ output: String) -> [String] {
        output.split(separator: "\n").compactMap { line in
            let fields = line.split(whereSeparator: \.isWhitespace)
            return fields.count >= 2 ? String(fields[1]) : nil
        }
    }

    /// Sets a private node attribute (no transition is triggered; other nodes read it with `privateAttribute`).
    public func setPrivateAttribute(_ name: String, value: String, node: String,
                                    timeoutSeconds: Int = 10) throws(AgentError) {
        let timeoutSeconds = deadline.seconds(atMost: timeoutSeconds)
        try ChildProcess.check(sbindir + "/attrd_updater", ["--private", "--lifetime", "reboot", "--name", name,
                                                            "--update", value, "--node", node],
                               timeoutSeconds: timeoutSeconds)
    }

    /// Reads a private node attribute, nil when unset.
    public func privateAttribute(_ name: String, node: String) -> String? {
        guard let result = try? ChildProcess.run(sbindir + "/attrd_updater", ["--private", "--name", name,
                                                                            "--query", "--node", node],
                                                 timeoutSeconds: deadline.seconds(atMost: 10)),
              result.succeeded
        else { return nil }
        // `name="lsn" host="n1" value="3#0/5000120"`
        guard let range = result.output.firstRange(of: "value=\"") else { return nil }
        let value = result.output[range.upperBound...].prefix { $0 != "\"" }
        return value.isEmpty ? nil : String(value)
    }

    /// A private attribute's value on every node that has one (`attrd_updater --query --all`); empty when
    /// no node has it or no cluster answers.
    public func privateAttributeOnAllNodes(_ name: String) -> [String: String] {
        guard let result = try? ChildProcess.run(sbindir + "/attrd_updater", ["--name", name, "--query", "--all"],
                                                 timeoutSeconds: deadline.seconds(atMost: 10)),
              result.succeeded
        else { return [:] }
        return Cluster.parseAttributeQuery(result.output)
    }

    /// `name="pgha-decision-pgsqld" host="n1" value="..."` per line. attrd_updater prints the value as it is,
    /// without escaping: it runs to the line's last double quote.
    static func parseAttributeQuery(_ output: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let hostStart = line.firstRange(of: " host=\"")?.upperBound,
                  let hostEnd = line[hostStart...].firstRange(of: "\" value=\""),
                  let lastQuote = line.lastIndex(of: "\""), lastQuote >= hostEnd.upperBound
            else { continue }
            let host = String(line[hostStart..<hostEnd.lowerBound])
            let value = String(line[hostEnd.upperBound..<lastQuote])
            if !value.isEmpty { values[host] = value }
        }
        return values
    }

    /// The whole CIB, configuration and status (`cibadmin --query`).
    public func cibXML() throws(StatusError) -> String {
        try output(of: sbindir + "/cibadmin", ["--query"], named: "cibadmin --query")
    }

    /// The cluster as crm_mon sees it, once, as XML.
    public func crmMonXML() throws(StatusError) -> String {
        try output(of: sbindir + "/crm_mon", ["--one-shot", "--output-as=xml"], named: "crm_mon --output-as=xml")
    }

    private func output(of path: String, _ arguments: [String], named command: String) throws(StatusError) -> String {
        guard ChildProcess.isExecutable(path) else {
            throw .noCluster(command: command, output: "\(path) is not installed")
        }
        let result: ProcessResult
        do {
            result = try ChildProcess.run(path, arguments, timeoutSeconds: deadline.seconds(atMost: 20))
        } catch {
            throw .noCluster(command: command, output: error.reason)
        }
        guard result.succeeded else {
            // crm_mon's XML names the error in <error> lines; the plain tools print it as text.
            let errors = result.output.split(separator: "\n").compactMap { line -> String? in
                guard let start = line.firstRange(of: "<error>")?.upperBound,
                      let end = line.firstRange(of: "</error>")?.lowerBound, start <= end else { return nil }
                return String(line[start..<end])
            }
            let text = errors.isEmpty ? result.output.trimmingWhitespace : errors.joined(separator: "; ")
            throw .noCluster(command: command, output: text.isEmpty ? "exit status \(result.status)" : text)
        }
        return result.output
    }

    public func deletePrivateAttribute(_ name: String, node: String) {
        _ = try? ChildProcess.run(sbindir + "/attrd_updater", ["--private", "--name", name, "--delete",
                                                               "--node", node], timeoutSeconds: deadline.seconds(atMost: 10))
    }

    /// Sets this resource's promotion score on `node`, for this boot only: a score that outlives a reboot
    /// lets a returning former primary outrank the running one.
    public func setPromotionScore(_ score: Int, resource: String, node: String) throws(AgentError) {
        try ChildProcess.check(sbindir + "/crm_attribute", ["--promotion=\(resource)", "--lifetime", "reboot",
                                                            "--node", node, "--update", String(score)],
                               timeoutSeconds: deadline.seconds(atMost: 10))
    }

    /// This resource's promotion score on `node`, nil when unset or when no cluster answers.
    public func promotionScore(resource: String, node: String) -> Int? {
        guard let result = try? ChildProcess.run(sbindir + "/crm_attribute",
                                                 ["--promotion=\(resource)", "--lifetime", "reboot", "--node", node,
                                                  "--query", "--quiet"], timeoutSeconds: deadline.seconds(atMost: 10)),
              result.succeeded
        else { return nil }
        return Int(result.output.trimmingWhitespace)
    }

    /// Sets a permanent node attribute (`--lifetime forever`: in the CIB's nodes section, it outlives
    /// reboots of every node) for facts that must wait for the node itself, however long it stays away.
    /// The value goes to crm_attribute as one argument (no shell); line breaks, which a query could not
    /// give back whole, are refused.
    public func setNodeAttribute(_ name: String, value: String, node: String) throws(AgentError) {
        guard !value.contains(where: \.isNewline) else {
            throw .invalidParameter(name: name, value: value, why: "a node attribute's value is one line")
        }
        let result = try nodeAttributeCommand(name, node: node, ["--update", value])
        guard result.succeeded else {
            throw .commandFailed(command: "crm_attribute --update", status: result.status, output: result.output)
        }
    }

    /// A permanent node attribute's value; nil when the node has none (not an error). Throws when the
    /// cluster does not answer: then nobody knows.
    public func nodeAttribute(_ name: String, node: String) throws(AgentError) -> String? {
        let result = try nodeAttributeCommand(name, node: node, ["--query", "--quiet"])
        if Cluster.isNoSuchAttribute(result.status) { return nil }
        guard result.succeeded else {
            throw .commandFailed(command: "crm_attribute --query", status: result.status, output: result.output)
        }
        let value = result.output.trimmingWhitespace
        return value.isEmpty ? nil : value
    }

    /// Deletes a permanent node attribute; one that is already gone is no error.
    public func deleteNodeAttribute(_ name: String, node: String) throws(AgentError) {
        let result = try nodeAttributeCommand(name, node: node, ["--delete"])
        guard result.succeeded || Cluster.isNoSuchAttribute(result.status) else {
            throw .commandFailed(command: "crm_attribute --delete", status: result.status, output: result.output)
        }
    }

    /// `crm_attribute` on `node`'s permanent attribute `name`, then `operation`; its result as it is.
    private func nodeAttributeCommand(_ name: String, node: String, _ operation: [String]) throws(AgentError) -> ProcessResult {
        let path = sbindir + "/crm_attribute"
        guard ChildProcess.isExecutable(path) else { throw .binaryMissing(path) }
        return try ChildProcess.run(path, ["--node", node, "--lifetime", "forever", "--name", name] + operation,
                                    timeoutSeconds: deadline.seconds(atMost: 10))
    }

    /// crm_attribute's exit status for an attribute that does not exist: 105 (CRM_EX_NOSUCH) from
    /// Pacemaker 2.1 on, 6 (ENXIO) before.
    static func isNoSuchAttribute(_ status: Int32) -> Bool { status == 105 || status == 6 }

    /// True when this node's partition has quorum (`crm_node -q` prints 1), false when it has not, nil when
    /// no cluster answers.
    public func isQuorate() -> Bool? {
        guard isInstalled, let result = try? ChildProcess.run(sbindir + "/crm_node", ["-q"], timeoutSeconds: deadline.seconds(atMost: 10)),
              result.succeeded
        else { return nil }
        switch result.output.trimmingWhitespace {
        case "1": return true
        case "0": return false
        default: return nil
        }
    }

    /// A cluster-wide value in the CIB's `crm_config` section (`crm_attribute --type crm_config`); nil when
    /// there is none (not an error). Throws when the cluster does not answer: then nobody knows.
    public func clusterOption(_ name: String) throws(AgentError) -> String? {
        let result = try clusterOptionCommand(name, ["--query", "--quiet"])
        if Cluster.isNoSuchAttribute(result.status) { return nil }
        guard result.succeeded else {
            throw .commandFailed(command: "crm_attribute --type crm_config --query", status: result.status, output: result.output)
        }
        let value = result.output.trimmingWhitespace
        return value.isEmpty ? nil : value
    }

    /// Writes a cluster-wide value, only from a partition with quorum: a value written in a minority's CIB
    /// is replaced by the majority's when the partitions join, so the write could be lost without anyone
    /// knowing. Pacemaker ignores crm_config names it does not know (crm_verify of 2.1.5 and 3.0.0 says
    /// nothing of a `pgha-sync-<resource>` nvpair), and a change there makes it run its scheduler once.
    public func setClusterOption(_ name: String, value: String) throws(AgentError) {
        guard !value.contains(where: \.isNewline) else {
            throw .invalidParameter(name: name, value: value, why: "a cluster option's value is one line")
        }
        guard isQuorate() == true else {
            throw .refused("this node's partition has no quorum (crm_node -q): \(name) not written")
        }
        let result = try clusterOptionCommand(name, ["--update", value])
        guard result.succeeded else {
            throw .commandFailed(command: "crm_attribute --type crm_config --update", status: result.status, output: result.output)
        }
    }

    private func clusterOptionCommand(_ name: String, _ operation: [String]) throws(AgentError) -> ProcessResult {
        let path = sbindir + "/crm_attribute"
        guard ChildProcess.isExecutable(path) else { throw .binaryMissing(path) }
        return try ChildProcess.run(path, ["--type", "crm_config", "--name", name] + operation,
                                    timeoutSeconds: deadline.seconds(atMost: 10))
    }

    /// Forgets `operation` (interval 0) of `resource` on `node` when it failed: its failure record and fail
    /// count, nothing else (no re-probe, unlike a refresh).
    public func clearFailedOperation(_ operation: String, resource: String, node: String) throws(AgentError) {
        try ChildProcess.check(sbindir + "/crm_resource", ["--cleanup", "--resource", resource, "--node", node,
                                                           "--operation", operation, "--interval", "0"],
                               timeoutSeconds: deadline.seconds(atMost: 20))
    }

    /// Moves `clone`'s promoted role to `node` (`crm_resource --move --promoted`): a location constraint
    /// (`cli-prefer-<clone>`) that stays until `clearMove`.
    public func movePromoted(clone: String, to node: String) throws(AgentError) {
        try ChildProcess.check(sbindir + "/crm_resource", ["--move", "--promoted", "--resource", clone, "--node", node],
                               timeoutSeconds: deadline.seconds(atMost: 30))
    }

    /// Removes what `movePromoted` left for `node`; nil when done, else why not (tried three times: the
    /// constraint must not stay behind for a passing CIB error).
    public func clearMove(clone: String, node: String) -> String? {
        var why = ""
        for attempt in 0..<3 {
            if attempt > 0 { usleep(500_000) }
            do {
                try ChildProcess.check(sbindir + "/crm_resource", ["--clear", "--resource", clone, "--node", node],
                                       timeoutSeconds: 30)
                return nil
            } catch {
                why = error.reason
            }
        }
        return why
    }
}
