#if canImport(Glibc)
import Glibc
#endif

/// bootstrap=true: a node without data (a new node, a replaced disk, a data directory removed by the admin)
/// is cloned from the current primary at start, then started as any standby.
///
/// The clone never leaves something that looks startable half-done: pg_basebackup writes into
/// `.pgha-clone-partial` inside the data directory, the old files (if any) go with PG_VERSION first, the
/// finished clone is renamed `.pgha-clone`, and its entries are moved up with PG_VERSION last. A start that
/// finds either directory knows which step was cut short (`DataDirectoryContents`).
/// The parameters, when a data directory without data (`path`) may be cloned at start (bootstrap=true);
/// otherwise the same error again.
func parametersForBootstrap(_ environment: OCFEnvironment, path: String, empty: Bool) throws(AgentError) -> Parameters {
    let parameters = try Parameters(environment: environment)
    guard parameters.bootstrap else { throw .noData(path: path, empty: empty) }
    return parameters
}

/// Returns the primary it cloned from.
func bootstrapDataDirectory(_ parameters: Parameters, context: ActionContext) throws(AgentError) -> String {
    let user = try SystemUser(name: parameters.systemUser)
    let node = context.environment.nodeName
    let source = try cloneSource(parameters, user: user, node: node, context: context)
    context.log.info("data directory \(parameters.datadir) has no data: cloning it from \(source.primary) (PostgreSQL \(source.version), bootstrap=true)")
    try cloneDataDirectory(parameters, user: user, source: source, context: context)
    recordDecision("cloned from \(source.primary) (bootstrap=true): the data directory had no data", context: context)
    return source.primary
}

/// The primary a clone is taken from, with what the clone needs to know of it.
struct CloneSource {
    var primary: String
    var version: ServerVersion
    /// This node's slot on the primary: pg_basebackup streams WAL through it, so the primary keeps what
    /// the new standby will need next.
    var slot: String
    /// What to do with it first: nothing, create it (absent), or drop and create it (invalidated).
    var slotState: SlotState
    var bindir: String

    enum SlotState: Equatable { case usable, absent, lost }
}

/// The promoted node (Pacemaker's view, else the last notification's), confirmed writable.
func cloneSource(_ parameters: Parameters, user: SystemUser, node: String,
                 context: ActionContext) throws(AgentError) -> CloneSource {
    var candidate = context.cluster.promotedNode(resource: context.environment.resourceName)
    if candidate == nil, let saved = context.readState("promoted"), !saved.isEmpty { candidate = saved }
    guard let primary = candidate, primary != node else {
        throw .refused("no primary to clone the data directory from: bootstrap needs a running primary")
    }
    let slot = ReplicationSlot.name(for: node)
    let row: [String?]
    let session: Session
    do {
        session = try remoteSession(parameters, to: primary, as: user, deadline: context.deadline)
        // wal_status exists from 13 on: read through jsonb, the same query serves older servers.
        row = try session.query("""
            SELECT pg_is_in_recovery(), current_setting('server_version_num'),
                   (SELECT coalesce(to_jsonb(s) ->> 'wal_status', 'reserved') FROM pg_replication_slots s
                     WHERE slot_name = $1 AND slot_type = 'physical')
            """, [slot]).first ?? []
    } catch {
        throw .refused("cannot clone from \(primary): \(error.reason)")
    }
    guard row.count == 3, row[0] == "f" else { throw .refused("cannot clone from \(primary): it is in recovery") }
    guard let number = row[1].flatMap({ Int($0) }) else { throw .query("server_version_num of \(primary) unreadable") }
    let version = ServerVersion(major: number >= 100_000 ? number / 10_000 : number / 100)
    let bindir = parameters.bindir ?? Resource.defaultBindir(for: version)
    guard ChildProcess.isExecutable(bindir + "/pg_basebackup") else { throw .binaryMissing(bindir + "/pg_basebackup") }
    // A slot the primary created or replaced without reserving WAL (restart_lsn and wal_status NULL) is
    // usable: pg_basebackup streams through it, and the clone's WAL position becomes its restart_lsn.
    let state: CloneSource.SlotState = row[2] == nil ? .absent : row[2] == "lost" ? .lost : .usable
    if state == .lost {
        // An invalidated slot cannot stream: the clone needs a new one, which pg_basebackup creates.
        do {
            try session.query("SELECT pg_drop_replication_slot($1)", [slot])
        } catch {
            throw .refused("cannot drop the invalidated slot \(slot) on \(primary): \(error.reason)")
        }
        context.log.info("dropped the invalidated slot \(slot) on \(primary): the clone creates it again")
    }
    return CloneSource(primary: primary, version: version, slot: slot, slotState: state, bindir: bindir)
}

