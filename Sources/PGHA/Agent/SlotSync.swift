/// Keeps the primary's physical slots in step with the cluster's members: one per other member node,
/// none for nodes that left, and none invalidated (see `replaceLostSlot`). Slots the agent did not name
/// (no `pgha_` prefix) are never touched.
func synchronizeSlots(_ resource: Resource, members: [String], context: ActionContext) throws(AgentError) {
    guard !members.isEmpty else {
        context.log.warning("no member list known: replication slots left as they are")
        return
    }
    let session = try resource.connect(timeoutSeconds: 5)
    // wal_status exists from 13 on: read through jsonb, the same query serves older servers.
    let rows = try session.query("""
        SELECT slot_name, to_jsonb(s) ->> 'wal_status', restart_lsn, active
          FROM pg_replication_slots s WHERE slot_type = 'physical'
        """)
    let existing = rows.compactMap { $0.first ?? nil }
    let plan = ReplicationSlot.plan(existing: existing, members: members, primary: resource.node)
    let slots = rows.filter { $0.count == 4 }.compactMap { row in row[0].map { (name: $0, walStatus: row[1]) } }
    for (node, slot) in SlotLoss.lostMemberSlots(slots: slots, members: members, primary: resource.node) {
        let row = rows.first { $0.count == 4 && $0[0] == slot }
        replaceLostSlot(slot, of: node, restartLSN: row?[2], active: row?[3] == "t", resource: resource,
                        session: session, context: context)
    }
    for slot in plan.create {
        try session.query("SELECT pg_create_physical_replication_slot($1)", [slot])
        context.log.info("created replication slot \(slot) (members: \(members.joined(separator: " ")))")
    }
    for slot in plan.drop {
        // An active slot belongs to a connected walsender; it is dropped at a later sync once it is idle.
        let active = try session.value("SELECT active FROM pg_replication_slots WHERE slot_name = $1", [slot])
        guard active != "t" else {
            context.log.warning("slot \(slot) of a former member is still in use: not dropped now")
            continue
        }
        try session.query("SELECT pg_drop_replication_slot($1)", [slot])
        context.log.info("dropped replication slot \(slot): its node is no longer a member")
    }
}

/// A member's slot invalidated by max_slot_wal_keep_size (13+) no longer holds WAL, and the WAL its node
/// needs next is gone: that node can only come back through a new clone. The loss is first recorded where the
/// node's next start reads it, a permanent node attribute of the node (`SlotLoss`); only then is the slot
/// replaced by one that reserves no WAL (restart_lsn NULL: it pins nothing while its node is away, and
/// pg_basebackup streams the clone through it). Without the record the invalidated slot is the only
/// evidence: it stays, as the start also reads it.
func replaceLostSlot(_ slot: String, of node: String, restartLSN: String?, active: Bool, resource: Resource,
                     session: Session, context: ActionContext) {
    let attribute = SlotLoss.attributeName(resource: context.environment.resourceName)
    // PostgreSQL clears restart_lsn when it invalidates a slot: the primary's position then says how far
    // past the node's data the WAL went.
    let current = restartLSN == nil ? (try? session.value("SELECT pg_current_wal_lsn()")) ?? nil : nil
    let lsn = restartLSN ?? current ?? "unknown"
    let position = restartLSN == nil ? "primary at \(lsn)" : "restart_lsn \(lsn)"
    let loss = SlotLoss(primary: resource.node, slot: slot, lsn: lsn, time: wallClockSeconds())
    let invalidated = "slot \(slot) of \(node) was invalidated (max_slot_wal_keep_size, \(position))"
    do {
        try context.cluster.setNodeAttribute(attribute, value: loss.value, node: node)
    } catch {
        context.log.warning("\(invalidated): left as it is for \(node)'s next start to find (a new clone with bootstrap=true, else a refusal): node attribute \(attribute) not written: \(error.reason)")
        return
    }
    // A walsender may still hold it for a moment after the invalidation: the next synchronisation
    // replaces it; the record is already there.
    guard !active else {
        context.log.warning("\(invalidated): recorded in node attribute \(attribute) of \(node); still in use, replaced later")
        return
    }
    // Not reserving WAL is pg_create_physical_replication_slot's default. Should the creation fail after
    // the drop, the slot is absent, which the next synchronisation (and pg_basebackup -C) mends.
    do {
        try session.query("SELECT pg_drop_replication_slot($1)", [slot])
        try session.query("SELECT pg_create_physical_replication_slot($1)", [slot])
    } catch {
        context.log.warning("\(invalidated): recorded in node attribute \(attribute) of \(node), but not replaced: \(error.reason)")
        return
    }
    context.log.info("\(invalidated): recorded in node attribute \(attribute) of \(node) (\(loss.value)) and created again without reserved WAL: \(node) comes back through a clone at start (bootstrap=true) or is refused")
}

/// The member nodes: the cluster's node list when a cluster answers, else the nodes the last notification
/// named (saved under HA_RSCTMP), plus any given.
func memberNodes(context: ActionContext, adding extra: [String] = []) -> [String] {
    var members = context.cluster.nodes() ?? savedMembers(context: context)
    for node in extra where !members.contains(node) { members.append(node) }
    return members
}

func savedMembers(context: ActionContext) -> [String] {
    (context.readState("members") ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
}

func saveMembers(_ members: [String], context: ActionContext) {
    context.writeState("members", members.joined(separator: " "))
}
