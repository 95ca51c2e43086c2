"""What clients see during a fault: a checker that polls every node ten times a second for writable
primaries, and a writer that inserts numbered rows through the multi-host string and records the ones
acknowledged. Both are bounded in time and stop by themselves."""
import threading
import time

import psycopg

import lab


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
                                           autocommit=True, connect_timeout=1, options="-c statement_timeout=500")
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
    reconnecting after errors. `acked` holds the ids whose commit returned."""

    def __init__(self, limit_seconds=600, interval=0.02):
        super().__init__(daemon=True)
        self.stop_event = threading.Event()
        self.limit = limit_seconds
        self.interval = interval
        self.acked = []
        self.errors = 0

    def run(self):
        end = time.monotonic() + self.limit
        next_id, conn = 1, None
        while not self.stop_event.is_set() and time.monotonic() < end:
            try:
                if conn is None:
                    conn = psycopg.connect(lab.CLIENT, autocommit=True, options="-c statement_timeout=2000")
                conn.execute("INSERT INTO scenario_rows (id) VALUES (%s)", (next_id,))
                self.acked.append(next_id)
                next_id += 1
                self.stop_event.wait(self.interval)
            except psycopg.Error:
                self.errors += 1
                if conn is not None:
                    conn.close()
                conn = None
                next_id += 1  # the outcome of that id is unknown: never reuse it
                self.stop_event.wait(0.2)
        if conn is not None:
            conn.close()

    def stop(self):
        self.stop_event.set()
        self.join(10)


def lost_rows(primary, acked):
    """Acknowledged ids missing from `primary`."""
    with psycopg.connect(host=lab.ADDR[primary], port=5432, user="postgres", dbname="postgres") as conn:
        present = {r[0] for r in conn.execute("SELECT id FROM scenario_rows")}
    return sorted(set(acked) - present)