/// Clones into the data directory, replacing what it holds (nothing, a cut-short clone, or a diverged
/// node's files when pg_rewind could not bring it back). Every step inside the directory goes through
/// `SystemUserFiles`, as the system user: a clone directory the user replaced with a link is refused.
func cloneDataDirectory(_ parameters: Parameters, user: SystemUser, source: CloneSource,
                        context: ActionContext) throws(AgentError) {
    let directory = DataDirectory(path: parameters.datadir, owner: user)
    let files = directory.files
    let partial = directory.file(DataDirectoryContents.partialClone)
    let finished = directory.file(DataDirectoryContents.finishedClone)
    if !directory.exists { try createDataDirectory(directory.path, user: user) }
    if directory.contents != .cloneFinished {
        switch files.kind(partial) {
        case .missing: break
        case .directory: try ChildProcess.check("/bin/rm", ["-rf", "--", partial], as: user,
                                                timeoutSeconds: context.deadline.seconds(atMost: 120))
        // rm removes a link itself, not what it points at; the agent still says what it found.
        case .symbolicLink, .other: throw .untrustedPath(path: partial, why: "is not a directory of a clone")
        }
        try files.makeDirectory(partial)
        // Passwords in replication_options reach pg_basebackup outside its world-readable argument vector.
        let secrets = try ChildSecrets(conninfo: primarySourceConninfo(parameters, primary: source.primary,
                                                                       deadline: context.deadline), user: user)
        defer { secrets.remove() }
        var arguments = ["-D", partial, "-d", secrets.conninfo, "-X", "stream", "-c", "fast", "-w", "-S", source.slot]
        if source.slotState != .usable { arguments.append("-C") }
        let started = Clock.now
        // The start's time but what starting the server needs after the clone.
        try ChildProcess.check(source.bindir + "/pg_basebackup", arguments, as: user, environment: secrets.environment,
                               timeoutSeconds: context.deadline.seconds(keeping: startReserve(context)))
        context.log.info("pg_basebackup from \(source.primary) done in \(Int((Clock.now - started).rounded())) s through slot \(source.slot)\(source.slotState == .usable ? "" : " (created)")")
        // The old files go only now that the new ones are complete; PG_VERSION first, so that what is left
        // is never taken for a data directory.
        try removeEntries(of: directory, except: DataDirectoryContents.partialClone, user: user, context: context)
        try files.rename(partial, to: finished)
        files.syncDirectory(directory.path)
    }
    guard files.kind(finished) == .directory else {
        throw .untrustedPath(path: finished, why: "is not a directory of a clone")
    }
    let moving = try files.entries(finished) ?? []
    for name in moving where name != "PG_VERSION" {
        try files.rename(finished + "/" + name, to: directory.file(name))
    }
    files.syncDirectory(directory.path)
    if moving.contains("PG_VERSION") {
        try files.rename(finished + "/PG_VERSION", to: directory.file("PG_VERSION"))
    }
    try files.removeDirectory(finished)
    files.syncDirectory(directory.path)
    guard directory.version != nil else { throw .unexpectedState("the clone from \(source.primary) has no PG_VERSION") }
    forgetSlotLoss(node: context.environment.nodeName, context: context)
}

/// A data directory that does not exist yet, owned by the system user, mode 0700. Its parent may be
/// root's (the user could not create it there): the missing parents are made as root, refusing a
/// component that is a link another user could have planted.
private func createDataDirectory(_ path: String, user: SystemUser) throws(AgentError) {
    try FileSystem.makeTrustedDirectories(FileSystem.parent(of: path))
    try FileSystem.makeOwnedDirectory(path, owner: user)
}

