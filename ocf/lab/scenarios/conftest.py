"""The lab is brought up once for all scenarios (unless it already runs) and torn down at the end
(PGHA_LAB_KEEP=1 keeps it). A failing scenario prints the cluster's state and logs first."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402


@pytest.fixture(scope="session")
def cluster():
    started_here = lab.script("status", "--check", check=False).returncode != 0
    if started_here:
        lab.script("down", check=False)
        up = lab.script("up", check=False, timeout=600)
        if up.returncode != 0:
            pytest.fail(f"ocf/lab/up failed:\n{up.stdout[-4000:]}\n{up.stderr[-4000:]}")
    yield
    if started_here and os.environ.get("PGHA_LAB_KEEP") != "1":
        lab.script("down", check=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        report.sections.append(("cluster diagnostics", lab.diagnostics()))
