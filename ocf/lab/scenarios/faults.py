"""The faults of the failover scenarios, each run under client traffic and timed from the moment of the
fault: a new writable primary, the other standbys streaming from it, the old primary back as a standby.
Used by the scenario tests (which assert) and by the failover benchmark (which prints)."""
import contextlib
import os
import re
import shutil
import subprocess
import time

import lab
from traffic import NodeWriter, PrimaryChecker, Writer, lost_rows

DEADLINE = int(os.environ.get("PGHA_LAB_FAILOVER_DEADLINE", "150"))
# How long the old primary has to come back as a standby (None: twice DEADLINE). The side-by-side benchmark
# shortens it: PAF never brings a crashed primary back by itself.
OLD_BACK_DEADLINE = None


def settled_primary():
    # Pacemaker may still have actions to run (a recovery planned after the last fault): let it finish.
    lab.crm("crm_resource", "--wait", "--timeout=60s", check=False)
    return lab.wait_for(f"a settled cluster: one primary, {len(lab.NODES) - 1} streaming standbys", DEADLINE,
                        lab.settled)


def primary_without(old):
    """The cluster's end state when `old` is left out: one writable primary that Pacemaker promoted, every
    other node streaming from it."""
    writable = lab.writable_nodes()
    if len(writable) != 1 or lab.promoted_in_pacemaker() != writable:
        return None
    others = {n for n in lab.NODES if n not in (old, writable[0])}
    return writable[0] if others <= set(lab.streaming_to(writable[0])) else None


@contextlib.contextmanager
def traffic(report, node_writer=False):
    """Runs the checker and the writer around a fault and fills `report`: acknowledged rows, the rows the
    final primary lacks, and every moment two nodes were writable at once; the writers' commits that were
    not acknowledged (a cancelled wait for synchronous replication) as "uncertain". node_writer: a second writer
    inside the primary's node (traffic.NodeWriter), its acknowledged ids counted the same way; when the
    fault sets report["fault_at"] (epoch seconds), also how many of them came after it."""
    primary = settled_primary()
    with lab.connect(primary) as conn:
        conn.execute("DROP TABLE IF EXISTS scenario_rows")
        conn.execute("CREATE TABLE scenario_rows (id bigint PRIMARY KEY)")
    lab.wait_for("the table on every standby", 30,
                 lambda: all(lab.query(n, "SELECT to_regclass('scenario_rows') IS NOT NULL") for n in lab.NODES))
    checker, writer = PrimaryChecker(), Writer()
    beside = NodeWriter(primary) if node_writer else None
    checker.start()
    writer.start()
    try:
        if beside:
            beside.start()
            lab.wait_for(f"the first rows of the writer on {primary}", 30, lambda: len(beside.acked()) >= 10)
        lab.wait_for("the writer's first rows", 30, lambda: len(writer.acked) >= 10)
    except BaseException:
        for w in (writer, checker, beside):
            if w:
                w.stop()
        raise
    report["before"] = primary
    report["t0"] = time.monotonic()
    acked = []
    try:
        yield primary
    finally:
        writer.stop()
        checker.stop()
        acked = list(writer.acked)
        report["uncertain"] = len(writer.uncertain)
        if beside:
            beside.stop()
            acked += beside.acked()
            report["node_acked"] = len(beside.acked())
            report["node_uncertain"] = len(beside.uncertain())
            report["node_writer_exit"] = beside.exit   # -9 / 137: killed with its node by fencing
            if "fault_at" in report:
                report["node_acked_after_fault"] = len(beside.acked(after=report["fault_at"]))
        report["acked"] = len(acked)
        report["sweeps"] = checker.sweeps
        report["polls_per_node"] = dict(checker.polls)
        report["violations"] = checker.violations
        if "window" in report:   # (start, end), monotonic: set by a scenario around a fault
            report["acked_in_window"] = writer.acked_between(*report["window"])
    if report.get("old_missing"):
        after = lab.wait_for(f"one primary, every node but {primary} streaming from it", DEADLINE,
                             lambda: primary_without(primary))
    else:
        after = settled_primary()
    report["after"] = after
    report["lost"] = len(lost_rows(after, acked))


