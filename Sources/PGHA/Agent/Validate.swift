#if canImport(Glibc)
import Glibc
#endif

/// validate-all: parameters, user, binaries, data directory and versions, and, when Pacemaker's clone meta
/// attributes are present, that the resource is a promotable clone with notify=true. Needs no running server.
/// 0, or 2/5/6 with a reason.
func validateAll(_ context: ActionContext) throws(AgentError) -> OCFReturnCode {
    let resource = try Resource.resolve(environment: context.environment, checks: .binariesVersion)
    try checkCloneMeta(context.environment)
    var info = stat()
    if stat(resource.parameters.datadir, &info) == 0, info.st_uid != resource.user.uid {
        throw .invalidParameter(name: "system_user", value: resource.user.name,
                                why: "does not own the data directory \(resource.parameters.datadir)")
    }
    context.log.info("PostgreSQL \(resource.version) in \(resource.parameters.datadir), binaries in \(resource.bindir): valid")
    return .success
}

/// Pacemaker sets clone meta attributes for actions it runs; `pcs resource create` validation and hand runs
/// have none, and are not judged on them.
func checkCloneMeta(_ environment: OCFEnvironment) throws(AgentError) {
    guard environment.hasCloneMeta else { return }
    guard OCFEnvironment.isTrue(environment.meta("notify")) else { throw .notifyDisabled }
    let promotable = environment.meta("promotable") ?? environment.meta("master_max").map { Int($0) ?? 0 > 0 ? "true" : "false" }
    guard OCFEnvironment.isTrue(promotable) else { throw .notPromotable }
}
