#if canImport(Glibc)
import Glibc
#endif
import PGHA

exit(runAgent(arguments: Array(CommandLine.arguments.dropFirst()), environment: .current()))
