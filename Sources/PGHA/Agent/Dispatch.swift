/// The OCF entry point: one action name as the only argument, everything else in the environment.
/// Returns the process exit code; errors become an `ocf-exit-reason` line and their OCF code here, and
/// nowhere else.
public func runAgent(arguments: [String], environment: OCFEnvironment) -> Int32 {
    guard arguments.count == 1 else {
        let log = Log(instance: environment.instance, action: "usage")
        let reason = "usage: pgha {start|stop|monitor|promote|demote|notify|validate-all|meta-data}"
        log.error(reason)
        log.exitReason(reason)
        return OCFReturnCode.errArgs.rawValue
    }
    let action = arguments[0]
    let context = ActionContext(environment: environment, action: action)
    do throws(AgentError) {
        let code: OCFReturnCode
        switch action {
        case "meta-data":
            print(MetaData.xml, terminator: "")
            code = .success
        case "usage", "help":
            print("usage: pgha {start|stop|monitor|promote|demote|notify|validate-all|meta-data}")
            code = .success
        case "validate-all": code = try validateAll(context)
        case "start":
            try checkCloneMeta(environment, parameters: try Parameters(environment: environment))
            code = try start(context)
        case "stop": code = try stop(context)
        case "monitor": code = try monitor(context)
        case "promote": code = try promote(context)
        case "demote": code = try demote(context)
        case "notify": code = notify(context)
        default: throw AgentError.unknownAction(action)
        }
        return code.rawValue
    } catch {
        context.log.error(error.reason)
        context.log.exitReason(error.reason)
        return error.code.rawValue
    }
}
