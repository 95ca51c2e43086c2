"""pgha's admin commands on the 3-node lab (asynchronous), run inside a node as an operator would:
`pgha switchover` to a named standby and to the best one, each leaving no constraint in the CIB; refused to
a stopped standby, to the primary, to an unknown node and with a bad timeout, the cluster untouched; a
second one refused while one runs; interrupted with SIGINT after the move, still leaving no constraint."""
import os
import signal
import subprocess
import time

import lab
from faults import DEADLINE, settled_primary

AGENT = "/usr/lib/ocf/resource.d/heartbeat/pgha"
MOVE = "cli-prefer-pgsql-ha"


def constraints():
    out = lab.crm("cibadmin", "--query", "--scope", "constraints")
    return out.stdout


def switchover(node, *args, timeout=120):
    return lab.in_node(node, AGENT, "switchover", *args, check=False, timeout=timeout)


def settled_after(target):
    others = sorted(n for n in lab.NODES if n != target)
    lab.wait_for(f"{target} primary, {' '.join(others)} streaming from it", DEADLINE,
                 lambda: lab.writable_nodes() == [target] and lab.streaming_to(target) == others)


def test_1_switchover_to_a_named_standby(cluster):
    old = settled_primary()
    target = min(n for n in lab.NODES if n != old)
    out = switchover(old, "--to", target, "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{old} → {target}: writable after" in out.stdout and "constraint removed" in out.stdout, out.stdout
    settled_after(target)
    assert MOVE not in constraints()
    print(f"\n{out.stdout.strip()}")


def test_2_switchover_to_the_best_standby(cluster):
    old = settled_primary()
    out = switchover(old, "--yes")
    assert out.returncode == 0, out.stdout + out.stderr
    new = lab.wait_for("a new writable primary", DEADLINE,
                       lambda: (lambda w: w[0] if len(w) == 1 and w[0] != old else None)(lab.writable_nodes()))
    assert f"{old} → {new}:" in out.stdout, out.stdout
    settled_after(new)
    assert MOVE not in constraints()
    print(f"\n{out.stdout.strip()}")


def refused(node, *args):
    """Runs a switchover that must be refused: exit 1 (2 for the parser's own errors), the primary and the
    constraints as they were."""
    primary, before = lab.writable_nodes(), constraints()
    out = switchover(node, *args)
    assert out.returncode != 0, out.stdout + out.stderr
    assert lab.writable_nodes() == primary and constraints() == before
    return out


def test_3_refusals_change_nothing(cluster):
    primary = settled_primary()
    standby = max(n for n in lab.NODES if n != primary)
    assert "already the primary" in refused(primary, "--to", primary, "--yes").stderr
    assert "not a node" in refused(primary, "--to", "n9", "--yes").stderr
    assert "--timeout" in refused(primary, "--to", standby, "--timeout", "0", "--yes").stderr
    assert "--timeout" in refused(primary, "--to", standby, "--timeout", "soon", "--yes").stderr
    assert "not asked on a terminal" in refused(primary, "--to", standby).stderr
    # A stopped standby: banned from its node, so Pacemaker stops it.
    lab.crm("crm_resource", "--resource", "pgsql-ha", "--ban", "--node", standby)
    try:
        lab.wait_for(f"{standby} stopped", DEADLINE, lambda: lab.running_postmaster(standby) is None)
        out = refused(primary, "--to", standby, "--yes")
        assert "not a streaming standby" in out.stderr, out.stderr
    finally:
        lab.crm("crm_resource", "--resource", "pgsql-ha", "--clear", "--node", standby)
    lab.wait_for(f"{standby} streaming again", DEADLINE, lambda: standby in lab.streaming_to(primary))


def admin_pids():
    """Processes of `pgha-admin switchover` on this machine (no PID namespaces in the lab)."""
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"pgha-admin") and b"switchover" in argv:
            found.append(int(pid))
    return found


def test_4_concurrent_then_interrupted(cluster):
    """Started in the background and frozen (SIGSTOP) once it has said it moves the role: a second
    switchover refuses meanwhile. Then SIGINT and SIGCONT: it ends as interrupted, and the move constraint
    it created goes."""
    old = settled_primary()
    target = min(n for n in lab.NODES if n != old)
    first = subprocess.Popen([os.path.join(lab.LAB, "exec"), old, AGENT, "switchover", "--to", target, "--yes",
                              "--timeout", "120"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, **lab.ENV})
    pids = []
    try:
        said = ""
        while "moving the promoted role" not in said:
            line = first.stdout.readline()
            assert line, f"the switchover ended before moving: {first.stderr.read()}"
            said += line
        pids = admin_pids()
        assert pids, "pgha-admin switchover not found"
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        second = switchover(old, "--to", target, "--yes")
        assert second.returncode == 1 and "another" in second.stderr, second.stdout + second.stderr
        for pid in pids:
            os.kill(pid, signal.SIGINT)
            os.kill(pid, signal.SIGCONT)
        out, err = first.communicate(timeout=60)
    finally:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 130, out + err
    assert "interrupted" in err and "constraint removed" in err, err
    assert MOVE not in constraints()
    # Pacemaker goes on with what it decided: one primary, the others streaming from it.
    settled_primary()
