"""Synchronous replication (sync_standbys=1) on the 3-node lab: every acknowledged commit is on a
standby, so no fault may lose one. Each scenario runs under writes through the multi-host string (and,
for the link cut, from inside the isolated primary's node too), counts the commits acknowledged without
the "canceling wait for synchronous replication" warning, and asserts that the final primary has every
one of them, and that no two writable primaries were ever seen."""
import os
import time

import faults
import lab
from faults import DEADLINE, elapsed, settled_primary, traffic

LAB_SETTINGS = {"PGHA_LAB_NODE_COUNT": "3", "PGHA_LAB_SYNC_STANDBYS": "1"}


def no_split_brain(report):
    assert report["sweeps"] > 0
    assert not report["violations"], f"two writable primaries seen: {report['violations'][:5]}"
    print(f"\n{report}")


def assert_synchronous(primary):
    """The agent's setting on the primary: ANY k over the other members, each quoted; all of them in the
    quorum as PostgreSQL reports it; the cluster's record naming the same set. The set follows the standbys
    that stream (a rejoining node is added once it streams, in the monitor after), so it is waited for."""
    k, others = lab.sync_standbys(), sorted(n for n in lab.NODES if n != primary)

    def names():
        found = lab.synchronous_standby_names(primary)
        return (found[0], sorted(found[1])) if found else None

    lab.wait_for(f"synchronous_standby_names = ANY {k} {others} on {primary}", 60, lambda: names() == (k, others))
    lab.wait_for(f"{', '.join(others)} in the quorum of {primary}", 30,
                 lambda: all(lab.sync_state(primary, n) == "quorum" for n in others))
    lab.wait_for(f"the recorded synchronous set naming {k} of {others}", 60,
                 lambda: lab.sync_record() == (k, others))


def kill_primary_loses_nothing():
    """kill -9 of the synchronous primary's postmaster under writes: a new primary, synchronous again, with
    every acknowledged row. Shared by the 3- and 5-node modules."""
    assert_synchronous(settled_primary())
    report = faults.kill_primary()
    no_split_brain(report)
    assert report["after"] == report["new"]
    assert report["lost"] == 0, f"{report['lost']} acknowledged rows lost"
    assert_synchronous(report["after"])


def test_1_kill_primary_postmaster(cluster):
    kill_primary_loses_nothing()


def test_2_primary_link_cut_with_a_writer_beside_it(cluster):
    report = faults.cut_primary_link(node_writer=True)
    print(f"\nthe isolated primary {report['before']} acknowledged {report['node_acked_after_fault']} commits "
          f"of the writer beside it after the cut ({report['node_uncertain']} uncertain)")
    no_split_brain(report)
    assert report["node_acked"] > 0, "the writer beside the primary acknowledged nothing at all"
    assert report["after"] == report["new"]
    # Covers the isolated primary: whatever it acknowledged after the cut must be on the new primary.
    assert report["lost"] == 0, f"{report['lost']} acknowledged rows lost"


def test_3_kill_standby_postmaster(cluster):
    report = {"scenario": "kill -9 standby postmaster, synchronous"}
    with traffic(report) as primary:
        standby = next(n for n in lab.NODES if n != primary)
        pid = lab.wait_for(f"{standby}'s postmaster", DEADLINE, lambda: lab.running_postmaster(standby))
        os.kill(pid, 9)
        lab.wait_for(f"{standby} gone from {primary}'s senders", 30, lambda: standby not in lab.streaming_to(primary))
        gone = time.monotonic()
        lab.wait_for(f"{standby} streaming again", DEADLINE, lambda: standby in lab.streaming_to(primary))
        report["window"] = (gone, time.monotonic())
        report["down_s"] = round(report["window"][1] - gone, 1)
        lab.wait_for(f"{standby} in the quorum again", 30, lambda: lab.sync_state(primary, standby) == "quorum")
    no_split_brain(report)
    assert report["after"] == primary, "a standby failure does not move the primary"
    assert report["acked_in_window"] > 0, f"no write acknowledged in the {report['down_s']} s {standby} was down"
    assert report["lost"] == 0, f"{report['lost']} acknowledged rows lost"
    assert lab.sync_state(primary, standby) == "quorum"


def test_4_switchover(cluster):
    report = faults.switchover()
    no_split_brain(report)
    assert report["after"] == report["new"]
    assert report["lost"] == 0, f"{report['lost']} acknowledged rows lost"
    assert not report["rewound"], f"{report['before']} needed pg_rewind to rejoin after a clean switchover"
    assert report["proven"], f"{report['new']} promoted without logging the switchover proof"
    assert not report["second_move"], "the role moved again once the move constraint was cleared"
    assert_synchronous(report["after"])


