/// Keeps the primary's physical slots in step with the cluster's members: one per other member node,
/// none for nodes that left. Slots the agent did not name (no `pgha_` prefix) are never touched.
func synchronizeSlots(_ resource: Resource, members: [String], context: ActionContext) throws(AgentError) {
    guard !members.isEmpty else {
        context.log.warning("no member list known: replication slots left as they are")
        return
    }
    let session = try resource.connect(timeoutSeconds: 5)
    // wal_status exists from 13 on: read through jsonb, the same query serves older servers.
    let rows = try session.query("""
        SELECT slot_name, to_jsonb(s) ->> 'wal_status' FROM pg_replication_slots s WHERE slot_type = 'physical'
        """)
    let existing = rows.compactMap { $0.first ?? nil }
    let plan = ReplicationSlot.plan(existing: existing, members: members, primary: resource.node)
    // An invalidated slot stays until its node starts: that start reads it, then clones (bootstrap=true)
    // or refuses, and the clone replaces it. It no longer holds WAL back.
    for row in rows where row.count == 2 && row[1] == "lost" {
        if let slot = row[0], !plan.drop.contains(slot) {
            context.log.warning("slot \(slot) was invalidated (max_slot_wal_keep_size): its node needs a new clone (bootstrap=true does it at start)")
        }
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

/// The member nodes: the cluster's node list when a cluster answers, else the nodes the last notification
/// named (saved under HA_RSCTMP), plus any given.
func memberNodes(context: ActionContext, adding extra: [String] = []) -> [String] {
    var members = Cluster().nodes() ?? savedMembers(context: context)
    for node in extra where !members.contains(node) { members.append(node) }
    return members
}

func savedMembers(context: ActionContext) -> [String] {
    (context.readState("members") ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
}

func saveMembers(_ members: [String], context: ActionContext) {
    context.writeState("members", members.joined(separator: " "))
}
