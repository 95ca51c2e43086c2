"""What clients see during a fault: a checker that polls every node ten times a second for writable
primaries, and a writer that inserts numbered rows through the multi-host string and records the ones
acknowledged; optionally a second writer inside a node (node_writer.py). All are bounded in time and stop
by themselves."""
import os
import subprocess
import sys
import threading
import time

import psycopg

import lab

# A connection to a node whose link is cut fails within a few seconds instead of waiting for TCP's
# retransmission timeout (minutes): keepalives for an idle wait, tcp_user_timeout for unacknowledged data.
KEEPALIVES = dict(keepalives=1, keepalives_idle=1, keepalives_interval=1, keepalives_count=3,
                  tcp_user_timeout=3000)

# PostgreSQL turns a cancelled wait for synchronous replication (a cancel request) into a successful
# COMMIT with a WARNING: "canceling wait for synchronous replication ...", "The transaction has already
# committed locally, but might not have been replicated to the standby." Such a commit is not an
# acknowledged write. statement_timeout does not end that wait (the server disarms it before the commit,
# seen on this lab: an INSERT waited for a missing standby with statement_timeout=2000 until killed), so
# the writers cancel, as an application with a client-side timeout does.
SYNC_WAIT_CANCELLED = "wait for synchronous replication"
CANCEL_AFTER = 2.0   # seconds


class Inserter:
    """One connection that inserts ids into scenario_rows, one commit each, and tells an acknowledged
    commit from one that only committed locally (the warning above, caught by a notice handler: libpq
    delivers it while the INSERT's result is read, so it is known when execute returns)."""

    def __init__(self, conninfo):
        self.warnings = []
        self.conn = psycopg.connect(conninfo, autocommit=True, options="-c statement_timeout=2000",
                                    **KEEPALIVES)
        self.conn.add_notice_handler(self.notice)

    def notice(self, diag):
        if SYNC_WAIT_CANCELLED in (diag.message_primary or ""):
            self.warnings.append(diag.message_primary)

    def insert(self, row_id):
        """True: acknowledged. False: committed locally only (not acknowledged). psycopg.Error: unknown."""
        self.warnings.clear()
        timer = threading.Timer(CANCEL_AFTER, self.cancel)
        timer.start()
        try:
            self.conn.execute("INSERT INTO scenario_rows (id) VALUES (%s)", (row_id,))
        finally:
            timer.cancel()
            timer.join()   # a cancel under way must not reach the next statement
        return not self.warnings

    def cancel(self):
        try:
            self.conn.cancel_safe(timeout=2.0)
        except (psycopg.Error, OSError):
            pass   # the server is unreachable: keepalives end the connection

    def close(self):
        self.conn.close()


class PrimaryChecker:
    """One thread per node polls it every 100 ms over its own connection (a node that does not answer
    delays only its own thread); an evaluator looks ten times a second at the latest answers. Two nodes whose
    fresh answers both say "not in recovery" are a split brain, as a client would see it."""

    FRESH = 0.3  # seconds an answer counts as current

    def __init__(self, limit_seconds=600):
        self.stop_event = threading.Event()
        self.limit = limit_seconds
        self.latest = {}          # node -> (monotonic time, writable)
        self.polls = {n: 0 for n in lab.NODES}
        self.sweeps = 0
        self.violations = []
        self.threads = [threading.Thread(target=self.poll, args=(n,), daemon=True) for n in lab.NODES]
        self.threads.append(threading.Thread(target=self.evaluate, daemon=True))

    def start(self):
        for thread in self.threads:
            thread.start()

    def poll(self, node):
        end = time.monotonic() + self.limit
        conn = None
        while not self.stop_event.is_set() and time.monotonic() < end:
            started = time.monotonic()
            try:
                if conn is None:
                    conn = psycopg.connect(host=lab.ADDR[node], port=5432, user="postgres", dbname="postgres",
                                           autocommit=True, connect_timeout=1, options="-c statement_timeout=500",
                                           **KEEPALIVES, **lab.tls())
                writable = conn.execute("SELECT NOT pg_is_in_recovery()").fetchone()[0]
                self.latest[node] = (time.monotonic(), writable)
                self.polls[node] += 1
            except psycopg.Error:
                if conn is not None:
                    conn.close()
                conn = None
            self.stop_event.wait(max(0.0, 0.1 - (time.monotonic() - started)))
        if conn is not None:
            conn.close()

    def evaluate(self):
        end = time.monotonic() + self.limit
        while not self.stop_event.is_set() and time.monotonic() < end:
            now = time.monotonic()
            writable = sorted(n for n, (at, w) in list(self.latest.items()) if w and now - at < self.FRESH)
            self.sweeps += 1
            if len(writable) > 1:
                self.violations.append((time.time(), writable))
            self.stop_event.wait(0.1)

    def stop(self):
        self.stop_event.set()
        for thread in self.threads:
            thread.join(10)


