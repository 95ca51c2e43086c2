#!/usr/bin/env python3
"""PAF and pgha side by side, in one run: the lab brought up twice with the same settings, once with PAF
(Debian's resource-agents-paf: ocf:heartbeat:pgsqlms, and the virtual IP its standbys follow) and once
with pgha, and one table with both and their ratio:
  - steady-state monitor, on the primary and on a standby: CPU ms and wall ms per call (median of CALLS),
    the processes one call creates, the largest resident set of a call. Measured inside the node, the
    agent started with the environment pacemaker-execd gives it (built from the CIB, as execd builds it);
  - Pacemaker's own record of the monitors: the exec-time of each node's recurring monitor in the CIB
    (its first run after start: Pacemaker writes a recurring result again only when it changes);
  - the agent's share of a failover: from pacemaker-execd's log, the promote plus, for every round of
    notifications Pacemaker waited for, the slowest node's notify, from the fault to the end of the
    post-promote notification;
  - end to end, for kill -9 of the primary's postmaster and for a cut of its link, median and max of RUNS:
    seconds from the fault to a writable primary, to the other standby streaming from it, to the old
    primary back as a standby.
A benchmark: it prints figures and asserts nothing about them.

usage: ocf/lab/bench-paf [RUNS]      (default 3; CALLS: PGHA_BENCH_CALLS, default 50; timings from the
                                      PGHA_LAB_* variables, see ocf/lab/lib.sh; PGHA_AGENT: the pgha binary)"""
import datetime
import json
import os
import re
import statistics
import subprocess
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
import lab  # noqa: E402
import timeline  # noqa: E402

KINDS = ("paf", "pgha")
AGENTS = {"paf": "/usr/lib/ocf/resource.d/heartbeat/pgsqlms", "pgha": "/usr/lib/ocf/resource.d/heartbeat/pgha"}
COST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "agent_cost.py")
# What pacemaker-execd puts around the resource's parameters and meta-attributes (seen in
# /proc/<pid>/environ of an agent it ran in this lab; debug settings left out: they change what agents log).
EXECD_ENV = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C", "LANG": "C.UTF-8",
    "HA_LOGFILE": "/var/log/pacemaker/pacemaker.log", "HA_cluster_type": "corosync", "HA_quorum_type": "corosync",
    "HA_mcp": "true", "PCMK_service": "pacemaker-execd", "PCMK_logfacility": "none",
    "PCMK_logfile": "/var/log/pacemaker/pacemaker.log", "PCMK_logpriority": "info",
    "OCF_EXIT_REASON_PREFIX": "ocf-exit-reason:", "OCF_OUTPUT_FORMAT": "text", "OCF_ROOT": "/usr/lib/ocf",
    "OCF_RA_VERSION_MAJOR": "1", "OCF_RA_VERSION_MINOR": "1",
}


def execd_environment(node, role):
    """The environment of a recurring monitor of `role` on `node`, from the CIB."""
    cib = ET.fromstring(lab.crm("cibadmin", "--query").stdout)
    primitive = cib.find(".//primitive[@id='pgsqld']")
    clone = cib.find(".//clone[@id='pgsql-ha']")
    op = next(o for o in primitive.iter("op") if o.get("name") == "monitor" and o.get("role") == role)
    env = dict(EXECD_ENV)
    env.update({"OCF_RESOURCE_INSTANCE": "pgsqld", "OCF_RESOURCE_PROVIDER": primitive.get("provider"),
                "OCF_RESOURCE_TYPE": primitive.get("type"), "OCF_RESKEY_crm_feature_set": cib.get("crm_feature_set")})
    params = primitive.find("instance_attributes")
    for nv in params.iter("nvpair") if params is not None else ():
        env[f"OCF_RESKEY_{nv.get('name')}"] = nv.get("value")
    meta = {nv.get("name").replace("-", "_"): nv.get("value") for nv in clone.find("meta_attributes").iter("nvpair")}
    # Pacemaker 2.1 passes the promoted-* counts under their old names too (PAF reads master_max).
    for new, old in (("promoted_max", "master_max"), ("promoted_node_max", "master_node_max")):
        if new in meta:
            meta[old] = meta[new]
    meta.pop("promotable", None)
    meta.update({"clone": "0", "globally_unique": "false", "name": "monitor", "role": role, "on_node": node,
                 "on_node_uuid": node.lstrip("n"), "interval": str(interval_ms(op.get("interval"))),
                 "timeout": str(interval_ms(op.get("timeout")))})
    env.update({f"OCF_RESKEY_CRM_meta_{k}": v for k, v in meta.items()})
    return env


def interval_ms(value):
    number, unit = re.fullmatch(r"(\d+)(ms|s|m)?", value).groups()
    return int(number) * {"ms": 1, "s": 1000, "m": 60000, None: 1000}[unit]


