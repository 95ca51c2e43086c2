"""on-fail=restart in synchronous mode (sync_standbys=1): a kill -9 of the primary's postmaster is
recovered in place as in asynchronous mode (see test_restart.py), with no acknowledged commit lost."""
from test_restart import kill_primary_recovered_in_place

LAB_SETTINGS = {"PGHA_LAB_ONFAIL_PROMOTED": "restart", "PGHA_LAB_SYNC_STANDBYS": "1"}


def test_1_kill_primary_recovered_in_place_sync(cluster):
    kill_primary_recovered_in_place()
