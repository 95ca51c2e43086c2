"""Synchronous replication with a quorum of 2 (sync_standbys=2) on a 5-node lab: the primary waits for
any 2 of its 4 standbys; a kill -9 of its postmaster under writes loses no acknowledged commit."""
from test_sync import kill_primary_loses_nothing

LAB_SETTINGS = {"PGHA_LAB_NODE_COUNT": "5", "PGHA_LAB_SYNC_STANDBYS": "2"}


def test_5_kill_primary_postmaster_5_nodes(cluster):
    kill_primary_loses_nothing()
