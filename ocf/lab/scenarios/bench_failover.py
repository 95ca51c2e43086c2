#!/usr/bin/env python3
"""Failover figures on the lab: scenarios 2 (kill -9 of the primary's postmaster), 3 (its link cut) and
4 (switchover), N runs each, under client traffic. Prints every run and the medians: seconds from the
fault to a writable primary, to the other standby streaming from it, to the old primary back as a
standby, and acknowledged rows lost; and for the kill and the cut, where those seconds went, from
Pacemaker's logs (timeline.py): failure detected, fence done, promote asked, promote done, post-promote
notification done. A benchmark: it asserts nothing about time.

usage: ocf/lab/bench-failover [N]      (timings from PGHA_LAB_* variables, see ocf/lab/lib.sh)"""
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
import lab  # noqa: E402
import timeline  # noqa: E402

FIELDS = ("writable_s", "other_streaming_s", "old_back_s", "lost")


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    settings = {k: v for k, v in os.environ.items() if k.startswith("PGHA_LAB_")}
    started_here = lab.script("status", "--check", check=False).returncode != 0
    if started_here:
        lab.script("down", check=False)
        lab.script("up", timeout=600)
    print(f"failover benchmark, {runs} runs per scenario; settings {settings or 'defaults (ocf/lab/lib.sh)'}")
    print(f"{'scenario':<28} {'run':>3} {'writable s':>11} {'other s':>8} {'old back s':>11} {'lost':>5} {'2 primaries':>12}")
    try:
        for scenario in (faults.kill_primary, faults.cut_primary_link, faults.switchover):
            reports = []
            for run in range(1, runs + 1):
                report = scenario()
                reports.append(report)
                print(f"{report['scenario']:<28} {run:>3} " + " ".join(
                    f"{report.get(f, float('nan')):>{w}}" for f, w in zip(FIELDS, (11, 8, 11, 5)))
                    + f" {len(report['violations']):>12}", flush=True)
                if "fault_at" in report:
                    report["milestones"] = timeline.milestones(report)
                    print(f"{'':<32} " + ", ".join(f"{k} {v}" for k, v in report["milestones"].items()), flush=True)
            medians = [statistics.median(r[f] for r in reports if f in r) for f in FIELDS]
            print(f"{reports[0]['scenario'] + ' (median)':<28} {'':>3} " + " ".join(
                f"{m:>{w}}" for m, w in zip(medians, (11, 8, 11, 5))), flush=True)
            if all("milestones" in r for r in reports):
                names = list(reports[0]["milestones"])
                parts = []
                for name in names:
                    values = [r["milestones"][name] for r in reports if r["milestones"][name] is not None]
                    parts.append(f"{name} {statistics.median(values) if values else '-'}")
                print(f"{'':<32} median: " + ", ".join(parts), flush=True)
    finally:
        if started_here and os.environ.get("PGHA_LAB_KEEP") != "1":
            lab.script("down", check=False)


if __name__ == "__main__":
    main()
