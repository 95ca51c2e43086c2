"""Failure scenarios on the 3-node lab (ocf/lab), with pgha as the promotable clone. Each one ends with
exactly one writable primary and every other running node streaming from it, while a checker polling all
nodes ten times a second never sees two writable primaries. Each prints how many acknowledged rows the new
primary lacks (asynchronous replication may lose a few)."""
import contextlib
import os
import subprocess
import time

import lab
from traffic import PrimaryChecker, Writer, lost_rows

DEADLINE = int(os.environ.get("PGHA_LAB_FAILOVER_DEADLINE", "150"))


def settled_primary():
    return lab.wait_for("a settled cluster: one primary, two streaming standbys", DEADLINE, lab.settled)


@contextlib.contextmanager
def traffic(report):
    """Runs the checker and the writer around a fault; asserts no split brain; fills `report`."""
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
    assert checker.sweeps > 0
    assert not checker.violations, f"two writable primaries seen: {checker.violations[:5]}"
    after = settled_primary()
    report["after"] = after
    report["lost"] = len(lost_rows(after, writer.acked))
    print(f"\n{report}")


def elapsed(report):
    return round(time.monotonic() - report["t0"], 1)


def new_writable(old):
    writable = lab.writable_nodes()
    return writable[0] if len(writable) == 1 and writable[0] != old else None


def follow_times(report, old):
    """Waits for, and records, a new writable primary, the other standby streaming from it, and the old
    primary back as a standby."""
    new = lab.wait_for("a new writable primary", DEADLINE, lambda: new_writable(old))
    report["writable_s"] = elapsed(report)
    other = next(n for n in lab.NODES if n not in (old, new))
    lab.wait_for(f"{other} streaming from {new}", DEADLINE, lambda: other in lab.streaming_to(new))
    report["other_streaming_s"] = elapsed(report)
    lab.wait_for(f"{old} back, streaming from {new}", DEADLINE * 2, lambda: old in lab.streaming_to(new))
    report["old_back_s"] = elapsed(report)
    return new


def test_1_bring_up(cluster):
    primary = settled_primary()
    standbys = [n for n in lab.NODES if n != primary]
    assert lab.streaming_to(primary) == sorted(standbys)
    slots = lab.query(primary, "SELECT string_agg(slot_name || ':' || active, ',' ORDER BY slot_name) "
                               "FROM pg_replication_slots")
    assert slots == ",".join(f"pgha_{n}:true" for n in sorted(standbys)), slots


def test_2_kill_primary_postmaster(cluster):
    report = {"scenario": "kill -9 primary postmaster"}
    with traffic(report) as old:
        os.kill(lab.postmaster_pid(old), 9)
        new = follow_times(report, old)
    assert report["after"] == new


def test_3_primary_network_cut(cluster):
    report = {"scenario": "primary link cut"}
    with traffic(report) as old:
        # The node's only link goes down: it cannot reach the others, nor they it, until it is fenced.
        subprocess.run(["ip", "-n", f"pgha-lab-{old}", "link", "set", "eth0", "down"], check=True)
        new = follow_times(report, old)
    assert report["after"] == new


def test_4_switchover(cluster):
    report = {"scenario": "switchover"}
    with traffic(report) as old:
        target = next(n for n in lab.NODES if n != old)
        lab.crm("crm_resource", "--move", "--promoted", "--resource", "pgsql-ha", "--node", target)
        try:
            lab.wait_for(f"{target} writable", DEADLINE, lambda: lab.writable_nodes() == [target])
            report["writable_s"] = elapsed(report)
            lab.wait_for(f"{old} streaming from {target}", DEADLINE, lambda: old in lab.streaming_to(target))
            report["old_back_s"] = elapsed(report)
        finally:
            lab.crm("crm_resource", "--clear", "--resource", "pgsql-ha")
    assert report["after"] == target
    log = open(f"{lab.STATE}/{old}/log/pacemaker/pacemaker.log", errors="replace").read()
    assert "pg_rewind" not in log, "the old primary rejoined without a rewind"


