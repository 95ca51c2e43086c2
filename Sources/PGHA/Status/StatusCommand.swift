#if canImport(Glibc)
import Glibc
#endif

/// `pgha status`: reads the cluster (CIB, crm_mon, the agents' recorded decisions), asks every node's
/// PostgreSQL what it is, and assesses. Nothing here changes the cluster: Pacemaker is only queried and
/// PostgreSQL only answers SELECTs.
public func clusterStatus(resource name: String?, cluster: Cluster = Cluster()) throws(StatusError) -> ClusterStatus {
    try ClusterSnapshot.read(resource: name, cluster: cluster).status
}

/// Everything `pgha status` read, for the admin commands that decide from it (`pgha switchover`).
public struct ClusterSnapshot: Sendable {
    public var status: ClusterStatus
    public var cib: CIB
    public var crmMon: CrmMon
    public var resource: CIB.Resource
    public var parameters: Parameters
    public var user: SystemUser

    /// Reads the CIB and crm_mon, and asks every node's PostgreSQL (see `clusterStatus`).
    public static func read(resource name: String?, cluster: Cluster) throws(StatusError) -> ClusterSnapshot {
        // libpq runs as system_user (peer authentication and its passfile), which only root can switch to.
        guard geteuid() == 0 else {
            throw .notPermitted("pgha status must run as root (it connects as the resource's system_user)")
        }
        let cibText = try cluster.cibXML()
        let cib: CIB
        do { cib = try CIB(xml: cibText) } catch { throw .unreadableXML(command: "cibadmin --query", error: error) }
        let resource = try cib.resource(named: name)
        let parameters: Parameters
        let user: SystemUser
        do throws(AgentError) {
            // Unset parameters take the agent's own defaults, as they do when Pacemaker runs it.
            var variables: [String: String] = [:]
            for (key, value) in resource.parameters { variables["OCF_RESKEY_" + key] = value }
            parameters = try Parameters(environment: OCFEnvironment(variables))
            user = try SystemUser(name: parameters.systemUser)
        } catch {
            throw .invalidParameters(resource: resource.id, reason: error.reason)
        }
        let monText = try cluster.crmMonXML()
        let crmMon: CrmMon
        do { crmMon = try CrmMon(xml: monText, resource: resource.id) } catch {
            throw .unreadableXML(command: "crm_mon --output-as=xml", error: error)
        }
        let nodes = Array(Set(cib.nodes + crmMon.nodes.map(\.name))).sorted()
        let decisions = cluster.privateAttributeOnAllNodes(DecisionRecord.attributeName(resource: resource.id))
        let answers = gatherServerFacts(nodes: nodes, parameters: parameters, user: user)
        let status = ClusterStatus.assess(.init(resource: resource, parameters: parameters, nodes: nodes, crmMon: crmMon,
                                                cibAttributes: cib.transientAttributes, answers: answers, decisions: decisions))
        return ClusterSnapshot(status: status, cib: cib, crmMon: crmMon, resource: resource, parameters: parameters,
                               user: user)
    }
}

/// Prints the status (text or JSON) and returns the exit code: 0 healthy, 1 problems found (a node that does
/// not answer is one), 2 when no status could be read at all (no cluster, no such resource...).
public func runStatus(resource: String?, json: Bool, cluster: Cluster = Cluster()) -> Int32 {
    do throws(StatusError) {
        let status = try clusterStatus(resource: resource, cluster: cluster)
        print(json ? StatusJSON.render(status) : StatusText.render(status), terminator: "")
        return status.exitCode
    } catch {
        fputs("pgha status: \(error.message)\n", stderr)
        return 2
    }
}
