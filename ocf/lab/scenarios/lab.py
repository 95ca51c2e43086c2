"""The lab as the scenario tests drive it: the ocf/lab scripts for faults and Pacemaker, psycopg from the
host (through the lab's host leg, 10.200.0.1) for what clients see."""
import datetime
import os
import re
import subprocess
import time

import psycopg

LAB = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATE = os.environ.get("PGHA_LAB_STATE", "/var/lib/pgha-lab")
# The lab's shape when nothing says otherwise (as in ocf/lab/lib.sh).
DEFAULTS = {"PGHA_LAB_NODE_COUNT": "3", "PGHA_LAB_SYNC_STANDBYS": "0", "PGHA_LAB_ONFAIL_PROMOTED": "fence",
            "PGHA_LAB_AGENT_KIND": "pgha", "PGHA_LAB_TLS": "0"}
CONNECT = dict(port=5432, user="postgres", dbname="postgres", autocommit=True)

# Set by configure(): the lab this process drives. Module attributes, read as lab.NODES etc. at run time
# (never `from lab import NODES`: a test module may switch to a lab of another size).
NODES = ()
ADDR = {}
CLIENT = ""
PGBIN = ""        # the PostgreSQL binaries of the lab's platform, as ocf/lab/lib.sh sets PGBIN
ENV = {}          # PGHA_LAB_* settings passed to the lab scripts


def recorded():
    """The settings the running lab was built with ($LAB_STATE/lab.env, written by `up`), or {}."""
    try:
        with open(os.path.join(STATE, "lab.env")) as f:
            return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    except OSError:
        return {}


def setting(name):
    """A setting as the lab scripts see it: configure()'s, the environment's, the running lab's, the default."""
    return ENV.get(name) or os.environ.get(name) or recorded().get(name) or DEFAULTS.get(name)


def tls():
    """libpq's TLS keywords for a client of the lab (root: its own copy of the client key), {} without
    PGHA_LAB_TLS=1 (ocf/lab/tls-certs)."""
    if setting("PGHA_LAB_TLS") != "1":
        return {}
    return dict(sslmode="verify-full", sslrootcert=f"{STATE}/tls/ca.crt", sslcert=f"{STATE}/tls/client.crt",
                sslkey=f"{STATE}/tls/client-root.key")


def lib_value(name):
    """A variable as ocf/lab/lib.sh sets it for the lab these settings describe: the platform's facts
    (ocf/lab/platform.sh) are read there and nowhere else."""
    out = subprocess.run(["bash", "-c", 'source "$1" >/dev/null && printf %s "${!2}"', "lib",
                          os.path.join(LAB, "lib.sh"), name],
                         capture_output=True, text=True, env={**os.environ, **ENV})
    if out.returncode != 0:
        raise RuntimeError(f"ocf/lab/lib.sh: {out.stderr.strip()}")
    return out.stdout


def configure(settings=None):
    """Points this module (and the lab scripts it runs) at a lab of `settings` (PGHA_LAB_* -> value)."""
    global NODES, ADDR, CLIENT, PGBIN
    ENV.clear()
    ENV.update(settings or {})
    PGBIN = lib_value("PGBIN")
    count = int(setting("PGHA_LAB_NODE_COUNT"))
    NODES = tuple(f"n{i}" for i in range(1, count + 1))
    ADDR = {n: f"10.200.0.{10 + i}" for i, n in enumerate(NODES, start=1)}
    CLIENT = ("postgresql://" + ",".join(f"{a}:5432" for a in ADDR.values())
              + "/postgres?user=postgres&target_session_attrs=read-write&connect_timeout=2"
              + "".join(f"&{k}={v}" for k, v in tls().items()))


def sync_standbys():
    return int(setting("PGHA_LAB_SYNC_STANDBYS"))


configure()


def wanted(overrides=None):
    """The settings a lab is asked for: `overrides` over the environment's PGHA_LAB_* over the defaults."""
    settings = dict(DEFAULTS)
    settings.update({k: v for k, v in os.environ.items() if k.startswith("PGHA_LAB_")})
    settings.update(overrides or {})
    return settings


def differences(settings):
    """Why the running lab is not the one `settings` ask for (empty: it is). Compared: what `up` recorded,
    and the agent when PGHA_AGENT names one."""
    running = recorded()
    if not running:
        return ["no lab recorded"]
    diffs = [f"{k}={running[k]}, wanted {v}" for k, v in sorted(settings.items()) if k in running and running[k] != v]
    agent = settings.get("PGHA_AGENT") or os.environ.get("PGHA_AGENT")
    if agent and running.get("PGHA_AGENT") != agent:
        diffs.append(f"agent {running.get('PGHA_AGENT')}, wanted {agent}")
    return diffs


