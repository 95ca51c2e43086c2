#ifndef PGHA_CPOSIX_H
#define PGHA_CPOSIX_H
#include <sys/types.h>

/// Starts `path` with `argv` and `envp` and returns its pid, or -1 with errno set.
/// The child gets stdin from /dev/null, stdout and stderr on `out_fd`, no other open
/// descriptor, `workdir` as its working directory, and, when `uid` is not -1, the
/// identity of `user` (`uid`, `gid` and the user's supplementary groups).
pid_t pgha_spawn(const char *path, char *const argv[], char *const envp[],
                 const char *user, int uid, int gid, const char *workdir, int out_fd);

/// Sets the supplementary groups (`groups`, `count` of them), then the effective gid, then the effective
/// uid of the calling thread only (0, or -1 with errno set). glibc's setgroups/setegid/seteuid change every
/// thread of the process; a process with other threads (a test runner) would have them all act as that
/// user meanwhile. The file-system uid and gid follow the effective ones.
int pgha_thread_become(int uid, int gid, int count, const gid_t *groups);

/// Back to effective uid 0, then gid 0 and `groups` (root's own, `count` of them) for the calling thread
/// only (its real and saved uid are 0).
int pgha_thread_become_root(int count, const gid_t *groups);

#endif
