"""The faults of the failover scenarios, each run under client traffic and timed from the moment of the
fault: a new writable primary, the other standbys streaming from it, the old primary back as a standby.
Used by the scenario tests (which assert) and by the failover benchmark (which prints)."""
import contextlib
import os
import subprocess
import time

import lab
from traffic import PrimaryChecker, Writer, lost_rows

DEADLINE = int(os.environ.get("PGHA_LAB_FAILOVER_DEADLINE", "150"))


def settled_primary():
    # Pacemaker may still have actions to run (a recovery planned after the last fault): let it finish.
    lab.crm("crm_resource", "--wait", "--timeout=60s", check=False)
    return lab.wait_for(f"a settled cluster: one primary, {len(lab.NODES) - 1} streaming standbys", DEADLINE,
                        lab.settled)


@contextlib.contextmanager
def traffic(report):
    """Runs the checker and the writer around a fault and fills `report`: acknowledged rows, the rows the
    final primary lacks, and every moment two nodes were writable at once."""
    primary = settled_primary()
    with lab.connect(primary) as conn:
        conn.execute("DROP TABLE IF EXISTS scenario_rows")
        conn.execute("CREATE TABLE scenario_rows (id bigint PRIMARY KEY)")
    lab.wait_for("the table on every standby", 30,
                 lambda: all(lab.query(n, "SELECT to_regclass('scenario_rows') IS NOT NULL") for n in lab.NODES))
    checker, writer = PrimaryChecker(), Writer()
    checker.start()
    writer.start()
    lab.wait_for("the writer's first rows", 30, lambda: len(writer.acked) >= 10)
    report["before"] = primary
    report["t0"] = time.monotonic()
    try:
        yield primary
    finally:
        writer.stop()
        checker.stop()
        report["acked"] = len(writer.acked)
        report["sweeps"] = checker.sweeps
        report["polls_per_node"] = dict(checker.polls)
        report["violations"] = checker.violations
    after = settled_primary()
    report["after"] = after
    report["lost"] = len(lost_rows(after, writer.acked))


def elapsed(report):
    return round(time.monotonic() - report["t0"], 1)


def new_writable(old):
    writable = lab.writable_nodes()
    return writable[0] if len(writable) == 1 and writable[0] != old else None


def follow_times(report, old):
    new = lab.wait_for("a new writable primary", DEADLINE, lambda: new_writable(old))
    report["writable_s"] = elapsed(report)
    others = [n for n in lab.NODES if n not in (old, new)]
    lab.wait_for(f"{', '.join(others)} streaming from {new}", DEADLINE,
                 lambda: set(others) <= set(lab.streaming_to(new)))
    report["other_streaming_s"] = elapsed(report)
    lab.wait_for(f"{old} back, streaming from {new}", DEADLINE * 2, lambda: old in lab.streaming_to(new))
    report["old_back_s"] = elapsed(report)
    report["new"] = new


def kill_primary():
    report = {"scenario": "kill -9 primary postmaster"}
    with traffic(report) as old:
        os.kill(lab.postmaster_pid(old), 9)
        follow_times(report, old)
    return report


def cut_primary_link():
    report = {"scenario": "primary link cut"}
    with traffic(report) as old:
        # The node's only link goes down: it cannot reach the others, nor they it, until it is fenced.
        subprocess.run(["ip", "-n", f"pgha-lab-{old}", "link", "set", "eth0", "down"], check=True)
        follow_times(report, old)
    return report


def switchover():
    report = {"scenario": "switchover"}
    with traffic(report) as old:
        target = next(n for n in lab.NODES if n != old)
        report["new"] = target
        lab.crm("crm_resource", "--move", "--promoted", "--resource", "pgsql-ha", "--node", target)
        try:
            lab.wait_for(f"{target} writable", DEADLINE, lambda: lab.writable_nodes() == [target])
            report["writable_s"] = elapsed(report)
            others = [n for n in lab.NODES if n not in (old, target)]
            lab.wait_for(f"{', '.join(others)} streaming from {target}", DEADLINE,
                         lambda: set(others) <= set(lab.streaming_to(target)))
            report["other_streaming_s"] = elapsed(report)
            lab.wait_for(f"{old} streaming from {target}", DEADLINE, lambda: old in lab.streaming_to(target))
            report["old_back_s"] = elapsed(report)
        finally:
            lab.crm("crm_resource", "--clear", "--resource", "pgsql-ha")
    with open(f"{lab.STATE}/{old}/log/pacemaker/pacemaker.log", errors="replace") as log:
        report["rewound"] = "pg_rewind" in log.read()
    return report
