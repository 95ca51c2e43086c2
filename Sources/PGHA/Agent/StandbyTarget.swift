/// Pure: the recovery configuration a standby on `node` should have, given what it has now and which node
/// is promoted (nil when unknown, as at start before any notification).
///
/// A known promoted node wins. Unknown: stream from nobody until a notification names the primary. The
/// node the current setting names is no primary Pacemaker knows: after a whole-cluster restart it is
/// another standby (the last primary's setting outlives its promotion), and a standby streaming from
/// another standby makes that one's shutdown wait for its cascading WAL sender (seen in the lab: a stop
/// past its timeout, and a fence). The slot is always this node's own.
public func standbyConfiguration(current: RecoveryConfiguration, node: String, promoted: String?,
                                 parameters: Parameters) -> RecoveryConfiguration {
    let slot = ReplicationSlot.name(for: node)
    guard let promoted, promoted != node else {
        return RecoveryConfiguration(primaryConninfo: "", primarySlotName: slot)
    }
    let conninfo = Conninfo.primary(address: parameters.address(of: promoted), standby: node,
                                    options: parameters.replicationOptions)
    return RecoveryConfiguration(primaryConninfo: conninfo, primarySlotName: slot)
}