def elapsed(report):
    return round(time.monotonic() - report["t0"], 1)


# How long a state must last to count as kept: longer than the lab's promoted monitor interval (15 s), whose
# next run could move scores or restart the instance.
HOLD = 20


def first_problem(seconds, problem, interval=0.5):
    """Samples `problem` (None while all is well, else what is wrong) for `seconds`: the first problem
    seen, or None when all stayed well."""
    end = time.monotonic() + seconds
    while True:
        found = problem()
        if found is not None or time.monotonic() >= end:
            return found
        time.sleep(interval)


def new_writable(old):
    writable = lab.writable_nodes()
    return writable[0] if len(writable) == 1 and writable[0] != old else None


def follow_times(report, old, in_place=False, lenient=False):
    """in_place: the old primary may be the one writable again (on-fail=restart recovers a crashed
    postmaster on its node); it must have stopped being writable first. lenient: an old primary that does
    not come back is recorded (report["old_missing"], old_back_s None), not an error."""
    if in_place:
        lab.wait_for(f"{old} not writable", DEADLINE, lambda: old not in lab.writable_nodes())
        new = lab.wait_for("a writable primary", DEADLINE,
                           lambda: (lambda w: w[0] if len(w) == 1 else None)(lab.writable_nodes()))
    else:
        new = lab.wait_for("a new writable primary", DEADLINE, lambda: new_writable(old))
    report["writable_s"] = elapsed(report)
    report["new"] = new
    others = [n for n in lab.NODES if n not in (old, new)]
    lab.wait_for(f"{', '.join(others)} streaming from {new}", DEADLINE,
                 lambda: set(others) <= set(lab.streaming_to(new)))
    report["other_streaming_s"] = elapsed(report)
    if new != old:
        try:
            lab.wait_for(f"{old} back, streaming from {new}", OLD_BACK_DEADLINE or DEADLINE * 2,
                         lambda: old in lab.streaming_to(new))
        except AssertionError:
            if not lenient:
                raise
            report["old_back_s"] = None
            report["old_missing"] = True
            return
    report["old_back_s"] = elapsed(report)


def kill_primary(report=None, lenient=False):
    """report: a dict to fill (the caller keeps what was measured when a later step fails); lenient: see
    follow_times."""
    report = {} if report is None else report
    report["scenario"] = "kill -9 primary postmaster"
    with traffic(report) as old:
        pid = lab.postmaster_pid(old)
        report["fault_at"] = time.time()
        os.kill(pid, 9)
        follow_times(report, old, in_place=lab.setting("PGHA_LAB_ONFAIL_PROMOTED") == "restart", lenient=lenient)
    return report


def cut_primary_link(node_writer=False, report=None, lenient=False):
    """node_writer: a second writer runs beside the primary, inside its node, and goes on writing to it
    (the only node it still reaches) after the cut, until fencing kills it with the node: what it wrote
    after the cut forks the old primary from the new one, and it comes back rewound (report["rewound"]).
    report, lenient: as for kill_primary."""
    report = {} if report is None else report
    report["scenario"] = "primary link cut" + (" + node writer" if node_writer else "")
    with traffic(report, node_writer=node_writer) as old:
        mark = log_offset(old)
        # The node's only link goes down: it cannot reach the others, nor they it, until it is fenced.
        report["fault_at"] = time.time()
        subprocess.run(["ip", "-n", f"pgha-lab-{old}", "link", "set", "eth0", "down"], check=True)
        follow_times(report, old, lenient=lenient)
    report["rewound"] = "pg_rewind from" in log_since(old, mark)
    return report


def log_offset(node):
    """Where `node`'s Pacemaker log (the agent's lines among them) ends now: a scenario reads only its own."""
    path = f"{lab.STATE}/{node}/log/pacemaker/pacemaker.log"
    return os.path.getsize(path) if os.path.exists(path) else 0