def test_5_no_quorum_waits_for_the_old_primary(cluster):
    """A standby stopped (banned), then the primary killed at once, before the primary's monitor could
    drop the stopped standby from its synchronous set and the record (a grace of 20 s): the one standby
    left cannot show that it holds every acknowledged commit (with ANY 1 of two, a commit may be on the
    other one only), so its promotion is refused and the cluster waits until the old primary, fenced and
    booted again, publishes its position too; then the more advanced of the two is promoted and nothing
    acknowledged is lost."""
    report = {"scenario": "standby stopped, then kill -9 of the primary, synchronous"}
    with traffic(report) as old:
        stopped, survivor = [n for n in lab.NODES if n != old]
        log = f"{lab.STATE}/{survivor}/log/pacemaker/pacemaker.log"
        lab.crm("crm_resource", "--ban", "--resource", "pgsql-ha", "--node", stopped)
        try:
            lab.wait_for(f"{stopped} stopped", DEADLINE, lambda: lab.running_postmaster(stopped) is None)
            lab.wait_for(f"{survivor} alone in the quorum of {old}", 30,
                         lambda: lab.streaming_to(old) == [survivor])
            log_start = os.path.getsize(log)
            os.kill(lab.postmaster_pid(old), 9)
            report["t0"] = time.monotonic()

            def refused():
                with open(log, errors="replace") as f:
                    f.seek(log_start)
                    text = f.read()
                    return "must not promote: the recorded synchronous set" in text \
                        or "must not promote: synchronous mode" in text

            lab.wait_for(f"{survivor} refusing its promotion for want of quorum", DEADLINE, refused)
            report["refused_s"] = elapsed(report)

            # Sampled until the old primary runs again (booted after its fence, it must publish its position
            # before anyone may promote), not once just after the refusal.
            def old_back_none_writable():
                writable = lab.writable_nodes()
                assert writable == [], f"a node was writable while the quorum rule refused: {writable}"
                return lab.running_postmaster(old) is not None

            lab.wait_for(f"{old} running again, no node writable until then", DEADLINE * 2, old_back_none_writable)
            new = lab.wait_for("a writable primary once the old one is back", DEADLINE * 2,
                               lambda: (lambda w: w[0] if len(w) == 1 else None)(lab.writable_nodes()))
            report["writable_s"] = elapsed(report)
            report["new"] = new
            other = survivor if new == old else old
            lab.wait_for(f"{other} streaming from {new}", DEADLINE * 2, lambda: other in lab.streaming_to(new))
        finally:
            lab.crm("crm_resource", "--clear", "--resource", "pgsql-ha")
    no_split_brain(report)
    assert report["lost"] == 0, f"{report['lost']} acknowledged rows lost"
    assert_synchronous(report["after"])


def test_6_candidate_fenced_during_its_promotion(cluster):
    """The node chosen to replace a killed primary is struck down between its pre-promote notification and
    the end of the promotion: the cluster (once the old primary is back and quorum with it) ends with one
    writable primary, never two, holding every acknowledged row; the struck node rejoins as a standby."""
    report = faults.fence_during_promote()
    no_split_brain(report)
    assert report["new"] != report["candidate"]
    assert report["lost"] == 0, f"{report['lost']} acknowledged rows lost"
    assert_synchronous(report["after"])


def test_7_standby_gone_before_the_primary_does_not_block(cluster):
    """A standby stopped (banned, its node still a member) long enough for the primary to drop it from its
    synchronous set and the record, then the primary killed: the record says every acknowledged commit is
    on the standby left, so that standby is promoted without waiting for the old primary, and nothing
    acknowledged is lost."""
    report = {"scenario": "standby stopped and dropped from the record, then kill -9 of the primary, synchronous"}
    k = lab.sync_standbys()
    with traffic(report) as old:
        stopped, survivor = [n for n in lab.NODES if n != old]
        lab.crm("crm_resource", "--ban", "--resource", "pgsql-ha", "--node", stopped)
        try:
            lab.wait_for(f"{stopped} stopped", DEADLINE, lambda: lab.running_postmaster(stopped) is None)
            began = time.monotonic()
            lab.wait_for(f"{old}'s synchronous set and the record down to {survivor}", 90,
                         lambda: lab.synchronous_standby_names(old) == (k, [survivor])
                         and lab.sync_record() == (k, [survivor]))
            report["dropped_after_s"] = round(time.monotonic() - began, 1)
            os.kill(lab.postmaster_pid(old), 9)
            report["t0"] = time.monotonic()
            old_ran = []

            def survivor_writable():
                if lab.running_postmaster(old) is not None:
                    old_ran.append(elapsed(report))
                return survivor if lab.writable_nodes() == [survivor] else None

            new = lab.wait_for(f"{survivor} writable", DEADLINE, survivor_writable)
            report["writable_s"] = elapsed(report)
            report["new"] = new
            report["old_ran_before_s"] = old_ran[:1]
        finally:
            lab.crm("crm_resource", "--clear", "--resource", "pgsql-ha")
    no_split_brain(report)
    print(f"\n{report}")
    # Promoted on the record alone: the old primary (fenced, then booted) had not run again yet.
    assert not report["old_ran_before_s"], f"{old} ran again before {survivor} was promoted: {report}"
    assert report["lost"] == 0, f"{report['lost']} acknowledged rows lost"
    assert_synchronous(report["after"])
