# Shared settings and helpers of the lab, sourced by every lab script (and by the copy the fence agent
# uses under $LAB_STATE/bin). Every setting is an environment variable with a default, so a scenario test
# can change timings without editing files.
#
# Layout: everything the lab creates lives under $LAB_STATE (persistent across fencing "reboots"), plus
# the network namespaces pgha-lab-{br,n1..nN} and, optionally, the host's veth leg pgha-host.

LAB_STATE=${PGHA_LAB_STATE:-/var/lib/pgha-lab}

# `up` records the settings it ran with here; scripts run later without them in their environment
# (status, exec, the fence agent's copy under $LAB_STATE/bin) take the running lab's shape from it.
LAB_ENV_FILE=$LAB_STATE/lab.env
lab_recorded() { sed -n "s/^$1=//p" "$LAB_ENV_FILE" 2>/dev/null | tail -n 1; }

# The nodes: n1..nN at 10.200.0.11.., N from PGHA_LAB_NODE_COUNT (2 to 9), else the running lab's, else 3.
LAB_MAX_NODES=9
LAB_NODE_COUNT=${PGHA_LAB_NODE_COUNT:-$(lab_recorded PGHA_LAB_NODE_COUNT)}
LAB_NODE_COUNT=${LAB_NODE_COUNT:-3}
[[ $LAB_NODE_COUNT =~ ^[2-9]$ ]] || { echo "PGHA_LAB_NODE_COUNT=$LAB_NODE_COUNT: 2 to $LAB_MAX_NODES nodes" >&2; exit 2; }
LAB_NET=10.200.0                      # /24; the bridge namespace has no address, the host leg is .1
LAB_HOST_ADDR=$LAB_NET.1
LAB_NODES=()
LAB_ALL_NODES=()                      # every name a lab of any size may use: what `down` sweeps
declare -A LAB_ADDR=()
for ((i = 1; i <= LAB_MAX_NODES; i++)); do
    LAB_ALL_NODES+=("n$i")
    LAB_ADDR[n$i]=$LAB_NET.$((10 + i))
    ((i <= LAB_NODE_COUNT)) && LAB_NODES+=("n$i")
done
unset i

# Synchronous replication: sync_standbys=k on the pgha primitive when k > 0 (0: the parameter is not
# written at all, so an agent without it keeps working).
LAB_SYNC_STANDBYS=${PGHA_LAB_SYNC_STANDBYS:-$(lab_recorded PGHA_LAB_SYNC_STANDBYS)}
LAB_SYNC_STANDBYS=${LAB_SYNC_STANDBYS:-0}
[[ $LAB_SYNC_STANDBYS =~ ^[0-9]$ ]] && ((LAB_SYNC_STANDBYS < LAB_NODE_COUNT)) \
    || { echo "PGHA_LAB_SYNC_STANDBYS=$LAB_SYNC_STANDBYS: 0 to $((LAB_NODE_COUNT - 1)) with $LAB_NODE_COUNT nodes" >&2; exit 2; }

# TLS (PGHA_LAB_TLS=1): `up` makes a CA, one server certificate for every node's name and address and a
# client certificate for user postgres (ocf/lab/tls-certs); the servers accept TCP only with TLS and a
# client certificate (hostssl ... clientcert=verify-full, hostnossl rejected), and the agent's
# replication_options, which every standby's primary_conninfo and the agent's own remote connections
# use, verify the server (sslmode=verify-full).
LAB_TLS=${PGHA_LAB_TLS:-$(lab_recorded PGHA_LAB_TLS)}
LAB_TLS=${LAB_TLS:-0}
[[ $LAB_TLS =~ ^[01]$ ]] || { echo "PGHA_LAB_TLS=$LAB_TLS: 0 or 1" >&2; exit 2; }
LAB_TLS_DIR=$LAB_STATE/tls
LAB_TLS_OPTIONS="sslmode=verify-full sslrootcert=$LAB_TLS_DIR/ca.crt sslcert=$LAB_TLS_DIR/client.crt sslkey=$LAB_TLS_DIR/client.key"
# What the agent adds to every connection to another node (and pg-init to its clones').
lab_replication_options() { if [ "$LAB_TLS" = 1 ]; then echo "user=postgres $LAB_TLS_OPTIONS"; fi; }