def log_since(node, offset):
    with open(f"{lab.STATE}/{node}/log/pacemaker/pacemaker.log", errors="replace") as f:
        f.seek(offset)
        return f.read()


def switchover():
    report = {"scenario": "switchover"}
    with traffic(report) as old:
        # Only this switchover's lines count: an earlier scenario may have rewound the same node.
        log_start = log_offset(old)
        target = next(n for n in lab.NODES if n != old)
        target_start = log_offset(target)
        report["new"] = target
        lab.crm("crm_resource", "--move", "--promoted", "--resource", "pgsql-ha", "--node", target)
        try:
            lab.wait_for(f"{target} writable", DEADLINE, lambda: lab.writable_nodes() == [target])
            report["writable_s"] = elapsed(report)
            others = [n for n in lab.NODES if n not in (old, target)]
            lab.wait_for(f"{', '.join(others)} streaming from {target}", DEADLINE,
                         lambda: set(others) <= set(lab.streaming_to(target)))
            report["other_streaming_s"] = elapsed(report)
            lab.wait_for(f"{old} streaming from {target}", DEADLINE, lambda: old in lab.streaming_to(target))
            report["old_back_s"] = elapsed(report)
        finally:
            lab.crm("crm_resource", "--clear", "--resource", "pgsql-ha")
        # Once the move constraint is gone, the role must stay where it went: no second move, also not after
        # the new primary's next monitor ranks the standbys.
        lab.crm("crm_resource", "--wait", "--timeout=60s", check=False)
        report["second_move"] = first_problem(
            HOLD, lambda: None if (w := lab.writable_nodes()) == [target] else f"writable: {w}") or False
    report["rewound"] = "pg_rewind" in log_since(old, log_start)
    report["proven"] = f"switchover from {old} proven" in log_since(target, target_start)
    return report


def emptied_standby():
    """bootstrap=true: a standby's data directory emptied while Pacemaker keeps it stopped (a ban), as on a
    replaced disk; once the ban is cleared, start clones it from the primary. Raises unless it streams
    again with a data directory and no clone directory left, without a failure record on its node."""
    report = {"scenario": "standby's data directory emptied"}
    began = time.time()
    primary = settled_primary()
    standby = max(n for n in lab.NODES if n != primary)
    report["before"], report["standby"] = primary, standby
    lab.crm("crm_resource", "--resource", "pgsql-ha", "--ban", "--node", standby)
    try:
        lab.wait_for(f"{standby} stopped by Pacemaker", DEADLINE,
                     lambda: not os.path.exists(f"{lab.STATE}/{standby}/data/postmaster.pid"))
        # The node's data directory is a bind mount: its content goes, the directory stays (as on a new disk).
        data = f"{lab.STATE}/{standby}/data"
        for name in os.listdir(data):
            path = os.path.join(data, name)
            shutil.rmtree(path) if os.path.isdir(path) and not os.path.islink(path) else os.remove(path)
        report["t0"] = time.monotonic()
    finally:
        lab.crm("crm_resource", "--resource", "pgsql-ha", "--clear", "--node", standby)
    lab.wait_for(f"{standby} cloned and streaming from {primary}", DEADLINE, lambda: standby in lab.streaming_to(primary))
    report["streaming_s"] = elapsed(report)
    assert os.path.exists(f"{data}/PG_VERSION")
    assert not os.path.exists(f"{data}/.pgha-clone") and not os.path.exists(f"{data}/.pgha-clone-partial")
    # Pacemaker's record of failed actions (<failure node=... task=...>): none on the cloned node since
    # this scenario began (an earlier scenario's are not this one's to judge), once Pacemaker has recorded
    # the results of the actions it ran.
    lab.crm("crm_resource", "--wait", "--timeout=60s", check=False)
    failures = lab.failures_since(began, node=standby)
    assert not failures, failures
    report["after"] = settled_primary()
    return report


