/// Pure: the recovery configuration a standby on `node` should have, given what it has now and which node
/// is promoted (nil when unknown, as at start before any notification).
///
/// A known promoted node wins. Unknown: keep the current primary_conninfo, except one that points at this
/// node itself (a demoted primary, or settings copied by pg_basebackup from the node that is now us):
/// streaming from oneself can never succeed. The slot is always this node's own.
public func standbyConfiguration(current: RecoveryConfiguration, node: String, promoted: String?,
                                 parameters: Parameters) -> RecoveryConfiguration {
    let slot = ReplicationSlot.name(for: node)
    if let promoted, promoted != node {
        let conninfo = Conninfo.primary(address: parameters.address(of: promoted), standby: node,
                                        options: parameters.replicationOptions)
        return RecoveryConfiguration(primaryConninfo: conninfo, primarySlotName: slot)
    }
    let own = parameters.address(of: node)
    let host = Conninfo.value(of: "host", in: current.primaryConninfo)
    let port = Conninfo.value(of: "port", in: current.primaryConninfo).flatMap { Int($0) } ?? parameters.pgport
    let pointsAtSelf = promoted == node || (host == own.host && port == own.port)
    return RecoveryConfiguration(primaryConninfo: pointsAtSelf ? "" : current.primaryConninfo, primarySlotName: slot)
}
