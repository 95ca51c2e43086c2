#ifndef PGHA_CPOSIX_H
#define PGHA_CPOSIX_H
#include <sys/types.h>

/// Starts `path` with `argv` and `envp` and returns its pid, or -1 with errno set.
/// The child gets stdin from /dev/null, stdout and stderr on `out_fd`, no other open
/// descriptor, `workdir` as its working directory, and, when `uid` is not -1, the
/// identity of `user` (`uid`, `gid` and the user's supplementary groups).
pid_t pgha_spawn(const char *path, char *const argv[], char *const envp[],
                 const char *user, int uid, int gid, const char *workdir, int out_fd);

#endif