def fence_during_promote():
    """kill -9 of the primary's postmaster; the moment Pacemaker starts the promotion of the node it chose
    (the pre-promote notification goes out), that node is struck down as fencing would (every process
    killed, no clean stop), and the cluster fences it once it has quorum again. The cluster must end with one
    writable primary, never two."""
    report = {"scenario": "candidate fenced during its promotion"}
    with traffic(report) as old:
        logs = {n: f"{lab.STATE}/{n}/log/pacemaker/pacemaker.log" for n in lab.NODES}
        offsets = {n: os.path.getsize(p) if os.path.exists(p) else 0 for n, p in logs.items()}
        pid = lab.postmaster_pid(old)
        report["fault_at"] = time.time()
        os.kill(pid, 9)
        candidate, struck = None, False
        deadline = time.monotonic() + DEADLINE
        while not struck and time.monotonic() < deadline:
            for node, path in logs.items():
                try:
                    with open(path, "rb") as f:
                        f.seek(offsets[node])
                        chunk = f.read()
                except OSError:
                    continue
                # Whole lines only: a line still being written is read next time.
                chunk = chunk[:chunk.rfind(b"\n") + 1]
                offsets[node] += len(chunk)
                for line in chunk.decode(errors="replace").splitlines():
                    chosen = re.search(r"Promote +\S+ +\( Unpromoted -> Promoted (\S+) \)", line)
                    if chosen:
                        candidate = chosen.group(1)
                    if candidate and "Initiating notify operation pgsqld_pre_notify_promote_0" in line:
                        lab.script("node", "destroy", candidate)
                        report["candidate"] = candidate
                        report["struck_s"] = elapsed(report)
                        struck = True
                        break
                if struck:
                    break
            time.sleep(0.02)
        assert struck, f"no promotion started within {DEADLINE} s of the kill"
        new = lab.wait_for("a writable primary", DEADLINE * 2,
                           lambda: (lambda w: w[0] if len(w) == 1 and w[0] != candidate else None)(lab.writable_nodes()))
        report["writable_s"] = elapsed(report)
        report["new"] = new
        lab.wait_for(f"{candidate} back, streaming from {new}", DEADLINE * 3, lambda: candidate in lab.streaming_to(new))
        report["candidate_back_s"] = elapsed(report)
    return report


def full_restart():
    """Every instance stopped cleanly by Pacemaker (stop-all-resources), then every node's cluster stack
    down and up again, one standby stale: the promotion scores (lifetime reboot) are gone and the election
    alone decides. Raises when a control file did not say "shut down" before the nodes went, or when the
    restart left a failure record (the probes of cleanly stopped instances, the election)."""
    report = {"scenario": "full cluster stop and start"}
    primary = settled_primary()
    stale, fresh = [n for n in lab.NODES if n != primary]
    report["before"], report["stale"] = primary, stale
    with lab.connect(stale) as conn:
        conn.execute("ALTER SYSTEM SET primary_conninfo = ''")
        conn.execute("SELECT pg_reload_conf()")
    lab.wait_for(f"{stale} not streaming", 30, lambda: stale not in lab.streaming_to(primary))
    with lab.connect(primary) as conn:
        conn.execute("DROP TABLE IF EXISTS restart_rows")
        conn.execute("CREATE TABLE restart_rows (id int)")
        conn.execute("INSERT INTO restart_rows SELECT generate_series(1, 1000)")
    lab.wait_for(f"{fresh} has the rows", 30, lambda: lab.query(fresh, "SELECT count(*) FROM restart_rows") == 1000)
    stop_all = ("crm_attribute", "--type", "crm_config", "--name", "stop-all-resources", "--update")
    lab.crm(*stop_all, "true")
    # A node fenced because its stop ran past the timeout keeps a stale postmaster.pid: no process counts.
    lab.wait_for("every instance stopped", DEADLINE, lambda: not any(lab.running_postmaster(n) for n in lab.NODES))
    # stop-all-resources stays true until the nodes are back (the CIB keeps it on disk). Set false here,
    # Pacemaker would start the instances again in the moments before the nodes go, and the restart would
    # find standbys killed in archive recovery (issue #21).
    report["control_files"] = {n: lab.control_state(n) for n in lab.NODES}
    unclean = {n: s for n, s in report["control_files"].items() if s not in ("shut down", "shut down in recovery")}
    assert not unclean, f"not stopped cleanly before the restart: {unclean}"
    fences = fence_requests()
    for node in lab.NODES:
        lab.script("node", "destroy", node)
    booted = time.time()
    for node in lab.NODES:
        lab.script("node", "boot", node)
    report["t0"] = time.monotonic()
    lab.wait_for("the cluster answers after the restart", DEADLINE,
                 lambda: lab.crm(*stop_all, "false", check=False).returncode == 0)
    report["new"] = lab.wait_for("a settled cluster after the restart", DEADLINE * 2, lab.settled)
    report["writable_s"] = report["settled_s"] = elapsed(report)
    # Nothing crashed: the probes after the boot and the election leave no failure record (read once
    # Pacemaker has recorded the results of what it ran).
    lab.crm("crm_resource", "--wait", "--timeout=60s", check=False)
    failures = lab.failures_since(booted)
    assert not failures, f"failure records after the restart: {failures}"
    # A fence wipes the fenced node's failure records: count the fences apart.
    fenced = fence_requests()[len(fences):]
    assert not fenced, f"fenced after the restart: {fenced}"
    assert report["new"] != stale, f"the stale node {stale} was promoted"
    return report


