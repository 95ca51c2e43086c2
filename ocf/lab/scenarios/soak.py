#!/usr/bin/env python3
"""Soak: kill -9 of the primary's postmaster, the primary's link cut (with a writer beside it, inside its
node) and switchover, N runs each (default 10), under writes, on a lab of the current PGHA_LAB_* settings
(brought up when the running lab was built otherwise). A line per run as it goes, then per scenario: runs,
failures (an exception or a timeout in a run; the next run starts once the cluster has settled again, or
after a new `up` when it does not), acknowledged rows lost, moments with two writable primaries, median and
max seconds from the fault to a writable primary. Not a test: it asserts nothing, and exits 1 when any run
failed, lost an acknowledged row or saw two writable primaries.

usage: ocf/lab/soak [N]        e.g. PGHA_LAB_SYNC_STANDBYS=1 ocf/lab/soak 10
       PGHA_LAB_REWIND=false PGHA_SOAK_SCENARIOS=switchover ocf/lab/soak 10   switchovers back and forth:
       each proven (the candidate replayed the old primary's shutdown checkpoint), the old primary back
       without pg_rewind, the role staying where it went once the move constraint is cleared
       PGHA_LAB_SYNC_STANDBYS=1 PGHA_SOAK_SCENARIOS="fence during promote" ocf/lab/soak 5   the node
       chosen after a kill -9 struck down when its pre-promote notification goes out (faults.py)
       PGHA_SOAK_SCENARIOS="full restart" ocf/lab/soak 10   every instance stopped by Pacemaker, every
       node down and up: control files "shut down" before, no failure record after (faults.full_restart)"""
import os
import statistics
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faults  # noqa: E402
import lab  # noqa: E402

SCENARIOS = (
    ("kill -9 primary", faults.kill_primary),
    ("link cut + node writer", lambda: faults.cut_primary_link(node_writer=True)),
    ("switchover", faults.switchover),
)
# Only when named: the candidate struck down while it promotes (each run fences two nodes, about a minute);
# every node stopped cleanly and restarted (issue #21: clean control files, no failure record after).
OPTIONAL = (("fence during promote", faults.fence_during_promote), ("full restart", faults.full_restart))
# PGHA_SOAK_SCENARIOS=switchover (names, comma-separated, as in the first column) runs only those.
if os.environ.get("PGHA_SOAK_SCENARIOS"):
    wanted = [w.strip() for w in os.environ["PGHA_SOAK_SCENARIOS"].split(",")]
    SCENARIOS = tuple(s for s in SCENARIOS + OPTIONAL if s[0] in wanted)


def recover():
    """After a failed run: wait for the cluster to settle; when it does not, a new lab."""
    try:
        faults.settled_primary()
        return "settled"
    except Exception as e:  # noqa: BLE001 - whatever broke, the next run needs a lab
        print(f"    the cluster did not settle ({str(e).splitlines()[0][:160]}): down and up", flush=True)
        lab.script("down", check=False)
        up = lab.script("up", check=False, timeout=600)
        return "new lab" if up.returncode == 0 else f"up failed: {up.stderr[-300:]}"


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    settings = lab.wanted()
    why = lab.ensure(settings)
    shown = {k: v for k, v in sorted(lab.recorded().items())}
    print(f"soak, {runs} runs per scenario, {time.strftime('%Y-%m-%d %H:%M:%S')}; lab "
          f"{'brought up (' + why + ')' if why else 'already running'}: {shown}", flush=True)
    print(f"{'scenario':<24} {'run':>3} {'result':<7} {'writable s':>10} {'lost':>5} {'2 primaries':>11} "
          f"{'acked':>6} {'uncertain':>9} {'run s':>6}  note", flush=True)
    summary = []
    try:
        for name, scenario in SCENARIOS:
            results = []
            summary.append((name, results))
            for run in range(1, runs + 1):
                started = time.monotonic()
                try:
                    report = scenario()
                    error = None
                except Exception as e:  # noqa: BLE001 - a failed run is counted, the soak goes on
                    report, error = {}, e
                    traceback.print_exc(limit=3, file=sys.stdout)
                duration = time.monotonic() - started
                note = ""
                if error is not None:
                    note = f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"
                elif "node_acked_after_fault" in report:
                    note = (f"{report['before']}->{report['new']}; the isolated primary acked "
                            f"{report['node_acked_after_fault']} after the cut, uncertain {report['node_uncertain']}")
                else:
                    note = f"{report.get('before')}->{report.get('new')}"
                    if "candidate" in report:
                        note += (f"; {report['candidate']} struck at {report['struck_s']} s, back at "
                                 f"{report.get('candidate_back_s')} s")
                    if "second_move" in report:
                        note += (f"; proven {report['proven']}, rewound {report['rewound']}, "
                                 f"second move {report['second_move']}, old back {report.get('old_back_s')} s")
                uncertain = report.get("uncertain", 0) + report.get("node_uncertain", 0)
                print(f"{name:<24} {run:>3} {'ok' if error is None else 'FAILED':<7} "
                      f"{report.get('writable_s', float('nan')):>10} {report.get('lost', '-'):>5} "
                      f"{len(report.get('violations', [])):>11} {report.get('acked', '-'):>6} {uncertain:>9} "
                      f"{duration:>6.0f}  {note}", flush=True)
                results.append((error, report))
                if error is not None:
                    print(f"    recovery: {recover()}", flush=True)
    finally:
        print()
        print(f"{'scenario':<24} {'runs':>4} {'failures':>8} {'lost':>5} {'2 primaries':>11} "
              f"{'writable s median':>17} {'max':>5}")
        bad = False
        for name, results in summary:
            failures = sum(1 for e, _ in results if e is not None)
            lost = sum(r.get("lost", 0) for _, r in results)
            split = sum(len(r.get("violations", [])) for _, r in results)
            times = [r["writable_s"] for _, r in results if "writable_s" in r]
            median = f"{statistics.median(times):.1f}" if times else "-"
            worst = f"{max(times):.1f}" if times else "-"
            print(f"{name:<24} {len(results):>4} {failures:>8} {lost:>5} {split:>11} {median:>17} {worst:>5}")
            moved = sum(1 for _, r in results if r.get("second_move"))
            rewound = sum(1 for _, r in results if r.get("rewound") and "second_move" in r)
            if any("second_move" in r for _, r in results):
                print(f"{'':<24} proven {sum(1 for _, r in results if r.get('proven'))}, rewound {rewound}, "
                      f"second moves {moved}")
            bad |= bool(failures or lost or split or moved or rewound)
        if why and os.environ.get("PGHA_LAB_KEEP") != "1":
            lab.script("down", check=False)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
