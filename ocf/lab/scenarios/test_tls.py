"""PGHA_LAB_TLS=1 (ocf/lab/tls-certs): every server accepts TCP only with TLS and a client certificate, and
the agent's replication_options verify the server (sslmode=verify-full). The agent's own connections to
other nodes (post-promote and post-start checks, the divergence check, rewind, bootstrap, pgha status) and
every standby's WAL receiver must work under it. Runs the shipped build when the test command names it
(PGHA_RELEASE_AGENT: the lean static libpq with OpenSSL), else the agent under test."""
import json
import os

import faults
import lab
from faults import DEADLINE, settled_primary

LAB_SETTINGS = {"PGHA_LAB_TLS": "1"}
if os.environ.get("PGHA_RELEASE_AGENT"):
    LAB_SETTINGS["PGHA_AGENT"] = os.environ["PGHA_RELEASE_AGENT"]
AGENT = "/usr/lib/ocf/resource.d/heartbeat/pgha"


def streaming_over_tls(primary):
    """Standbys streaming from `primary` whose WAL sender's connection is TLS, by node name."""
    rows = lab.query(primary, """
        SELECT string_agg(r.application_name, ' ' ORDER BY r.application_name)
          FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid)
         WHERE r.state = 'streaming' AND s.ssl""")
    return sorted((rows or "").split())


def all_over_tls(primary):
    others = sorted(n for n in lab.NODES if n != primary)
    return lab.wait_for(f"{' '.join(others)} streaming from {primary} over TLS", DEADLINE,
                        lambda: streaming_over_tls(primary) == others)


def test_1_bring_up_over_tls(cluster):
    primary = settled_primary()
    all_over_tls(primary)
    # Nothing reaches a server over TCP without TLS.
    plain = lab.in_node(primary, "runuser", "-u", "postgres", "--", os.path.join(lab.PGBIN, "psql"),
                        f"host={lab.ADDR[primary]} user=postgres dbname=postgres sslmode=disable", "-Atc", "SELECT 1",
                        check=False)
    assert plain.returncode != 0 and "no encryption" in plain.stderr, plain.stderr
    # pgha status reaches every node with the resource's replication_options: TLS with certificates.
    def healthy():
        out = lab.in_node(primary, AGENT, "status", "--json", check=False, timeout=60)
        return json.loads(out.stdout) if out.returncode == 0 and out.stdout else None
    report = lab.wait_for("pgha status --json exits 0 over TLS", 60, healthy)
    assert report["primary"] == primary and not report["problems"], report


def test_2_kill_primary_over_tls(cluster):
    """kill -9 of the primary: the new primary's post-promote check of itself and the other standby's
    repointing go over TLS, and the old primary rejoins (compared with the new primary over TLS, rewound
    when it diverged) as a standby streaming over TLS."""
    report = faults.kill_primary()
    assert not report["violations"], f"two writable primaries seen: {report['violations'][:5]}"
    assert report["after"] == report["new"]
    all_over_tls(report["new"])
    print(f"\n{report}")


def test_3_link_cut_with_writer_over_tls(cluster):
    """The primary's link cut while a writer inside its node goes on writing to it: the old primary forks
    from the new one and comes back through pg_rewind, whose connection to the new primary is TLS with the
    client certificate, then streams over TLS."""
    report = faults.cut_primary_link(node_writer=True)
    assert not report["violations"], f"two writable primaries seen: {report['violations'][:5]}"
    assert report["after"] == report["new"]
    assert report["node_acked_after_fault"] > 0, f"nothing written on {report['before']} after the cut: {report}"
    assert report["rewound"], f"{report['before']} came back without pg_rewind: {report}"
    all_over_tls(report["new"])
    print(f"\n{report}")


def test_4_switchover_over_tls(cluster):
    """The switchover proof asks the old primary for its WAL end over a replication connection: TLS too."""
    report = faults.switchover()
    assert not report["violations"], f"two writable primaries seen: {report['violations'][:5]}"
    assert report["after"] == report["new"]
    assert report["proven"], f"{report['new']} promoted without logging the switchover proof"
    assert not report["rewound"] and not report["second_move"], report
    all_over_tls(report["new"])
    print(f"\n{report}")


def test_5_emptied_standby_cloned_over_tls(cluster):
    """bootstrap=true: pg_basebackup's connection to the primary is TLS with the client certificate."""
    report = faults.emptied_standby()
    assert report["after"] == report["before"]
    all_over_tls(report["after"])
    print(f"\n{report}")
