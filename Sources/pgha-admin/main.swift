import PGHA

// Reached through `pgha status|--help|--version` (the OCF binary execs this one): the argument parser and
// the Foundation it brings stay out of the binary Pacemaker runs every few seconds.
AdminCommand.main(Array(CommandLine.arguments.dropFirst()))
