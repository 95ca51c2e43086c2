"""Failure scenarios on the 3-node lab (ocf/lab), with pgha as the promotable clone. Each one ends with
exactly one writable primary and every other running node streaming from it, while a checker polling all
nodes ten times a second never sees two writable primaries. Each prints how many acknowledged rows the new
primary lacks (asynchronous replication may lose a few)."""
import os
import time

import faults
import lab
from faults import DEADLINE, elapsed, new_writable, settled_primary, traffic


def no_split_brain(report):
    assert report["sweeps"] > 0
    assert not report["violations"], f"two writable primaries seen: {report['violations'][:5]}"
    print(f"\n{report}")


def assert_no_scar():
    try:
        lab.wait_for("no failed action, fail counts 0", 30, lab.no_scar)
    except AssertionError as e:
        raise AssertionError(f"{e}: {lab.failed_actions()} {lab.fail_counts()}") from None


def test_1_bring_up(cluster):
    primary = settled_primary()
    standbys = [n for n in lab.NODES if n != primary]
    assert lab.streaming_to(primary) == sorted(standbys)
    slots = lab.query(primary, "SELECT string_agg(slot_name || ':' || active, ',' ORDER BY slot_name) "
                               "FROM pg_replication_slots")
    assert slots == ",".join(f"pgha_{n}:true" for n in sorted(standbys)), slots
    # Every standby starts with the same score: Pacemaker may pick one with less WAL, whose promote the
    # election refuses. That refusal must leave no failed action and no fail count behind.
    assert_no_scar()


def test_2_kill_primary_postmaster(cluster):
    report = faults.kill_primary()
    no_split_brain(report)
    assert report["after"] == report["new"]


def test_3_primary_network_cut(cluster):
    report = faults.cut_primary_link()
    no_split_brain(report)
    assert report["after"] == report["new"]


def test_4_switchover(cluster):
    report = faults.switchover()
    no_split_brain(report)
    assert report["after"] == report["new"]
    assert not report["rewound"], "the old primary rejoined without a rewind"
    assert report["proven"], f"{report['new']} promoted without logging the switchover proof"
    assert not report["second_move"], "the role moved again once the move constraint was cleared"


def test_5_kill_standby_postmaster(cluster):
    report = {"scenario": "kill -9 standby postmaster"}
    with traffic(report) as primary:
        standby = next(n for n in lab.NODES if n != primary)
        # Pacemaker may still be finishing the previous transition on that node: wait for its postmaster.
        pid = lab.wait_for(f"{standby}'s postmaster", DEADLINE, lambda: lab.running_postmaster(standby))
        os.kill(pid, 9)
        lab.wait_for(f"{standby} restarted", DEADLINE, lambda: lab.running_postmaster(standby) not in (None, pid))
        lab.wait_for(f"{standby} streaming again", DEADLINE, lambda: standby in lab.streaming_to(primary))
        report["old_back_s"] = elapsed(report)
    no_split_brain(report)
    assert report["after"] == primary, "a standby failure does not move the primary"


def test_6_stale_standby_is_never_promoted(cluster):
    report = {"scenario": "stale standby"}
    # The failures earlier scenarios caused on purpose (a killed standby's monitor) are forgotten first:
    # what is left at the end is this scenario's.
    lab.crm("crm_resource", "--cleanup")
    settled_primary()
    assert_no_scar()
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
    no_split_brain(report)
    assert report["after"] == fresh
    # The stale node's refused promote and the fenced primary's reboot leave nothing for an operator.
    assert_no_scar()


def test_7_full_cluster_restart(cluster):
    report = faults.full_restart()
    assert lab.query(report["new"], "SELECT count(*) FROM restart_rows") == 1000
    print(f"\n{report}")


def test_8_standby_without_data_is_cloned(cluster):
    """bootstrap=true: a standby whose data directory was emptied (a replaced disk) comes back through start."""
    report = faults.emptied_standby()
    assert report["after"] == report["before"], "a standby's clone does not move the primary"
    print(f"\n{report}")


def slot_loss_recorded(node):
    """The node attribute where the primary records that `node`'s slot was invalidated, or None."""
    out = lab.crm("crm_attribute", "--node", node, "--lifetime", "forever", "--name", "pgha-slot-lost-pgsqld",
                  "--query", "--quiet", check=False)
    return out.stdout.strip() or None if out.returncode == 0 else None