# The connection string that finds the primary from anywhere in the lab (and from the host leg).
lab_hosts() { local IFS=, n a=(); for n in "${LAB_NODES[@]}"; do a+=("${LAB_ADDR[$n]}"); done; echo "${a[*]}"; }
LAB_BRIDGE_NS=pgha-lab-br
LAB_HOST_LINK=${PGHA_LAB_HOST_LINK:-1}   # 1: a veth from the root namespace into the bridge (10.200.0.1)

# The system the nodes run (PGHA_LAB_PLATFORM: debian12, the host's own, or debian13, a root of its own):
# its facts (suite, PostgreSQL major and binaries, root directory) come from platform.sh, nowhere else.
# A lab recorded before platforms existed has none: debian12.
LAB_PLATFORM=${PGHA_LAB_PLATFORM:-$(lab_recorded PGHA_LAB_PLATFORM || true)}
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/platform.sh" "$LAB_PLATFORM"

PGBIN=${PGHA_PGBIN:-$LAB_PGBIN}
PGPORT=5432
# One path for every node (a clone's parameters are the same on all nodes): each node's mount namespace
# binds its own $LAB_STATE/<node>/data here.
LAB_PGDATA=$LAB_STATE/pgdata

# Timings (milliseconds / seconds / Pacemaker durations), overridable for scenario tests.
LAB_TOKEN_MS=${PGHA_LAB_TOKEN_MS:-3000}
LAB_TOKEN_COEFFICIENT_MS=${PGHA_LAB_TOKEN_COEFFICIENT_MS:-}   # empty: corosync's default (650 ms per node beyond two)
[[ $LAB_TOKEN_COEFFICIENT_MS =~ ^[0-9]*$ ]] || { echo "PGHA_LAB_TOKEN_COEFFICIENT_MS=$LAB_TOKEN_COEFFICIENT_MS: milliseconds" >&2; exit 2; }
LAB_DC_DEADTIME=${PGHA_LAB_DC_DEADTIME:-5s}
LAB_MONITOR_PROMOTED=${PGHA_LAB_MONITOR_PROMOTED:-15s}
# What a failed promoted monitor leads to: fence (the node is rebooted) or restart (the instance is recovered
# in place, no fencing: a crashed postmaster leaves a healthy node).
LAB_ONFAIL_PROMOTED=${PGHA_LAB_ONFAIL_PROMOTED:-fence}
LAB_MONITOR_UNPROMOTED=${PGHA_LAB_MONITOR_UNPROMOTED:-16s}
LAB_MONITOR_TIMEOUT=${PGHA_LAB_MONITOR_TIMEOUT:-16s}   # the agent's meta-data advises 15s/16s
LAB_STONITH_TIMEOUT=${PGHA_LAB_STONITH_TIMEOUT:-60s}
# Two nodes (corosync two_node): after a split each side has quorum and fences the other. Fencing of the
# node that runs the promoted instance waits this long (Pacemaker's priority-fencing-delay, with priority=1
# on the primitive: the promoted instance counts 2), so the primary's side fences first and the primary is
# never demoted for a lost standby. Longer than the lab fence agent takes to kill a node; it delays only
# fencing for a lost node, not the recovery of a failed resource (on-fail=fence after a kill -9).
LAB_PRIORITY_FENCING_DELAY=${PGHA_LAB_PRIORITY_FENCING_DELAY:-10s}
LAB_UP_DEADLINE=${PGHA_LAB_UP_DEADLINE:-180}   # seconds `up` waits for one primary + N-1 streaming standbys

# A former primary that diverged (a crash with asynchronous replication) is rewound, not refused.
LAB_REWIND=${PGHA_LAB_REWIND:-true}
# A node whose data directory is missing or empty is cloned from the primary at start.
LAB_BOOTSTRAP=${PGHA_LAB_BOOTSTRAP:-true}

