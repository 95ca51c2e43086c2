#define _GNU_SOURCE
#include "CPosix.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The child reports an exec failure through this exit code; 127 is what shells use. */
#define SPAWN_FAILED 127

pid_t pgha_spawn(const char *path, char *const argv[], char *const envp[],
                 const char *user, int uid, int gid, const char *workdir, int out_fd) {
    pid_t pid = fork();
    if (pid != 0)
        return pid;

    /* Child: only async-signal-safe calls from here on. */
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(out_fd, 2) < 0)
        _exit(SPAWN_FAILED);
    /* A postmaster must not inherit Pacemaker's pipes: callers wait for EOF on them. */
    if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0) {
        for (int fd = 3; fd < 4096; fd++)
            close(fd);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (uid >= 0) {
        if (initgroups(user, (gid_t)gid) < 0 || setgid((gid_t)gid) < 0 || setuid((uid_t)uid) < 0)
            _exit(SPAWN_FAILED);
    }
    if (workdir != NULL && chdir(workdir) < 0 && chdir("/") < 0)
        _exit(SPAWN_FAILED);
    execve(path, argv, envp);
    _exit(SPAWN_FAILED);
}

/* The raw system calls act on the calling thread; glibc's wrappers broadcast the change to every thread. */
int pgha_thread_become(int uid, int gid, int count, const gid_t *groups) {
    if (syscall(SYS_setgroups, (size_t)count, groups) < 0)
        return -1;
    if (syscall(SYS_setresgid, -1, gid, -1) < 0)
        return -1;
    return syscall(SYS_setresuid, -1, uid, -1) < 0 ? -1 : 0;
}

int pgha_thread_become_root(int count, const gid_t *groups) {
    if (syscall(SYS_setresuid, -1, 0, -1) < 0)
        return -1;
    if (syscall(SYS_setresgid, -1, 0, -1) < 0)
        return -1;
    return syscall(SYS_setgroups, (size_t)count, groups) < 0 ? -1 : 0;
}
