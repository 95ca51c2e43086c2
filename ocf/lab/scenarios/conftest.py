"""Each test module runs on a lab of its own settings: its module-level LAB_SETTINGS (PGHA_LAB_* -> value)
over the environment's PGHA_LAB_* over the defaults (3 nodes, asynchronous). A running lab is used when
`up` built it with those settings (as recorded in $LAB_STATE/lab.env) and it is healthy; otherwise it is
brought down and up again. Modules that share settings share the lab: keep them next to each other.
The lab is torn down at the end when this session brought one up (PGHA_LAB_KEEP=1 keeps it). A failing
scenario prints the cluster's state and logs first."""
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402

AGENT_DEST = "/usr/lib/ocf/resource.d/heartbeat/pgha"
brought_up = []


def knows_sync_standbys(agent):
    out = subprocess.run([agent, "meta-data"], capture_output=True, text=True, timeout=30)
    return '"sync_standbys"' in out.stdout


@pytest.fixture(scope="session")
def lab_session():
    yield
    if brought_up and os.environ.get("PGHA_LAB_KEEP") != "1":
        lab.script("down", check=False)


@pytest.fixture(scope="module")
def cluster(request, lab_session):
    settings = lab.wanted(getattr(request.module, "LAB_SETTINGS", {}))
    sync = int(settings["PGHA_LAB_SYNC_STANDBYS"])
    agent = os.environ.get("PGHA_AGENT")
    # An agent without the parameter would not run synchronous replication: nothing to test.
    if sync > 0 and agent and not knows_sync_standbys(agent):
        pytest.skip(f"{agent} has no sync_standbys parameter")
    try:
        why = lab.ensure(settings)
    except RuntimeError as e:
        brought_up.append(request.module.__name__)
        pytest.fail(str(e))
    if why:
        brought_up.append(request.module.__name__)
        print(f"\nlab brought up for {request.module.__name__} ({why}): {len(lab.NODES)} nodes, sync_standbys={sync}")
    if sync > 0 and not knows_sync_standbys(AGENT_DEST):
        pytest.skip(f"the agent {lab.recorded().get('PGHA_AGENT')} has no sync_standbys parameter")
    yield settings


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        report.sections.append(("cluster diagnostics", lab.diagnostics()))
