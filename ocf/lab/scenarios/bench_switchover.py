#!/usr/bin/env python3
"""`pgha switchover` N times in a row on the lab (asynchronous, 3 nodes unless PGHA_LAB_* say otherwise),
each to the best standby, under no load: the command's own figures (seconds to the new primary writable,
to every standby streaming from it) and the move constraints left in the CIB. A benchmark: it prints, it
asserts nothing about time.

usage: ocf/lab/bench-switchover [N]"""
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab  # noqa: E402
from faults import settled_primary  # noqa: E402

AGENT = "/usr/lib/ocf/resource.d/heartbeat/pgha"


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    lab.configure({k: v for k, v in os.environ.items() if k.startswith("PGHA_LAB_")})
    if lab.script("status", "--check", check=False).returncode != 0:
        lab.script("down", check=False)
        lab.script("up", timeout=600)
    writable, streaming, left, failures = [], [], 0, 0
    print(f"pgha switchover, {runs} runs, {len(lab.NODES)} nodes")
    for run in range(1, runs + 1):
        old = settled_primary()
        out = lab.in_node(old, AGENT, "switchover", "--yes", check=False, timeout=180)
        line = (out.stdout.strip().splitlines() or [""])[-1]
        times = [float(t) for t in re.findall(r"after ([0-9.]+) s", line)]
        if out.returncode != 0 or not times:
            failures += 1
            print(f"{run:>3}  failed ({out.returncode}): {out.stderr.strip()}")
            continue
        writable.append(times[0])
        streaming.append(max(times[1:] or times))
        constraints = lab.crm("cibadmin", "--query", "--scope", "constraints").stdout
        left += constraints.count("cli-prefer-")
        print(f"{run:>3}  {line}")
    if writable:
        print(f"writable: median {statistics.median(writable):.1f} s, max {max(writable):.1f} s; "
              f"all streaming: median {statistics.median(streaming):.1f} s, max {max(streaming):.1f} s; "
              f"constraints left {left}; failed runs {failures}")


if __name__ == "__main__":
    main()
