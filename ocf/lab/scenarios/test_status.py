"""`pgha status` on the 3-node lab (asynchronous, the same lab as test_scenarios.py): run inside a node as an
admin would, it names the primary Pacemaker promoted, every standby streaming through its active slot with
an integer lag, the promotion scores Pacemaker holds, and exits 0 on a healthy cluster; a standby whose
PostgreSQL does not answer makes it exit 1 and say so, until Pacemaker has recovered it."""
import json
import os

import lab
from faults import DEADLINE, settled_primary

AGENT = "/usr/lib/ocf/resource.d/heartbeat/pgha"


def status(node, *args):
    return lab.in_node(node, AGENT, "status", *args, check=False, timeout=60)


def status_json(node):
    out = status(node, "--json")
    assert out.stdout, f"pgha status --json on {node} printed nothing (exit {out.returncode}): {out.stderr}"
    return out.returncode, json.loads(out.stdout)


def by_node(report):
    return {n["node"]: n for n in report["nodes"]}


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def healthy_report(node):
    """The report once it is clean: the primary's monitor sets the scores and the standbys' slots become
    active within a monitor interval or two of a settled cluster."""
    def clean():
        code, report = status_json(node)
        return report if code == 0 else None
    return lab.wait_for(f"pgha status --json on {node} exits 0", 60, clean)


def test_1_json_names_primary_standbys_slots_lag_scores(cluster):
    primary = settled_primary()
    standbys = sorted(n for n in lab.NODES if n != primary)
    for node in lab.NODES:
        report = healthy_report(node)
        assert report["resource"] == "pgsqld"
        assert report["clone"] == "pgsql-ha"
        assert report["primary"] == primary, f"status on {node}: {report}"
        assert report["problems"] == [] and report["healthy"] is True
        nodes = by_node(report)
        assert sorted(nodes) == sorted(lab.NODES)

        p = nodes[primary]
        assert p["role"] == "primary" and p["pacemaker_role"] == "promoted", p
        assert p["lag_bytes"] == 0 and is_int(p["lag_bytes"])
        assert p["slot"] is None and p["error"] is None
        assert is_int(p["timeline"]) and p["lsn"]

        expected_sync = "async" if lab.sync_standbys() == 0 else "quorum"
        for s in standbys:
            n = nodes[s]
            assert n["role"] == "standby" and n["pacemaker_role"] == "unpromoted", n
            assert n["replication_state"] == "streaming", n
            assert n["slot"] == f"pgha_{s}" and n["slot_exists"] is True and n["slot_active"] is True, n
            assert is_int(n["lag_bytes"]) and n["lag_bytes"] >= 0, n
            assert n["sync_state"] == expected_sync, n
            assert is_int(n["score"]) and n["score"] > 0, n
            assert n["timeline"] == p["timeline"], n
            assert n["error"] is None

    # What status says is what PostgreSQL and Pacemaker say, all read together: the primary's monitor
    # re-ranks the standbys by lag (1000, 999) whenever their order changes, so a score read after a
    # report may no longer be the report's.
    wanted_slots = ",".join(f"pgha_{n}:true" for n in standbys)
    seen = {}

    def agree():
        _, fresh = status_json(lab.NODES[-1])
        seen["status scores"] = {node: str(n["score"]) for node, n in by_node(fresh).items()}
        seen["crm_attribute"] = {node: lab.crm("crm_attribute", "--promotion=pgsqld", "--lifetime", "reboot",
                                               "--node", node, "--query", "--quiet", check=False).stdout.strip()
                                 for node in seen["status scores"]}
        seen["streaming"] = lab.streaming_to(primary)
        seen["slots"] = lab.query(primary, "SELECT string_agg(slot_name || ':' || active, ',' ORDER BY slot_name) "
                                           "FROM pg_replication_slots")
        return (seen["streaming"] == standbys and seen["slots"] == wanted_slots
                and seen["status scores"] == seen["crm_attribute"])
    try:
        lab.wait_for("status, PostgreSQL and crm_attribute agreeing", 60, agree)
    except AssertionError as e:
        raise AssertionError(f"{e}: {seen}; wanted streaming {standbys}, slots {wanted_slots}") from None


def test_2_decisions_recorded(cluster):
    """Every node that took a decision since it joined (promote, notify's follow) has one on record, read
    from any node."""
    primary = settled_primary()
    report = healthy_report(primary)
    decisions = {n["node"]: n["decision"] for n in report["nodes"] if n["decision"]}
    assert decisions, f"no decision recorded on any node: {report}"
    for node, decision in decisions.items():
        assert is_int(decision["time"]) and decision["action"] and decision["text"], (node, decision)
    print(f"\n{decisions}")


def test_3_text_screen_exits_0(cluster):
    primary = settled_primary()
    healthy_report(primary)
    out = status(primary)
    assert out.returncode == 0, f"{out.stdout}\n{out.stderr}"
    assert f"primary {primary}" in out.stdout
    assert "no problems found" in out.stdout
    for node in lab.NODES:
        assert any(line.startswith(node + " ") for line in out.stdout.splitlines()), out.stdout
    print(f"\n{out.stdout}")


def test_4_standby_not_answering(cluster):
    primary = settled_primary()
    standby = sorted(n for n in lab.NODES if n != primary)[0]
    pid = lab.wait_for(f"{standby}'s postmaster", DEADLINE, lambda: lab.running_postmaster(standby))
    os.kill(pid, 9)

    def reported():
        code, report = status_json(primary)
        node = by_node(report)[standby]
        return (code, report, node) if node["error"] else None
    code, report, node = lab.wait_for(f"status reports {standby} not answering", 30, reported)
    assert code == 1, report
    assert node["role"] in ("failed", "stopped") and node["lag_bytes"] is None, node
    assert any(p.startswith(f"{standby}: PostgreSQL not answering") for p in report["problems"]), report
    assert report["primary"] == primary

    # Pacemaker recovers it; status is clean again (the failed monitor stays in failed_actions).
    lab.wait_for(f"{standby} streaming again", DEADLINE, lambda: standby in lab.streaming_to(primary))
    report = healthy_report(primary)
    assert by_node(report)[standby]["slot_active"] is True
