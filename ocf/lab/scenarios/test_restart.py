"""on-fail=restart on the promoted monitor (no fencing for a crashed postmaster: the node itself is
healthy): a kill -9 of the primary's postmaster is recovered in place. Pacemaker demotes, stops and starts
the instance (crash recovery as a standby) and promotes the best node; the old primary, back as a standby
with every commit it wrote, holds the most WAL and the top score, so it is the one promoted again: nothing
is lost, acknowledged or not, no rewind, no fence. Asynchronous here; synchronous in test_restart_sync.py."""
import os
import time

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
    # No restart loop: the recovered primary keeps running, the others keep streaming from it.
    primary = report["after"]
    pid = lab.postmaster_pid(primary)
    time.sleep(5)
    assert lab.postmaster_pid(primary) == pid, "the recovered primary was restarted again"
    assert lab.writable_nodes() == [primary]
    assert lab.streaming_to(primary) == sorted(n for n in lab.NODES if n != primary)
    return report


def test_1_kill_primary_recovered_in_place(cluster):
    kill_primary_recovered_in_place()