class Writer(threading.Thread):
    """Inserts 1, 2, 3... into scenario_rows through target_session_attrs=read-write, one row per commit,
    reconnecting after errors. `acked` holds the ids whose commit returned without the warning of a
    cancelled wait for synchronous replication (`acked_at`: when, monotonic), `uncertain` those with it."""

    def __init__(self, limit_seconds=600, interval=0.02):
        super().__init__(daemon=True)
        self.stop_event = threading.Event()
        self.limit = limit_seconds
        self.interval = interval
        self.acked = []
        self.acked_at = []
        self.uncertain = []
        self.errors = 0

    def run(self):
        end = time.monotonic() + self.limit
        next_id, inserter = 1, None
        while not self.stop_event.is_set() and time.monotonic() < end:
            try:
                if inserter is None:
                    inserter = Inserter(lab.CLIENT)
                if inserter.insert(next_id):
                    self.acked.append(next_id)
                    self.acked_at.append(time.monotonic())
                else:
                    self.uncertain.append(next_id)
                next_id += 1
                self.stop_event.wait(self.interval)
            except psycopg.Error:
                self.errors += 1
                if inserter is not None:
                    inserter.close()
                inserter = None
                next_id += 1  # the outcome of that id is unknown: never reuse it
                self.stop_event.wait(0.2)
        if inserter is not None:
            inserter.close()

    def acked_between(self, start, end):
        return sum(1 for at in self.acked_at if start <= at <= end)

    def stop(self):
        self.stop_event.set()
        self.join(10)


class NodeWriter:
    """The writer of an application server beside the database: node_writer.py run inside `node`'s
    namespaces (ocf/lab/exec), through the same multi-host string, ids from FIRST_ID up. After a cut of
    the node's link it reaches only its own node: whatever that isolated primary acknowledges is in
    the file it writes line by line (a fencing SIGKILL loses nothing already written)."""

    FIRST_ID = 1_000_000_000

    def __init__(self, node, limit_seconds=600):
        self.node = node
        self.limit = limit_seconds
        self.out = f"{lab.STATE}/node-writer-{node}.out"
        self.stop_file = f"{lab.STATE}/node-writer-{node}.stop"
        self.proc = None
        self.exit = None

    def start(self):
        for path in (self.out, self.stop_file):
            if os.path.exists(path):
                os.remove(path)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node_writer.py")
        with open(f"{lab.STATE}/node-writer-{self.node}.err", "a") as err:
            # Own session: if it outlives its bounds, its whole group (exec, nsenter, python) is killed.
            self.proc = subprocess.Popen(
                [os.path.join(lab.LAB, "exec"), self.node, sys.executable, script, lab.CLIENT, self.out,
                 self.stop_file, str(self.FIRST_ID), str(self.limit)],
                stdin=subprocess.DEVNULL, stdout=err, stderr=err, start_new_session=True,
                env={**os.environ, **lab.ENV})

    def lines(self):
        """(outcome, id, epoch seconds) per finished commit; outcome 'acked' or 'uncertain'."""
        try:
            with open(self.out) as f:
                rows = [line.split() for line in f]
        except OSError:
            return []
        # A line cut short by SIGKILL mid-write has fewer fields: its commit is not counted.
        return [(r[0], int(r[1]), float(r[2])) for r in rows if len(r) == 3]

    def acked(self, after=None):
        return [i for outcome, i, at in self.lines() if outcome == "acked" and (after is None or at >= after)]

    def uncertain(self):
        return [i for outcome, i, _ in self.lines() if outcome == "uncertain"]

    def stop(self):
        """Asks it to stop (it may be dead already: fenced with its node); the exit code is kept."""
        if self.proc is None:
            return
        open(self.stop_file, "w").close()
        try:
            self.exit = self.proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.exit = self.proc.wait(5)


def lost_rows(primary, acked):
    """Acknowledged ids missing from `primary`."""
    with psycopg.connect(host=lab.ADDR[primary], port=5432, user="postgres", dbname="postgres",
                         connect_timeout=5, **lab.tls()) as conn:
        present = {r[0] for r in conn.execute("SELECT id FROM scenario_rows")}
    return sorted(set(acked) - present)