def monitor_cost(kind, calls):
    """Per role: the agent_cost.py figures, run inside that node."""
    primary = faults.settled_primary()
    standby = next(n for n in lab.NODES if n != primary)
    result = {}
    for role, node, expected in (("primary", primary, 8), ("standby", standby, 0)):
        env = execd_environment(node, "Promoted" if role == "primary" else "Unpromoted")
        out = subprocess.run([os.path.join(lab.LAB, "exec"), node, "python3", COST, AGENTS[kind], "monitor", str(calls)],
                             input=json.dumps(env), capture_output=True, text=True, check=True, timeout=600)
        figures = json.loads(out.stdout)
        wrong = [c for c in figures["codes"] if c != expected]
        if wrong:
            raise RuntimeError(f"{kind} monitor on the {role} {node} returned {sorted(set(wrong))}, not {expected}")
        result[role] = figures
    return result


def recorded_monitor_times():
    """Each node's recurring monitor exec-time (ms) as the CIB has it, by role."""
    cib = ET.fromstring(lab.crm("cibadmin", "--query", "--scope", "status").stdout)
    times = {"primary": [], "standby": []}
    for op in cib.iter("lrm_rsc_op"):
        if op.get("operation") == "monitor" and op.get("id", "").startswith("pgsqld_monitor_") and op.get("interval") != "0":
            role = "primary" if op.get("rc-code") == "8" else "standby"
            times[role].append(int(op.get("exec-time")))
    return times


# "Nov 27 09:45:01.056 n2 pacemaker-execd [5572] (log_finished) info: pgsqld notify (call 16, PID 6523)
#  exited with status 0 (execution time 242ms)"
FINISHED = re.compile(r"pgsqld (notify|promote|demote|start|stop) \(call \d+.*\(execution time ([^)]+)\)")


def readable_ms(text):
    """'242ms', '1.5s', '1s 234ms', '2m 3s' -> milliseconds."""
    units = {"ms": 1, "s": 1000, "m": 60000, "h": 3600000}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+)(ms|s|m|h)\b", text))


def agent_share(report):
    """ms of agent runs Pacemaker waited for between the fault and the new primary's post-promote
    notification: rounds of runs that overlap in time (one notification round runs on every node at once),
    each counted by its slowest run."""
    done = (report.get("milestones") or {}).get("post-promote done")
    if done is None:
        return None
    since, until = report["fault_at"], report["fault_at"] + done + 0.05
    runs = []
    for t, text in timeline._lines(since):
        m = FINISHED.search(text)
        if m and t <= until:
            ms = readable_ms(m.group(2))
            runs.append((t - ms / 1000, t, ms))
    runs.sort()
    total, end, slowest = 0.0, None, 0.0
    for start, stop, ms in runs:
        if end is not None and start > end + 0.005:
            total += slowest
            slowest = 0.0
        slowest = max(slowest, ms)
        end = stop if end is None else max(end, stop)
    return round(total + slowest)


def failover(kind, scenario, runs):
    reports = []
    for run in range(1, runs + 1):
        report = {}
        try:
            scenario(report=report, lenient=True)
        except (AssertionError, RuntimeError, subprocess.SubprocessError) as error:
            report["error"] = str(error).splitlines()[0][:160]
        if "fault_at" in report and "new" in report:
            report["milestones"] = timeline.milestones(report)
            report["agent_ms"] = agent_share(report)
        if "fault_at" in report:
            report["fences"] = fences_since(report["fault_at"], report["before"])
        reports.append(report)
        print(f"  {kind:<5} {report.get('scenario', scenario.__name__):<28} run {run}: " + ", ".join(
            f"{k} {report.get(k)}" for k in ("writable_s", "other_streaming_s", "old_back_s", "agent_ms", "lost", "fences"))
              + (f"  ({report['error']})" if "error" in report else ""), flush=True)
        if "error" in report or report.get("old_missing"):
            # The next run needs a settled lab: build it again.
            lab.ensure(lab.wanted({"PGHA_LAB_AGENT_KIND": kind}))
    return reports


def fences_since(moment, node):
    """Fencing operations against `node` requested at or after `moment` (epoch s), from the lab's fence log
    ("10:00:01 [123 on n2] reboot n1: requested")."""
    since = datetime.datetime.fromtimestamp(moment, datetime.timezone.utc).strftime("%H:%M:%S")
    try:
        with open(os.path.join(lab.STATE, "fence.log")) as f:
            return sum(1 for line in f if re.match(rf"(\d\d:\d\d:\d\d) \[.*\] (reboot|off) {node}: requested", line)
                       and line[:8] >= since)
    except OSError:
        return None


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return statistics.median(values), max(values)


def count(reports, condition):
    return f"{sum(1 for r in reports if condition(r))} of {len(reports)}"


def fmt(pair, digits=1):
    if isinstance(pair, str):
        return pair
    return "-" if pair is None else f"{pair[0]:.{digits}f} / {pair[1]:.{digits}f}"