/// Removes the data directory's entries but `kept` and `lost+found`, as the system user (so nothing it
/// does not own goes), PG_VERSION first.
private func removeEntries(of directory: DataDirectory, except kept: String, user: SystemUser,
                           context: ActionContext) throws(AgentError) {
    let names = (try directory.files.entries(directory.path + "/.") ?? []).filter { $0 != "lost+found" && $0 != kept }
    guard !names.isEmpty else { return }
    if names.contains("PG_VERSION") { try directory.files.remove(directory.file("PG_VERSION")) }
    let rest = names.filter { $0 != "PG_VERSION" }
    if !rest.isEmpty {
        context.log.info("removing \(rest.count) entr\(rest.count == 1 ? "y" : "ies") of \(directory.path) before the clone takes their place")
        try ChildProcess.check("/bin/rm", ["-rf", "--"] + rest.map { directory.file($0) }, as: user,
                               timeoutSeconds: context.deadline.seconds(atMost: 120))
    }
    directory.files.syncDirectory(directory.path)
}

/// A node whose slot on the primary was invalidated (it stayed away while more than max_slot_wal_keep_size
/// of WAL was written) cannot stream: the WAL it needs next is gone. Two things tell: the slot itself
/// (`wal_status` 'lost'), and, once the primary has replaced it with an empty one, the node attribute the
/// primary wrote first (`SlotLoss`). With bootstrap=true the node is cloned again (true is returned) and the
/// attribute goes with the old data; without, start refuses it with the facts and leaves both as they are.
func recloneIfSlotLost(_ resource: Resource, primary: String, context: ActionContext) throws(AgentError) -> Bool {
    var status: String?
    do {
        let session = try remoteSession(resource.parameters, to: primary, as: resource.user, deadline: context.deadline)
        status = try session.value("""
            SELECT to_jsonb(s) ->> 'wal_status' FROM pg_replication_slots s WHERE slot_name = $1
            """, [resource.slotName])
    } catch {
        context.log.warning("cannot read slot \(resource.slotName) on \(primary) (\(error.reason)): not checked")
    }
    let attribute = SlotLoss.attributeName(resource: context.environment.resourceName)
    var recorded: String?
    do {
        recorded = try context.cluster.nodeAttribute(attribute, node: resource.node)
    } catch {
        context.log.warning("cannot read node attribute \(attribute) of \(resource.node) (\(error.reason)): not checked")
    }
    switch SlotLossCheck.decide(slot: resource.slotName, primary: primary, walStatus: status, recorded: recorded,
                                attribute: attribute, bootstrap: resource.parameters.bootstrap) {
    case .follow:
        return false
    case .refuse(let reason):
        throw .refused(reason)
    case .reclone(let facts):
        context.log.warning("\(facts): cloning the data directory again (bootstrap=true)")
        let source = try cloneSource(resource.parameters, user: resource.user, node: resource.node, context: context)
        try cloneDataDirectory(resource.parameters, user: resource.user, source: source, context: context)
        recordDecision("cloned again from \(source.primary): its slot had been invalidated", context: context)
        return true
    }
}

/// After a clone the node's data is new: a recorded loss of its slot (`SlotLoss`) was about the old data,
/// and left in place it would have the next start clone again.
func forgetSlotLoss(node: String, context: ActionContext) {
    let cluster = context.cluster
    let attribute = SlotLoss.attributeName(resource: context.environment.resourceName)
    let recorded: String?
    do {
        recorded = try cluster.nodeAttribute(attribute, node: node)
    } catch {
        context.log.info("node attribute \(attribute) of \(node) not checked after the clone: \(error.reason)")
        return
    }
    guard let recorded else { return }
    do {
        try cluster.deleteNodeAttribute(attribute, node: node)
        context.log.info("node attribute \(attribute) of \(node) deleted (\(recorded)): the clone replaced the data it was about")
    } catch {
        context.log.warning("node attribute \(attribute) of \(node) not deleted (\(error.reason)): the next start clones again unless it is deleted (crm_attribute --node \(node) --name \(attribute) --delete)")
    }
}
