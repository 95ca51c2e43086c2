"""Where the seconds of a failover go, from Pacemaker's own logs on the lab's nodes: from the fault
(report["fault_at"], epoch seconds) to the failure seen (a failed monitor, or the node lost from the
membership), the fence done, the promote asked for and done, and the post-promote notification done on the
new primary. Each milestone is the first matching log line after the previous one; None when not found."""
import datetime
import re

import lab

# "Nov 27 07:31:57.348 n1 pacemaker-controld  [14458] (...) notice: ..."
STAMP = re.compile(r"^(\w{3} +\d+ \d\d:\d\d:\d\d\.\d{3}) ")


def _epoch(stamp, year):
    moment = datetime.datetime.strptime(f"{year} {stamp}", "%Y %b %d %H:%M:%S.%f")
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp()


def _lines(since):
    """Every node's Pacemaker log lines stamped at or after `since`, as (epoch, text), in time order."""
    year = datetime.datetime.fromtimestamp(since, datetime.timezone.utc).year
    found = []
    for node in lab.NODES:
        try:
            with open(f"{lab.STATE}/{node}/log/pacemaker/pacemaker.log", errors="replace") as f:
                for line in f:
                    m = STAMP.match(line)
                    if m:
                        t = _epoch(m.group(1), year)
                        if t >= since - 0.001:
                            found.append((t, line.rstrip("\n")))
        except OSError:
            pass
    return sorted(found, key=lambda x: x[0])


def milestones(report):
    """Seconds from the fault to each milestone, in order: detected, fenced, promote asked, promote done,
    post-promote done."""
    old, new, since = report["before"], report.get("new"), report["fault_at"]
    patterns = [
        ("detected", re.compile(
            rf"Result of monitor operation for pgsqld on {old}: (not running|promoted \(failed\)|error|failed)"
            rf"|Node {old} state is now lost|peer_update_callback.*{old}.*lost|Our peer on the DC \({old}\) is dead")),
        ("fenced", re.compile(rf"Operation '(reboot|off)' .*targeting {old}.*(OK|returned 0|complete)"
                              rf"|Peer {old} was terminated \(reboot\) .*: OK")),
        ("promote asked", re.compile(rf"Requesting local execution of promote operation for pgsqld on {new}")),
        ("promote done", re.compile(rf"Result of promote operation for pgsqld on {new}: ok")),
        ("post-promote done", re.compile(rf"Result of notify operation for pgsqld on {new}: ok")),
    ]
    result, index = {}, 0
    lines = _lines(since)
    for name, pattern in patterns:
        hit = next(((i, t) for i, (t, text) in enumerate(lines[index:], start=index) if pattern.search(text)), None)
        if hit is None:
            result[name] = None
            continue
        index, t = hit
        result[name] = round(t - since, 2)
    return result