def test_5_kill_standby_postmaster(cluster):
    report = {"scenario": "kill -9 standby postmaster"}
    with traffic(report) as primary:
        standby = next(n for n in lab.NODES if n != primary)
        pid = lab.postmaster_pid(standby)
        os.kill(pid, 9)
        lab.wait_for(f"{standby} restarted", DEADLINE, lambda: lab.running_postmaster(standby) not in (None, pid))
        lab.wait_for(f"{standby} streaming again", DEADLINE, lambda: standby in lab.streaming_to(primary))
        report["old_back_s"] = elapsed(report)
    assert report["after"] == primary, "a standby failure does not move the primary"


def test_6_stale_standby_is_never_promoted(cluster):
    report = {"scenario": "stale standby"}
    with traffic(report) as old:
        stale, fresh = [n for n in lab.NODES if n != old]
        # The stale standby stops receiving (13+ re-reads primary_conninfo on reload) while writes go on.
        with lab.connect(stale) as conn:
            conn.execute("ALTER SYSTEM SET primary_conninfo = ''")
            conn.execute("SELECT pg_reload_conf()")
        lab.wait_for(f"{stale} not streaming", 30, lambda: stale not in lab.streaming_to(old))
        behind = lambda: lab.query(fresh, "SELECT pg_last_wal_receive_lsn()::text")
        stale_lsn = lab.query(stale, "SELECT greatest(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())")
        lab.wait_for(f"{fresh} ahead of {stale}", 60,
                     lambda: lab.query(fresh, "SELECT pg_last_wal_receive_lsn() > %s::pg_lsn", (str(stale_lsn),)))
        # Scores as a stale monitor could have left them: the stale node first in line.
        for node, score in ((stale, "1000"), (fresh, "1")):
            lab.crm("crm_attribute", "--promotion=pgsqld", "--lifetime", "reboot", "--node", node, "--update", score)
        os.kill(lab.postmaster_pid(old), 9)
        new = lab.wait_for("a new writable primary", DEADLINE, lambda: new_writable(old))
        report["writable_s"] = elapsed(report)
        assert new == fresh, f"{new} was promoted; {fresh} had more WAL than {stale}"
        lab.wait_for(f"{stale} streaming from {new}", DEADLINE, lambda: stale in lab.streaming_to(new))
        lab.wait_for(f"{old} back, streaming from {new}", DEADLINE * 2, lambda: old in lab.streaming_to(new))
        report["old_back_s"] = elapsed(report)
    assert report["after"] == fresh


def test_7_full_cluster_restart(cluster):
    report = {"scenario": "full cluster stop and start"}
    primary = settled_primary()
    stale, fresh = [n for n in lab.NODES if n != primary]
    with lab.connect(stale) as conn:
        conn.execute("ALTER SYSTEM SET primary_conninfo = ''")
        conn.execute("SELECT pg_reload_conf()")
    lab.wait_for(f"{stale} not streaming", 30, lambda: stale not in lab.streaming_to(primary))
    with lab.connect(primary) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS restart_rows (id int)")
        conn.execute("INSERT INTO restart_rows SELECT generate_series(1, 1000)")
    lab.wait_for(f"{fresh} has the rows", 30, lambda: lab.query(fresh, "SELECT count(*) FROM restart_rows") == 1000)
    # Every instance stopped cleanly by Pacemaker, then every node's cluster stack down and up again: the
    # promotion scores (lifetime reboot) are gone, the election alone decides.
    lab.crm("crm_attribute", "--type", "crm_config", "--name", "stop-all-resources", "--update", "true")
    lab.wait_for("every instance stopped", DEADLINE, lambda: not any(
        os.path.exists(f"{lab.STATE}/{n}/data/postmaster.pid") for n in lab.NODES))
    lab.crm("crm_attribute", "--type", "crm_config", "--name", "stop-all-resources", "--update", "false")
    for node in lab.NODES:
        lab.script("node", "destroy", node)
    for node in lab.NODES:
        lab.script("node", "boot", node)
    report["t0"] = time.monotonic()
    new = lab.wait_for("a settled cluster after the restart", DEADLINE * 2, lab.settled)
    report["settled_s"] = elapsed(report)
    assert new != stale, f"the stale node {stale} was promoted"
    assert lab.query(new, "SELECT count(*) FROM restart_rows") == 1000
    print(f"\n{report}, promoted {new}")
