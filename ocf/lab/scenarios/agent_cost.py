#!/usr/bin/env python3
"""What one agent call costs, measured inside a lab node (run there by bench_paf.py through `exec`): the
agent started the way pacemaker-execd starts it (the environment on stdin, as JSON; stdout and stderr to
/dev/null), N times in a row. Prints JSON: per call the wall ms, the CPU ms of the agent and every child
it reaped (wait4's rusage), the largest resident set of the call (ru_maxrss: the agent or its largest
child), the exit codes; and the processes one call creates, counted by strace in a separate call (strace
slows everything down) when strace is installed.

usage: agent_cost.py AGENT ACTION CALLS < env.json"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def measure(agent, action, env, calls):
    walls, cpus, rss, codes = [], [], [], []
    devnull = os.open(os.devnull, os.O_RDWR)
    for _ in range(calls):
        start = time.perf_counter()
        pid = os.posix_spawn(agent, [agent, action], env, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, usage = os.wait4(pid, 0)
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
        rss.append(usage.ru_maxrss)
        codes.append(os.waitstatus_to_exitcode(status))
    os.close(devnull)
    return walls, cpus, rss, codes


def children(agent, action, env):
    if not shutil.which("strace"):
        return None
    with tempfile.NamedTemporaryFile("r") as trace:
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=fork,vfork,clone,clone3", "-o", trace.name, agent, action],
                       env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = trace.read().splitlines()
    # A call strace saw split in two ("unfinished" ... "resumed") is counted once, by its result.
    done = [l for l in lines if "unfinished" not in l and "= -1" not in l and "= ?" not in l]
    return sum(1 for l in done if any(c in l for c in ("clone(", "clone3(", "fork(", "vfork(", "resumed>")))


def main():
    agent, action, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
    env = json.load(sys.stdin)
    walls, cpus, rss, codes = measure(agent, action, env, calls)
    print(json.dumps({"wall_ms": walls, "cpu_ms": cpus, "maxrss_kb": rss, "codes": codes,
                      "children": children(agent, action, env)}))


if __name__ == "__main__":
    main()