def ensure(settings):
    """Points this module at a lab of `settings` and makes sure one runs, settled: the running lab when it
    was built with them, else down and up again. Returns why it brought a lab up (None: it did not)."""
    configure(settings)
    why = "; ".join(differences(settings))
    if not why and script("status", "--check", check=False).returncode != 0:
        why = "not settled"
    if not why:
        return None
    script("down", check=False)
    up = script("up", check=False, timeout=600)
    if up.returncode != 0:
        raise RuntimeError(f"ocf/lab/up failed ({why}):\n{up.stdout[-4000:]}\n{up.stderr[-4000:]}")
    return why


def script(name, *args, check=True, timeout=300):
    return subprocess.run([os.path.join(LAB, name), *args], capture_output=True, text=True, check=check,
                          timeout=timeout, env={**os.environ, **ENV})


def in_node(node, *argv, check=True, timeout=60):
    return script("exec", node, *argv, check=check, timeout=timeout)


def connect(node, timeout=1):
    return psycopg.connect(host=ADDR[node], **CONNECT, **tls(), connect_timeout=max(1, timeout),
                           options="-c statement_timeout=2000")


def query(node, sql, params=None):
    """One value from `node`, or None when it does not answer."""
    try:
        with connect(node) as conn:
            row = conn.execute(sql, params).fetchone()
            return row[0] if row else None
    except psycopg.Error:
        return None


def wait_for(what, seconds, condition, interval=0.25):
    """Polls `condition` until it returns a true value, which is returned; raises after the deadline."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for: {what}")
        time.sleep(interval)


def any_live_node():
    for node in NODES:
        if in_node(node, "crm_mon", "-1", check=False, timeout=20).returncode == 0:
            return node
    raise AssertionError("no node answers crm_mon")


def crm(*argv, check=True):
    return in_node(any_live_node(), *argv, check=check)


def failed_actions():
    """Pacemaker's failure records (crm_mon's <failure .../> tags), as `crm_mon` shows them to an operator."""
    mon = crm("crm_mon", "-1", "--output-as=xml").stdout
    assert "<pacemaker-result" in mon, mon
    return re.findall(r"<failure [^>]*>", mon)


def failure_time(record):
    """A failure record's last-rc-change in epoch seconds ("2026-12-01 18:56:55Z", or with a +hh:mm
    offset, or Pacemaker's ctime form), None when it has none."""
    found = re.search(r'last-rc-change="([^"]*)"', record)
    if not found:
        return None
    text = found.group(1).strip()
    for form in ("%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M:%S %z", "%a %b %d %H:%M:%S %Y"):
        try:
            stamp = datetime.datetime.strptime(text.replace("Z", "+0000"), form)
        except ValueError:
            continue
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=datetime.timezone.utc)
        return stamp.timestamp()
    raise AssertionError(f"unreadable last-rc-change in {record}")


def failures_since(since, node=None):
    """The failure records of what happened at or after `since` (epoch seconds, from time.time()), on
    `node` or any: a scenario asserts on what it caused, never on what an earlier one left. Pacemaker
    records whole seconds."""
    return [f for f in failed_actions()
            if (node is None or f'node="{node}"' in f) and (failure_time(f) or 0) >= int(since)]


def control_state(node):
    """What the node's control file says ("shut down in recovery", "in archive recovery", ...)."""
    out = subprocess.run(["runuser", "-u", "postgres", "--", os.path.join(PGBIN, "pg_controldata"),
                          f"{STATE}/{node}/data"], capture_output=True, text=True, timeout=30)
    found = re.search(r"^Database cluster state:\s*(.+)$", out.stdout, re.M)
    assert found, f"pg_controldata {node}: {out.stdout}{out.stderr}"
    return found.group(1).strip()


def fail_counts(resource="pgsqld"):
    """Each node's fail count of `resource` ("0" when clean; "INFINITY" once a start failed)."""
    counts = {}
    for node in NODES:
        out = crm("crm_failcount", "--query", "--resource", resource, "--node", node, check=False).stdout
        found = re.search(r"value=(\S+)", out)
        counts[node] = found.group(1) if found else out.strip()
    return counts


def no_scar():
    """True once no failure record and no fail count is left: what a healthy cluster shows an operator."""
    return not failed_actions() and all(v == "0" for v in fail_counts().values())


def promoted_in_pacemaker():
    xml = crm("crm_mon", "-1", "--output-as=xml", check=False).stdout
    out = subprocess.run(["python3", os.path.join(LAB, "cluster-state"), "promoted"], input=xml,
                         capture_output=True, text=True)
    return out.stdout.split()


def writable_nodes():
    return [n for n in NODES if query(n, "SELECT NOT pg_is_in_recovery()") is True]