# Which agent manages PostgreSQL: pgha, or PAF (Debian's resource-agents-paf: ocf:heartbeat:pgsqlms, with
# the virtual IP its standbys follow, LAB_VIP) for the side-by-side benchmark (bench-paf).
LAB_AGENT_KIND=${PGHA_LAB_AGENT_KIND:-$(lab_recorded PGHA_LAB_AGENT_KIND)}
LAB_AGENT_KIND=${LAB_AGENT_KIND:-pgha}
[[ $LAB_AGENT_KIND =~ ^(pgha|paf)$ ]] || { echo "PGHA_LAB_AGENT_KIND=$LAB_AGENT_KIND: pgha or paf" >&2; exit 2; }
LAB_VIP=$LAB_NET.10
PAF_AGENT=/usr/lib/ocf/resource.d/heartbeat/pgsqlms

LAB_RSC=pgsqld
LAB_CLONE=pgsql-ha
AGENT_DEST=/usr/lib/ocf/resource.d/heartbeat/pgha
FENCE_DEST=/usr/sbin/fence_pghalab

say() { printf '[lab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

ns_net()  { echo "/run/netns/pgha-lab-$1"; }
ns_mnt()  { echo "$LAB_STATE/ns/$1.mnt"; }
ns_uts()  { echo "$LAB_STATE/ns/$1.uts"; }

# Runs a command inside a node's network, mount and UTS namespaces (there is no PID namespace: its
# processes are ordinary host processes, told apart by /proc/<pid>/ns/net).
in_node() {
    local node=$1; shift
    nsenter --net="$(ns_net "$node")" --mount="$(ns_mnt "$node")" --uts="$(ns_uts "$node")" --wd=/ -- \
        env HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
}

node_is_up() { [ -e "$(ns_net "$1")" ] && mountpoint -q "$(ns_mnt "$1")" 2>/dev/null; }

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND every 0.5 s until it succeeds or the deadline
# passes (then returns 1). Never a fixed sleep: the lab's timings come from the cluster, not from guesses.
wait_for() {
    local what=$1 seconds=$2; shift 2
    local deadline=$(( $(date +%s%N) / 1000000 + seconds * 1000 ))
    while (( $(date +%s%N) / 1000000 < deadline )); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    say "timed out after ${seconds}s waiting for: $what"
    return 1
}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# psql as postgres over the node's Unix socket; -At for scripting.
node_psql() {
    local node=$1; shift
    in_node "$node" runuser -u postgres -- "$PGBIN/psql" -h /run/postgresql -p $PGPORT -X -At \
        -v ON_ERROR_STOP=1 -d postgres "$@"
}

# The first node whose corosync/pacemaker answer (crm tools need a node's namespaces to reach the cluster).
any_live_node() {
    local n
    for n in "${LAB_NODES[@]}"; do
        node_is_up "$n" && in_node "$n" crm_mon -1 >/dev/null 2>&1 && { echo "$n"; return 0; }
    done
    return 1
}

# What to read when something failed: cluster view, Pacemaker's log, the agent's lines, PostgreSQL's log.
diagnose() {
    local n live log
    {
        echo "======== diagnostics ========"
        if live=$(any_live_node); then
            in_node "$live" crm_mon -1 -rfA 2>&1 || true
        else
            echo "(no node answers crm_mon)"
        fi
        for n in "${LAB_NODES[@]}"; do
            log=$LAB_STATE/$n/log
            echo "---- $n: pacemaker.log (last 40 lines) ----"
            tail -n 40 "$log/pacemaker/pacemaker.log" 2>/dev/null
            echo "---- $n: pgha agent lines (last 30) ----"
            grep -h 'pgha(' "$log/pacemaker/pacemaker.log" 2>/dev/null | tail -n 30
            echo "---- $n: corosync.log (last 10) ----"
            tail -n 10 "$log/corosync/corosync.log" 2>/dev/null
            echo "---- $n: postgresql.log (last 20) ----"
            tail -n 20 "$log/postgresql/postgresql.log" 2>/dev/null
        done
        echo "---- fence.log ----"
        tail -n 20 "$LAB_STATE/fence.log" 2>/dev/null
        echo "======== end of diagnostics ========"
    } >&2
    return 0
}

die() { say "FAILED: $*"; diagnose; exit 1; }
