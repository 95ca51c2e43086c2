#!/usr/bin/env python3
"""What synchronous replication costs, in one run on one lab: pgbench (TPC-B-like, from the host
against the primary's address) on the lab with sync_standbys unset, then the resource switched to
sync_standbys=1 (crm_resource --set-parameter; the cluster settles and the primary shows a non-empty
synchronous_standby_names) and the same pgbench again. Prints one table: mode, TPS, median and p99
latency from pgbench's per-transaction log (-l). A benchmark: it asserts nothing.

The asynchronous half runs with any agent; the synchronous half needs one with the sync_standbys
parameter (without it, only the first row is printed).

usage: ocf/lab/bench-sync [SECONDS]      (default 30; PGBENCH_SCALE 10, PGBENCH_CLIENTS 4, PGBENCH_JOBS 2)"""
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
import lab  # noqa: E402

AGENT = "/usr/lib/ocf/resource.d/heartbeat/pgha"
SCALE = os.environ.get("PGBENCH_SCALE", "10")
CLIENTS = os.environ.get("PGBENCH_CLIENTS", "4")
JOBS = os.environ.get("PGBENCH_JOBS", "2")


def pgbench(primary, *args, cwd=None):
    argv = [os.path.join(lab.PGBIN, "pgbench"), "-h", lab.ADDR[primary], "-p", "5432", "-U", "postgres", *args,
            "postgres"]
    # PGHA_LAB_TLS=1: libpq's environment carries the TLS keywords (PGSSLMODE...).
    env = {**os.environ, **{"PG" + k.upper(): v for k, v in lab.tls().items()}}
    out = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, timeout=900, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return out.stdout


def run(mode, primary, seconds):
    """One pgbench run against `primary`: (mode, tps, median ms, p99 ms, transactions)."""
    with tempfile.TemporaryDirectory(prefix="pgha-bench-sync.") as tmp:
        out = pgbench(primary, "-c", CLIENTS, "-j", JOBS, "-T", str(seconds), "-l", "--log-prefix=tx",
                      cwd=tmp)
        tps = float(re.search(r"^tps = ([0-9.]+)", out, re.M)[1])
        # Per-transaction log: client_id transaction_no time_us script_no epoch epoch_us.
        latencies = []
        for path in glob.glob(os.path.join(tmp, "tx.*")):
            with open(path) as f:
                latencies += [int(line.split()[2]) / 1000 for line in f if line.strip()]
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return mode, tps, statistics.median(latencies), p99, len(latencies)


def knows_sync_standbys():
    out = subprocess.run([AGENT, "meta-data"], capture_output=True, text=True, timeout=30)
    return '"sync_standbys"' in out.stdout


def record_sync(k):
    """The lab's record follows the resource: scenario tests and soak compare against it."""
    path = os.path.join(lab.STATE, "lab.env")
    with open(path) as f:
        lines = [line for line in f if not line.startswith("PGHA_LAB_SYNC_STANDBYS=")]
    with open(path, "w") as f:
        f.writelines(lines + [f"PGHA_LAB_SYNC_STANDBYS={k}\n"])


def main():
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    why = lab.ensure(lab.wanted({"PGHA_LAB_SYNC_STANDBYS": "0"}))
    rows = []
    try:
        primary = faults.settled_primary()
        print(f"lab {'brought up (' + why + ')' if why else 'already running'}: {len(lab.NODES)} nodes, "
              f"agent {lab.recorded().get('PGHA_AGENT')}; primary {primary}", flush=True)
        print(f"pgbench -i -s {SCALE} on {primary}", flush=True)
        pgbench(primary, "-i", "-q", "-s", SCALE)
        lab.wait_for("pgbench tables on every standby", 120, lambda: all(
            lab.query(n, "SELECT count(*) FROM pgbench_branches") == int(SCALE) for n in lab.NODES))
        print(f"pgbench -c {CLIENTS} -j {JOBS} -T {seconds}, asynchronous ...", flush=True)
        rows.append(run("asynchronous", primary, seconds))
        if not knows_sync_standbys():
            print(f"the agent {AGENT} has no sync_standbys parameter: no synchronous run", flush=True)
            return 2
        lab.crm("crm_resource", "--resource", "pgsqld", "--set-parameter", "sync_standbys",
                "--parameter-value", "1")
        record_sync(1)
        lab.configure(lab.wanted({"PGHA_LAB_SYNC_STANDBYS": "1"}))
        primary = faults.settled_primary()
        names = lab.wait_for(f"synchronous_standby_names on {primary}", faults.DEADLINE,
                             lambda: lab.query(primary, "SHOW synchronous_standby_names"))
        others = [n for n in lab.NODES if n != primary]
        lab.wait_for("every standby in the quorum", 60,
                     lambda: all(lab.sync_state(primary, n) == "quorum" for n in others))
        print(f"sync_standbys=1: primary {primary}, synchronous_standby_names = {names}", flush=True)
        print(f"pgbench -c {CLIENTS} -j {JOBS} -T {seconds}, synchronous (ANY 1) ...", flush=True)
        rows.append(run("synchronous ANY 1", primary, seconds))
    finally:
        if rows:
            print()
            print(f"{'mode':<20} {'TPS':>8} {'median ms':>10} {'p99 ms':>8} {'transactions':>12}")
            for mode, tps, median, p99, count in rows:
                print(f"{mode:<20} {tps:>8.1f} {median:>10.2f} {p99:>8.2f} {count:>12}")
        if why and os.environ.get("PGHA_LAB_KEEP") != "1":
            lab.script("down", check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