def wal_sender_pid(primary, node):
    """The pid of `primary`'s WAL sender streaming to `node`, or None."""
    try:
        with connect(primary) as conn:
            row = conn.execute("SELECT pid FROM pg_stat_replication WHERE application_name = %s AND state = 'streaming'",
                               (node,)).fetchone()
            return row[0] if row else None
    except psycopg.Error:
        return None


def streaming_to(primary):
    """Standbys streaming from `primary`, by application_name (the agent sets it to the node name)."""
    try:
        with connect(primary) as conn:
            rows = conn.execute("SELECT application_name FROM pg_stat_replication WHERE state = 'streaming'")
            return sorted(r[0] for r in rows)
    except psycopg.Error:
        return []


def settled(expected_standbys=None):
    """The cluster's end state: one writable primary, Pacemaker agrees, every other node streams from it;
    in synchronous mode with every node up, also the primary's synchronous set and the cluster's record of
    it naming every other node (the record narrows a monitor or two after a change: a scenario started
    before then would fault a cluster whose promote rule still waits for the last primary)."""
    everyone = expected_standbys is None
    if everyone:
        expected_standbys = len(NODES) - 1
    writable = writable_nodes()
    if len(writable) != 1:
        return None
    primary = writable[0]
    if promoted_in_pacemaker() != [primary]:
        return None
    if len(streaming_to(primary)) != expected_standbys:
        return None
    if everyone and records_synchronous_set():
        others = sorted(n for n in NODES if n != primary)
        wanted = (sync_standbys(), others)
        if synchronous_standby_names(primary) != wanted or sync_record() != wanted:
            return None
    return primary


def records_synchronous_set():
    """True when the lab's agent keeps a recorded synchronous set (pgha in synchronous mode)."""
    return sync_standbys() > 0 and setting("PGHA_LAB_AGENT_KIND") != "paf"


def sync_record(resource="pgsqld"):
    """The recorded synchronous set (the CIB's crm_config `pgha-sync-<resource>`, `v1 k=1 standbys=n2,n3`)
    as (k, [standbys]); None when there is none or it is of another shape."""
    out = crm("crm_attribute", "--type", "crm_config", "--name", f"pgha-sync-{resource}", "--query",
              "--quiet", check=False)
    match = re.fullmatch(r"v1 k=(\d+) standbys=([^ ]*)(?: alone-since=\d+)?(?: primary=\S+)?", out.stdout.strip())
    if out.returncode != 0 or not match:
        return None
    return int(match[1]), sorted(n for n in match[2].split(",") if n)


def synchronous_standby_names(primary):
    """`ANY k ("a", "b")` on `primary` as (k, ["a", "b"]); None when it is not of that shape (or empty)."""
    value = query(primary, "SHOW synchronous_standby_names")
    match = re.fullmatch(r'ANY (\d+) \((.*)\)', value or "")
    if not match:
        return None
    members = [m.strip() for m in match[2].split(",")]
    # The agent quotes every name: a node name that is not a plain identifier must still be one name.
    if not all(re.fullmatch(r'"[^"]+"', m) for m in members):
        return None
    return int(match[1]), [m[1:-1] for m in members]


def sync_state(primary, node):
    """pg_stat_replication.sync_state of `node` on `primary` ('quorum' for a member of ANY k), or None."""
    return query(primary, "SELECT sync_state FROM pg_stat_replication WHERE application_name = %s", (node,))


def running_postmaster(node):
    """The PID in the node's postmaster.pid when that process lives in the node's namespaces, else None
    (no file, or a stale one left by a killed postmaster)."""
    try:
        with open(f"{STATE}/{node}/data/postmaster.pid") as f:
            pid = int(f.readline())
    except (OSError, ValueError):
        return None
    return pid if str(pid) in script("nspids", node, STATE).stdout.split() else None


def postmaster_pid(node):
    pid = running_postmaster(node)
    assert pid is not None, f"no postmaster of {node} runs in {node}'s namespaces"
    return pid


def diagnostics():
    """What a failing scenario prints before the lab is torn down."""
    parts = [script("status", check=False).stdout]
    for node in NODES:
        for log, lines in (("log/pacemaker/pacemaker.log", 400), ("log/postgresql/postgresql.log", 60)):
            path = f"{STATE}/{node}/{log}"
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    tail = f.readlines()[-lines:]
                if "pacemaker" in log:
                    tail = [l for l in tail if "pgha(" in l or "error" in l.lower() or "warning" in l.lower()][-60:]
                parts.append(f"--- {node} {log}\n" + "".join(tail))
    fence = f"{STATE}/fence.log"
    if os.path.exists(fence):
        with open(fence) as f:
            parts.append("--- fence.log\n" + "".join(f.readlines()[-20:]))
    return "\n".join(parts)
