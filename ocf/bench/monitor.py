#!/usr/bin/env python3
"""Benchmark: `pgha monitor` on a running primary and a running standby (PostgreSQL 15, temporary
instances), N calls each. Prints median wall ms, CPU ms (user+sys of the agent and any children) and
child processes per call. A benchmark prints figures; nothing here passes or fails on time.

usage: ocf/bench/monitor.py /path/to/pgha [N]     (run as root; the agent must be readable by postgres)
       PGHA_BENCH_SYNC_STANDBYS=1 ocf/bench/monitor.py ...   the same with sync_standbys=1 (ANY 1)
"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BINDIR = os.environ.get("PGHA_BENCH_BINDIR", "/usr/lib/postgresql/15/bin")


def as_postgres(*argv):
    subprocess.run(["runuser", "-u", "postgres", "--", *argv], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.STDOUT)


def psql(node, sql):
    return subprocess.run(["runuser", "-u", "postgres", "--", f"{BINDIR}/psql", "-h", node["socket"], "-p",
                           str(node["port"]), "-d", "postgres", "-AtXc", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def make_node(base, name, port):
    root = os.path.join(base, name)
    node = {"name": name, "port": port, "data": f"{root}/data", "socket": f"{root}/socket", "state": f"{root}/state"}
    os.makedirs(root)
    os.chmod(root, 0o755)
    for d in (node["socket"], node["state"], node["data"]):
        os.makedirs(d, mode=0o700)
        shutil.chown(d, "postgres", "postgres")
    return node


def configure(node):
    with open(f"{node['data']}/postgresql.conf", "a") as conf:
        conf.write(f"\nport = {node['port']}\nunix_socket_directories = '{node['socket']}'\n"
                   "listen_addresses = '127.0.0.1'\nwal_level = replica\nhot_standby = on\nfsync = off\n")


def env(node, hosts):
    return {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "OCF_ROOT": "/usr/lib/ocf", "OCF_RESOURCE_INSTANCE": "pgsqld",
            "HA_RSCTMP": node["state"], "OCF_RESKEY_pgdata": node["data"], "OCF_RESKEY_bindir": BINDIR,
            "OCF_RESKEY_pghost": node["socket"], "OCF_RESKEY_pgport": str(node["port"]),
            "OCF_RESKEY_node_hosts": hosts, "OCF_RESKEY_CRM_meta_on_node": node["name"],
            "OCF_RESKEY_CRM_meta_interval": "15000", "OCF_RESKEY_CRM_meta_timeout": "10000",
            "OCF_RESKEY_sync_standbys": os.environ.get("PGHA_BENCH_SYNC_STANDBYS", "0")}


def pgha(agent, node, hosts, action, extra=None):
    e = env(node, hosts)
    e.update(extra or {})
    return subprocess.run([agent, action], env=e, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode


def measure(agent, node, hosts, calls):
    """Wall and CPU per call. CPU comes from wait4's rusage, which covers the agent and its reaped children."""
    walls, cpus, codes = [], [], set()
    e = env(node, hosts)
    devnull = os.open(os.devnull, os.O_RDWR)
    for _ in range(calls):
        start = time.perf_counter()
        pid = os.posix_spawn(agent, [agent, "monitor"], e, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status, usage = os.wait4(pid, 0)
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((usage.ru_utime + usage.ru_stime) * 1000)
        codes.add(os.waitstatus_to_exitcode(status))
    os.close(devnull)
    return statistics.median(walls), statistics.median(cpus), codes


def children(agent, node, hosts):
    """Processes the monitor creates, counted by strace (a separate run: strace slows everything down)."""
    if not shutil.which("strace"):
        return "n/a (no strace)"
    with tempfile.NamedTemporaryFile("r") as trace:
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=fork,vfork,clone,clone3", "-o", trace.name, agent,
                        "monitor"], env=env(node, hosts), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = trace.read().splitlines()
    return sum(1 for line in lines if ("clone" in line or "fork" in line) and "= -1" not in line
               and "resumed" not in line and "unfinished" not in line) + \
        sum(1 for line in lines if "resumed" in line and "= -1" not in line)


def main():
    agent = os.path.abspath(sys.argv[1])
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    base = tempfile.mkdtemp(prefix="pgha-bench-", dir="/tmp")
    os.chmod(base, 0o755)
    primary, standby = make_node(base, "n1", 25501), make_node(base, "n2", 25502)
    hosts = f"n1=127.0.0.1:{primary['port']} n2=127.0.0.1:{standby['port']}"
    try:
        as_postgres(f"{BINDIR}/initdb", "-D", primary["data"], "-A", "peer", "--auth-host=trust", "--no-sync")
        configure(primary)
        assert pgha(agent, primary, hosts, "start") == 0
        assert pgha(agent, primary, hosts, "promote") == 0
        as_postgres(f"{BINDIR}/pg_basebackup", "-h", primary["socket"], "-p", str(primary["port"]), "-D",
                    standby["data"], "-X", "stream", "--no-sync")
        configure(standby)
        assert pgha(agent, standby, hosts, "start") == 0
        notify = {"OCF_RESKEY_CRM_meta_notify_type": "post", "OCF_RESKEY_CRM_meta_notify_operation": "promote",
                  "OCF_RESKEY_CRM_meta_notify_promote_uname": "n1", "OCF_RESKEY_CRM_meta_notify_active_uname": "n1 n2"}
        pgha(agent, primary, hosts, "notify", notify)
        pgha(agent, standby, hosts, "notify", notify)
        print(f"pgha monitor, {calls} calls per role, PostgreSQL 15 ({agent})")
        print(f"{'role':<9} {'rc':>4} {'median wall ms':>15} {'median CPU ms':>14} {'children/call':>14}")
        for role, node in (("primary", primary), ("standby", standby)):
            wall, cpu, codes = measure(agent, node, hosts, calls)
            print(f"{role:<9} {','.join(map(str, sorted(codes))):>4} {wall:>15.2f} {cpu:>14.2f} "
                  f"{children(agent, node, hosts)!s:>14}")
    finally:
        for node in (standby, primary):
            subprocess.run(["runuser", "-u", "postgres", "--", f"{BINDIR}/pg_ctl", "stop", "-D", node["data"], "-m",
                            "immediate"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
