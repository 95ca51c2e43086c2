#if canImport(Glibc)
import Glibc
#endif
import PGHA

let arguments = Array(CommandLine.arguments.dropFirst())
// Admin commands (`pgha status`, `--help`, `--version`) run in pgha-admin; everything else, every action
// Pacemaker sends included, goes to runAgent as it is, with no parsing on the way.
if AdminCommandLine.handles(arguments) {
    exit(AdminCommandLine.execAdmin(arguments))
}
exit(runAgent(arguments: arguments, environment: .current()))
