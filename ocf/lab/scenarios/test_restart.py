"""on-fail=restart on the promoted monitor (no fencing for a crashed postmaster: the node itself is
healthy): a kill -9 of the primary's postmaster is recovered in place. Pacemaker demotes, stops and starts
the instance (crash recovery as a standby) and promotes the best node; the old primary, back as a standby
with every commit it wrote, holds the most WAL and the top score, so it is the one promoted again: nothing
is lost, acknowledged or not, no rewind, no fence. Asynchronous here; synchronous in test_restart_sync.py."""
import os

import faults
import lab
from faults import DEADLINE, settled_primary

LAB_SETTINGS = {"PGHA_LAB_ONFAIL_PROMOTED": "restart"}


def fence_lines():
    try:
        with open(f"{lab.STATE}/fence.log") as f:
            return sum(1 for line in f if "requested" in line)
    except OSError:
        return 0


def kill_primary_recovered_in_place():
    settled_primary()
    fenced_before = fence_lines()
    report = faults.kill_primary()
    print(f"\n{report}")
    assert report["violations"] == [], f"two writable primaries: {report['violations'][:5]}"
    assert report["new"] == report["before"], f"{report['new']} promoted instead of recovering {report['before']} in place"
    assert report["lost"] == 0 and report["after"] == report["before"], report
    assert fence_lines() == fenced_before, "a crashed postmaster fenced its node"
    # No restart loop: the recovered primary keeps running, the others keep streaming from it, sampled
    # across its next monitor (a failing one would restart it).
    primary = report["after"]
    pid = lab.postmaster_pid(primary)
    standbys = sorted(n for n in lab.NODES if n != primary)

    def problem():
        if (now := lab.running_postmaster(primary)) != pid:
            return f"the recovered primary was restarted again: postmaster {now}, was {pid}"
        if (writable := lab.writable_nodes()) != [primary]:
            return f"writable: {writable}, wanted [{primary}]"
        if (streaming := lab.streaming_to(primary)) != standbys:
            return f"streaming from {primary}: {streaming}, wanted {standbys}"
        return None
    found = faults.first_problem(faults.HOLD, problem)
    assert found is None, found
    return report


def test_1_kill_primary_recovered_in_place(cluster):
    kill_primary_recovered_in_place()
