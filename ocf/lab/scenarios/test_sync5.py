"""Synchronous replication with a quorum of 2 (sync_standbys=2) on a 5-node lab: the primary waits for
any 2 of its 4 standbys; a kill -9 of its postmaster under writes loses no acknowledged commit."""
import faults
from faults import settled_primary
from test_sync import assert_synchronous, no_split_brain

LAB_SETTINGS = {"PGHA_LAB_NODE_COUNT": "5", "PGHA_LAB_SYNC_STANDBYS": "2"}


def test_5_kill_primary_postmaster_5_nodes(cluster):
    assert_synchronous(settled_primary())
    report = faults.kill_primary()
    no_split_brain(report)
    assert report["after"] == report["new"]
    assert report["lost"] == 0, f"{report['lost']} acknowledged rows lost"
    assert_synchronous(report["after"])
