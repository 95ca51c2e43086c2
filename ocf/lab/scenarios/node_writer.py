"""node_writer.py CONNINFO OUT STOP_FILE FIRST_ID SECONDS: inserts FIRST_ID, FIRST_ID+1... into
scenario_rows, one commit each, from inside a lab node (started by traffic.NodeWriter through
ocf/lab/exec). One line per finished commit in OUT: "acked|uncertain <id> <epoch seconds>", written and
flushed before the next insert, so that a SIGKILL (fencing kills every process of the node) loses no
acknowledged id. Stops when STOP_FILE exists or after SECONDS."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import psycopg  # noqa: E402

from traffic import Inserter  # noqa: E402


def main():
    conninfo, out, stop_file, next_id, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), \
        float(sys.argv[5])
    end = time.monotonic() + seconds
    inserter, errors = None, 0
    with open(out, "a", buffering=1) as f:
        while time.monotonic() < end and not os.path.exists(stop_file):
            try:
                if inserter is None:
                    inserter = Inserter(conninfo)
                outcome = "acked" if inserter.insert(next_id) else "uncertain"
                f.write(f"{outcome} {next_id} {time.time():.3f}\n")
                f.flush()
                next_id += 1
                time.sleep(0.02)
            except psycopg.Error as e:
                errors += 1
                print(f"{time.strftime('%H:%M:%S')} id {next_id}: {str(e).strip()[:200]}", file=sys.stderr, flush=True)
                if inserter is not None:
                    inserter.close()
                inserter = None
                next_id += 1  # the outcome of that id is unknown: never reuse it
                time.sleep(0.2)
    print(f"{time.strftime('%H:%M:%S')} stopped, {errors} errors", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