def fence_requests():
    """The lab fence agent's requests so far ($LAB_STATE/fence.log), oldest first."""
    try:
        with open(f"{lab.STATE}/fence.log") as f:
            return [line.strip() for line in f if ": requested" in line]
    except OSError:
        return []


def hold_primary(primary, pid, until):
    """Polls until `until()` is true (or DEADLINE * 2 passes): the first moment `primary` was not the one
    writable node, or ran another postmaster than `pid` (demoted or restarted), as a string; None when it
    held all along."""
    end = time.monotonic() + DEADLINE * 2
    while time.monotonic() < end:
        writable = lab.writable_nodes()
        if writable != [primary]:
            return f"writable: {writable}"
        if lab.running_postmaster(primary) != pid:
            return f"{primary}'s postmaster is no longer {pid}"
        if until():
            return None
        time.sleep(0.5)
    raise AssertionError(f"not settled within {DEADLINE * 2} s")


def lose_standby(how):
    """Two nodes: the standby lost while the primary goes on: `how` is "link cut" (its only link down:
    both sides keep quorum with two_node and ask to fence each other; priority-fencing-delay holds back the
    fencing of the primary's node, so the standby is fenced and rebooted with its link) or "power" (every
    process of the node killed at once, as a power cut: fenced, rebooted). The primary must stay the same
    instance, writable and acknowledging writes until the standby streams from it again."""
    report = {"scenario": f"standby lost ({how})"}
    with traffic(report) as primary:
        standby = next(n for n in lab.NODES if n != primary)
        report["standby"] = standby
        pid = lab.postmaster_pid(primary)
        sender = lab.wal_sender_pid(primary, standby)
        fences = fence_requests()

        def fenced():
            return [line.split(": ")[-2].split()[-1] for line in fence_requests()[len(fences):]]

        def back():
            # The old WAL sender may go on showing "streaming" for a while after the standby is gone (until
            # wal_sender_timeout or TCP gives up): back means fenced, then streaming through a new one.
            return standby in fenced() and lab.wal_sender_pid(primary, standby) not in (None, sender)

        report["fault_at"] = time.time()
        start = time.monotonic()
        if how == "link cut":
            subprocess.run(["ip", "-n", f"pgha-lab-{standby}", "link", "set", "eth0", "down"], check=True)
        else:
            lab.script("node", "kill", standby)
        report["primary_problem"] = hold_primary(primary, pid, back)
        report["old_back_s"] = elapsed(report)
        report["window"] = (start, time.monotonic())
        report["fenced"] = fenced()
    return report
