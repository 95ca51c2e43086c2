"""Two nodes (corosync two_node, priority-fencing-delay with priority=1 on the primitive), asynchronous:
the most common Pacemaker cluster. Kill -9 of the primary (the standby promoted, the old primary back as its
standby), the standby's link cut (the standby fenced, never the primary: the primary stays the same
instance, writable and acknowledging), the standby's node lost, a switchover both ways. Never two writable
primaries; the acknowledged rows the final primary lacks are printed (asynchronous replication may lose a
few when the primary dies; when only the standby is lost, nothing acknowledged can be)."""
import faults
import lab
from faults import settled_primary

LAB_SETTINGS = {"PGHA_LAB_NODE_COUNT": "2"}


def no_split_brain(report):
    assert report["sweeps"] > 0
    assert not report["violations"], f"two writable primaries seen: {report['violations'][:5]}"
    print(f"\n{report}")


def test_1_bring_up(cluster):
    primary = settled_primary()
    standby = next(n for n in lab.NODES if n != primary)
    assert lab.streaming_to(primary) == [standby]
    assert lab.query(primary, "SELECT string_agg(slot_name || ':' || active, ',') FROM pg_replication_slots") \
        == f"pgha_{standby}:true"


def test_2_kill_primary(cluster):
    report = faults.kill_primary()
    no_split_brain(report)
    assert report["after"] == report["new"] != report["before"]


def test_3_standby_link_cut(cluster):
    report = faults.lose_standby("link cut")
    no_split_brain(report)
    assert report["primary_problem"] is None, f"the primary was not kept: {report['primary_problem']}"
    assert report["after"] == report["before"]
    assert report["fenced"] == [report["standby"]], f"fenced: {report['fenced']}, expected only {report['standby']}"
    assert report["acked_in_window"] > 0, "writes acknowledged while the standby was away"
    assert report["lost"] == 0


def test_4_standby_power_lost(cluster):
    report = faults.lose_standby("power")
    no_split_brain(report)
    assert report["primary_problem"] is None, f"the primary was not kept: {report['primary_problem']}"
    assert report["after"] == report["before"]
    assert report["acked_in_window"] > 0, "writes acknowledged while the standby was away"
    assert report["lost"] == 0


def test_5_switchover_both_ways(cluster):
    for _ in range(2):
        report = faults.switchover()
        no_split_brain(report)
        assert report["after"] == report["new"] != report["before"]
        assert report["proven"] and not report["rewound"] and not report["second_move"], report
        assert report["lost"] == 0