def ratio(paf, pgha):
    if paf is None or pgha is None or isinstance(paf, str) or not pgha[0]:
        return "-"
    return f"{paf[0] / pgha[0]:.1f}x"


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    calls = int(os.environ.get("PGHA_BENCH_CALLS", "50"))
    faults.DEADLINE = int(os.environ.get("PGHA_LAB_FAILOVER_DEADLINE", "60"))
    # pgha's old primary is back in about 20 s after fencing; PAF leaves a crashed one to the operator.
    faults.OLD_BACK_DEADLINE = int(os.environ.get("PGHA_BENCH_OLD_BACK_DEADLINE", "60"))
    results = {}
    started = datetime.datetime.now(datetime.timezone.utc)
    try:
        for kind in KINDS:
            print(f"== {kind}: lab up", flush=True)
            why = lab.ensure(lab.wanted({"PGHA_LAB_AGENT_KIND": kind}))
            print(f"   ({why or 'running lab reused'})", flush=True)
            r = results[kind] = {}
            r["recorded"] = recorded_monitor_times()
            r["monitor"] = monitor_cost(kind, calls)
            for role in ("primary", "standby"):
                m = r["monitor"][role]
                print(f"  {kind:<5} monitor {role}: CPU {statistics.median(m['cpu_ms']):.1f} ms, wall "
                      f"{statistics.median(m['wall_ms']):.1f} ms, {m['children']} children, "
                      f"max RSS {statistics.median(m['maxrss_kb']) / 1024:.1f} MiB; CIB exec-time {r['recorded'][role]}",
                      flush=True)
            r["kill"] = failover(kind, faults.kill_primary, runs)
            r["cut"] = failover(kind, faults.cut_primary_link, runs)
    finally:
        if os.environ.get("PGHA_LAB_KEEP") != "1":
            lab.script("down", check=False)
    print_table(results, runs, calls, started)


def print_table(results, runs, calls, started):
    rows = []

    def add(label, values, digits=1):
        rows.append((label, {k: values(results[k]) if k in results else None for k in KINDS}, digits))

    for role in ("primary", "standby"):
        add(f"monitor CPU ms, {role}", lambda r, role=role: stats(r["monitor"][role]["cpu_ms"]), 1)
        add(f"monitor wall ms, {role}", lambda r, role=role: stats(r["monitor"][role]["wall_ms"]), 1)
        add(f"monitor child processes, {role}", lambda r, role=role: (r["monitor"][role]["children"],) * 2
            if r["monitor"][role]["children"] is not None else None, 0)
        add(f"monitor exec-time ms in the CIB, {role}", lambda r, role=role: stats(r["recorded"][role]), 0)
    add("max RSS of a monitor call, MiB", lambda r: stats([x / 1024 for x in r["monitor"]["primary"]["maxrss_kb"]
                                                           + r["monitor"]["standby"]["maxrss_kb"]]), 1)
    for fault, name in (("kill", "kill -9"), ("cut", "link cut")):
        add(f"{name}: agent ms in the failover", lambda r, f=fault: stats([x.get("agent_ms") for x in r[f]]), 0)
        add(f"{name}: s to a writable primary", lambda r, f=fault: stats([x.get("writable_s") for x in r[f]]))
        add(f"{name}: s to the other standby streaming", lambda r, f=fault: stats([x.get("other_streaming_s") for x in r[f]]))
        add(f"{name}: s to the old primary back", lambda r, f=fault: stats([x.get("old_back_s") for x in r[f]]))
        add(f"{name}: runs with the old primary back", lambda r, f=fault: count(r[f], lambda x: x.get("old_back_s") is not None))
        add(f"{name}: runs with a step past its deadline", lambda r, f=fault: count(r[f], lambda x: "error" in x))
        add(f"{name}: fences of the old primary in a run", lambda r, f=fault: stats([x.get("fences") for x in r[f]]), 0)
        add(f"{name}: acknowledged rows lost", lambda r, f=fault: stats([x.get("lost") for x in r[f]]), 0)
    print()
    print(f"deadlines: {faults.DEADLINE} s for each step, {faults.OLD_BACK_DEADLINE} s for the old primary to come back; "
          "a run that misses one has no figure for that step and the next ones, and the next run gets a new lab")
    print(f"PAF ({AGENTS['paf']}, resource-agents-paf {paf_version()}) and pgha ({lab.setting('PGHA_AGENT')}), "
          f"{started:%Y-%m-%d}; median / max; monitor: {calls} calls per role; failover: {runs} runs per fault")
    print(f"| {'':<44} | {'PAF':>15} | {'pgha':>15} | {'PAF / pgha':>10} |")
    print(f"| {'-' * 44} | {'-' * 15}:| {'-' * 15}:| {'-' * 10}:|")
    for label, values, digits in rows:
        print(f"| {label:<44} | {fmt(values['paf'], digits):>15} | {fmt(values['pgha'], digits):>15} | "
              f"{ratio(values['paf'], values['pgha']):>10} |")


def paf_version():
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "resource-agents-paf"], capture_output=True, text=True)
    return out.stdout or "?"


if __name__ == "__main__":
    main()