def test_9_wal_bound_then_clone(cluster):
    """A standby away while more WAL than max_slot_wal_keep_size is written: its slot is invalidated, the
    primary's pg_wal stays within the bound plus a margin, the primary's monitor records the loss on the
    standby's node and replaces the slot with one that pins nothing, and the standby comes back through a
    clone, which deletes the record."""
    report = {"scenario": "slot invalidated while a standby is away"}
    primary = settled_primary()
    standby = max(n for n in lab.NODES if n != primary)
    other = min(n for n in lab.NODES if n != primary)
    bound_mb, segments = 64, 24
    lab.crm("crm_resource", "--resource", "pgsql-ha", "--ban", "--node", standby)
    try:
        lab.wait_for(f"{standby} stopped by Pacemaker", DEADLINE, lambda: lab.running_postmaster(standby) is None)
        with lab.connect(primary) as conn:
            conn.execute(f"ALTER SYSTEM SET max_slot_wal_keep_size = '{bound_mb}MB'")
            conn.execute("ALTER SYSTEM SET wal_keep_size = 0")
            conn.execute("SELECT pg_reload_conf()")
            conn.execute("DROP TABLE IF EXISTS wal_filler")
            conn.execute("CREATE TABLE wal_filler (id int)")
            # One segment (16 MB of WAL positions) each, a checkpoint each: old segments go as they age. The
            # other standby is let catch up before each checkpoint: its slot must stay within the bound.
            for i in range(segments):
                conn.execute("INSERT INTO wal_filler VALUES (%s)", (i,))
                end = conn.execute("SELECT pg_switch_wal()::text").fetchone()[0]
                lab.wait_for(f"{other} flushed {end}", 30, lambda: conn.execute(
                    "SELECT flush_lsn >= %s::pg_lsn FROM pg_stat_replication WHERE application_name = %s",
                    (end, other)).fetchone() == (True,))
                conn.execute("CHECKPOINT")
        report["written_mb"] = segments * 16
        report["pg_wal_mb"] = int(lab.query(primary, "SELECT sum(size) / 1048576 FROM pg_ls_waldir()"))
        # Invalidated at one of the checkpoints; the primary's next monitor records it and replaces the slot.
        slot = f"SELECT coalesce(wal_status, 'none') || ' ' || (restart_lsn IS NULL) FROM pg_replication_slots WHERE slot_name = 'pgha_{standby}'"
        lab.wait_for(f"pgha_{standby} replaced by {primary}'s monitor, the loss recorded on {standby}", 60,
                     lambda: lab.query(primary, slot) == "none true" and slot_loss_recorded(standby))
        report["recorded"] = slot_loss_recorded(standby)
        assert report["recorded"].startswith(f"primary={primary} slot=pgha_{standby} lsn="), report
        assert lab.query(primary, "SELECT wal_status FROM pg_replication_slots WHERE slot_name = %s",
                         (f"pgha_{other}",)) != "lost", "the streaming standby kept its slot"
        # The margin: min_wal_size (80 MB) of recycled segments and the current ones.
        assert report["pg_wal_mb"] <= bound_mb + 128, report
        report["t0"] = time.monotonic()
    finally:
        lab.crm("crm_resource", "--resource", "pgsql-ha", "--clear", "--node", standby)
    try:
        lab.wait_for(f"{standby} cloned and streaming from {primary}", DEADLINE,
                     lambda: standby in lab.streaming_to(primary))
        report["streaming_s"] = elapsed(report)
        assert lab.query(primary, "SELECT wal_status FROM pg_replication_slots WHERE slot_name = %s",
                         (f"pgha_{standby}",)) != "lost"
        assert lab.query(standby, "SELECT count(*) FROM wal_filler") == segments
        # The clone deleted the record; the CIB answering on another node may take a moment to show it.
        lab.wait_for("the clone deleted the record", 30, lambda: slot_loss_recorded(standby) is None)
    finally:
        with lab.connect(primary) as conn:
            conn.execute("ALTER SYSTEM RESET max_slot_wal_keep_size")
            conn.execute("ALTER SYSTEM RESET wal_keep_size")
            conn.execute("SELECT pg_reload_conf()")
    assert settled_primary() == primary
    print(f"\n{report}, {standby} cloned from {primary}")
