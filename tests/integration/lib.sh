# Shared helpers for fluxguard's integration tests (sourced, not run).
#
# Each test starts its own daemons (Unbound with fluxguard, an authoritative
# server) on 127.0.0.1 with free ports, templates their configs into a private
# directory, waits until they answer, and stops every process it started when it
# exits, on failure too (trap EXIT). Tests fail with fg_fail, which names what was
# expected and what came back, and keep the daemons' logs for the harness.
#
# The harness (Makefile.am, AM_TESTS_ENVIRONMENT) sets FG_SRCDIR, FG_BUILDDIR and
# FG_UNBOUND_PREFIX.

set -u

: "${FG_SRCDIR:?FG_SRCDIR not set: run through make check}"
: "${FG_BUILDDIR:?FG_BUILDDIR not set: run through make check}"
: "${FG_UNBOUND_PREFIX:?FG_UNBOUND_PREFIX not set: run through make check}"

FG_UNBOUND=$FG_UNBOUND_PREFIX/sbin/unbound
FG_UNBOUND_CONTROL=$FG_UNBOUND_PREFIX/sbin/unbound-control
FG_UNBOUND_CHECKCONF=$FG_UNBOUND_PREFIX/sbin/unbound-checkconf
FG_MODULE=$FG_BUILDDIR/.libs/fluxguard.so
FG_AUTHD=$FG_BUILDDIR/tests/authd/fg-testauthd

FG_TEST_NAME=$(basename "$0" .sh)
# A private directory per test run, kept on failure for post-mortem.
FG_WORK=$(mktemp -d "${TMPDIR:-/tmp}/fg-$FG_TEST_NAME.XXXXXX")
FG_PIDS=()
FG_FAILED=0
# Commands fg_cleanup runs at exit, after the daemons are stopped (fg_on_exit).
FG_EXIT_HOOKS=()

# Run a command at exit without losing the test's exit status.
fg_on_exit() { FG_EXIT_HOOKS+=("$1"); }

fg_log() { echo "[$FG_TEST_NAME] $*"; }

fg_fail() {
    echo "[$FG_TEST_NAME] FAIL: $*" >&2
    FG_FAILED=1
    exit 1
}

fg_cleanup() {
    local rc=$? pid hook
    [ $FG_FAILED -ne 0 ] && [ $rc -eq 0 ] && rc=1
    for pid in "${FG_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${FG_PIDS[@]}"; do
        # Give each daemon 5 s to go, then take it down hard.
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    for hook in "${FG_EXIT_HOOKS[@]}"; do
        eval "$hook" || true
    done
    if [ $rc -ne 0 ] || [ $FG_FAILED -ne 0 ]; then
        local f
        for f in "$FG_WORK"/*.log; do
            [ -f "$f" ] || continue
            echo "----- $f (last 40 lines) -----" >&2
            tail -n 40 "$f" >&2
        done
        echo "[$FG_TEST_NAME] work directory kept: $FG_WORK" >&2
    else
        rm -rf "$FG_WORK"
    fi
    exit $rc
}
trap fg_cleanup EXIT
trap 'exit 130' INT TERM

fg_require() {
    local f
    for f in "$@"; do
        [ -e "$f" ] || fg_fail "required file missing: $f (did the build run?)"
    done
}

# A TCP+UDP port on 127.0.0.1 that is free right now. The kernel picks it; a
# daemon that then fails to bind it is caught by the readiness wait.
fg_free_port() {
    python3 - <<'PY'
import socket
for _ in range(50):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close()
        continue
    u.close()
    t.close()
    print(port)
    break
PY
}

# Wait until "$@" succeeds, for up to $FG_WAIT seconds (default 20).
fg_wait_for() {
    local what=$1; shift
    local deadline=$(( $(date +%s) + ${FG_WAIT:-20} ))
    until "$@" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || fg_fail "timed out waiting for $what"
        sleep 0.1
    done
}

# drill against a server: fg_dig PORT NAME [TYPE] [extra drill flags...]
fg_dig() {
    local port=$1 name=$2 type=${3:-A}
    shift 3 2>/dev/null || shift $#
    drill -p "$port" "$@" "$name" "$type" @127.0.0.1 2>&1
}

# The answer section's rdata for NAME TYPE, one per line, sorted.
fg_answers() {
    local port=$1 name=$2 type=${3:-A}
    fg_dig "$port" "$name" "$type" | awk -v t="$type" '
        /^;; ANSWER SECTION:/ { s = 1; next }
        /^;; / { s = 0 }
        s && NF >= 5 && $4 == t { print $5 }' | sort
}

fg_rcode() {
    fg_dig "$@" | sed -n 's/.*rcode: \([A-Z]*\).*/\1/p' | head -n 1
}

# --- NSD, for static zones -------------------------------------------------
# fg_start_nsd ZONE ZONEFILE: serves ZONE from ZONEFILE; sets FG_NSD_PORT.
fg_start_nsd() {
    local zone=$1 zonefile=$2 dir=$FG_WORK/nsd
    mkdir -p "$dir"
    cp "$zonefile" "$dir/zone"
    FG_NSD_PORT=$(fg_free_port)
    cat > "$dir/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1
    port: $FG_NSD_PORT
    username: ""
    chroot: ""
    zonesdir: "$dir"
    database: ""
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir"
    pidfile: "$dir/nsd.pid"
    logfile: "$FG_WORK/nsd.log"
    server-count: 1
    verbosity: 1
remote-control:
    control-enable: no
zone:
    name: "$zone"
    zonefile: "$dir/zone"
CONF
    nsd-checkconf "$dir/nsd.conf" || fg_fail "nsd config rejected"
    nsd -d -c "$dir/nsd.conf" >>"$FG_WORK/nsd.log" 2>&1 &
    FG_PIDS+=($!)
    fg_wait_for "NSD on port $FG_NSD_PORT" sh -c \
        "drill -p $FG_NSD_PORT $zone SOA @127.0.0.1 | grep -q 'rcode: NOERROR'"
}

# --- the test authoritative server, for answers that change per query --------
# fg_start_authd SCENARIO [fg-testauthd options...]: sets FG_AUTHD_PORT.
fg_start_authd() {
    local scenario=$1
    shift
    fg_require "$FG_AUTHD"
    rm -f "$FG_WORK/authd.port"
    "$FG_AUTHD" -p 0 -P "$FG_WORK/authd.port" -f "$scenario" -l "$FG_WORK/authd-queries.log" "$@" \
        >>"$FG_WORK/authd.log" 2>&1 &
    FG_PIDS+=($!)
    fg_wait_for "fg-testauthd to listen" test -s "$FG_WORK/authd.port"
    FG_AUTHD_PORT=$(cat "$FG_WORK/authd.port")
}

# --- Unbound with fluxguard ---------------------------------------------------
# fg_write_unbound_conf [extra server: lines...]: writes $FG_WORK/unbound.conf.
# Needs FG_UPSTREAM_PORT and FG_STUB_ZONE (the zones, space-separated, sent to
# the local upstream).
# FG_UNBOUND_THREADS (default 1), FG_DYNLIB (default the built module),
# FG_MODULE_CONFIG (default "dynlib validator iterator").
fg_write_unbound_conf() {
    if [ -z "${FLUXGUARD_CONF:-}" ]; then
        # Never the host's default segment: a private one per test.
        FG_SEGMENT=/fg-it-$$-$FG_TEST_NAME
        fg_on_exit fg_unlink_segment
        printf 'fluxguard:\n    segment: "%s"\n    capacity: 4096\n' "$FG_SEGMENT" \
            > "$FG_WORK/fluxguard.conf"
        export FLUXGUARD_CONF=$FG_WORK/fluxguard.conf
    fi
    FG_UNBOUND_PORT=${FG_UNBOUND_PORT:-$(fg_free_port)}
    FG_CONTROL_PORT=${FG_CONTROL_PORT:-$(fg_free_port)}
    local extra="" line
    for line in "$@"; do
        extra="$extra    $line
"
    done
    cat > "$FG_WORK/unbound.conf" <<CONF
server:
    interface: 127.0.0.1
    port: $FG_UNBOUND_PORT
    do-daemonize: no
    use-syslog: no
    logfile: "$FG_WORK/unbound.log"
    log-time-ascii: yes
    username: ""
    chroot: ""
    directory: "$FG_WORK"
    pidfile: "$FG_WORK/unbound.pid"
    verbosity: ${FG_UNBOUND_VERBOSITY:-1}
    num-threads: ${FG_UNBOUND_THREADS:-1}
    extended-statistics: yes
    do-not-query-localhost: no
    qname-minimisation: no
    module-config: "${FG_MODULE_CONFIG:-dynlib validator iterator}"
    local-zone: "test." nodefault
$extra
$(for z in $FG_STUB_ZONE; do printf 'stub-zone:\n    name: "%s"\n    stub-addr: 127.0.0.1@%s\n' "$z" "$FG_UPSTREAM_PORT"; done)
dynlib:
    dynlib-file: "${FG_DYNLIB:-$FG_MODULE}"
remote-control:
    control-enable: yes
    control-interface: 127.0.0.1
    control-port: $FG_CONTROL_PORT
    control-use-cert: no
CONF
}

fg_unbound_control() {
    "$FG_UNBOUND_CONTROL" -c "$FG_WORK/unbound.conf" "$@"
}

# Start Unbound on $FG_WORK/unbound.conf and wait until it answers control
# commands. Sets FG_UNBOUND_PID. FG_UNBOUND_WRAPPER: a command line Unbound
# runs under (valgrind ...); it must exec Unbound in its own process.
fg_start_unbound() {
    fg_require "$FG_UNBOUND" "${FG_DYNLIB:-$FG_MODULE}"
    "$FG_UNBOUND_CHECKCONF" "$FG_WORK/unbound.conf" >/dev/null || fg_fail "unbound-checkconf rejected the config"
    # shellcheck disable=SC2086
    ${FG_UNBOUND_WRAPPER:-} "$FG_UNBOUND" -d -c "$FG_WORK/unbound.conf" >>"$FG_WORK/unbound-stderr.log" 2>&1 &
    FG_UNBOUND_PID=$!
    FG_PIDS+=($FG_UNBOUND_PID)
    fg_wait_for "Unbound to start" fg_unbound_up
}

fg_unbound_up() {
    kill -0 "$FG_UNBOUND_PID" 2>/dev/null || fg_fail "Unbound exited during start-up"
    fg_unbound_control status
}

# Stop the running Unbound (SIGTERM) and wait for it.
fg_stop_unbound() {
    fg_stop_pid "$FG_UNBOUND_PID" Unbound
}

# Stop a daemon this test started (SIGTERM), wait up to 10 s for it to exit
# and take it out of FG_PIDS; fail if it does not stop.
# fg_stop_pid PID WHAT
fg_stop_pid() {
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$1" 2>/dev/null && fg_fail "$2 did not stop on SIGTERM"
    wait "$1" 2>/dev/null || true
    fg_forget_pid "$1"
}

# Take a stopped process out of FG_PIDS (its PID may be reused by then).
fg_forget_pid() {
    local keep=() p
    for p in "${FG_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    FG_PIDS=("${keep[@]}")
}

fg_unbound_log_has() {
    grep -q -- "$1" "$FG_WORK/unbound.log" "$FG_WORK/unbound-stderr.log" 2>/dev/null
}

# --- the enforcement stack: fg-testauthd with enforce.scn, Unbound+fluxguard ---
# fg_start_flux_stack [fluxguard.conf lines...]: fluxguard.conf gets a private
# segment, the fixture databases, action refuse and the lines given; Unbound runs with
# `ede: yes`, local data in flux.test. (see enforce.scn) and FG_UNBOUND_THREADS.
# FG_SCENARIO names another scenario, FG_AUTHD_ARGS adds fg-testauthd options,
# FG_UNBOUND_EXTRA one more server: line.
# Sets FG_SEGMENT; the segment is unlinked on exit.
fg_start_flux_stack() {
    local line
    FG_SEGMENT=/fg-it-$$-$FG_TEST_NAME
    fg_on_exit fg_unlink_segment
    local fixtures=$FG_WORK/mmdb
    mkdir -p "$fixtures"
    perl "$FG_SRCDIR/tests/fixtures/make-enforce-mmdb.pl" "$fixtures" ||
        fg_fail "could not write the mmdb fixtures"
    {
        echo "fluxguard:"
        echo "    segment: \"$FG_SEGMENT\""
        echo "    capacity: 4096"
        echo "    asn-db: \"$fixtures/asn.mmdb\""
        echo "    country-db: \"$fixtures/country.mmdb\""
        # blocking, as a deployment with an ASN database would; a later
        # action: line of a test overrides it
        echo "    action: refuse"
        for line in "$@"; do echo "    $line"; done
    } > "$FG_WORK/fluxguard.conf"
    export FLUXGUARD_CONF=$FG_WORK/fluxguard.conf
    # shellcheck disable=SC2086
    fg_start_authd "${FG_SCENARIO:-$FG_SRCDIR/tests/integration/scenarios/enforce.scn}" ${FG_AUTHD_ARGS:-}
    FG_STUB_ZONE="flux.test. other.test. dflux.test." FG_UPSTREAM_PORT=$FG_AUTHD_PORT \
        fg_write_unbound_conf "ede: yes" \
        'local-zone: "flux.test." transparent' \
        'local-data: "data.flux.test. 300 IN A 198.51.100.9"' \
        ${FG_UNBOUND_EXTRA:+"$FG_UNBOUND_EXTRA"}
    fg_start_unbound
}

fg_unlink_segment() {
    [ -n "${FG_SEGMENT:-}" ] && rm -f "/dev/shm/${FG_SEGMENT#/}"
    return 0
}

# dig against Unbound: fg_ask NAME TYPE [dig options]
fg_ask() {
    local name=$1 type=$2
    shift 2
    dig +tries=1 +time=5 -p "$FG_UNBOUND_PORT" @127.0.0.1 "$name" "$type" "$@" 2>&1
}

fg_status_of() { sed -n 's/.*status: \([A-Z]*\),.*/\1/p' | head -n 1; }

# Flag bot.flux.test. with two upstream answers (A through the alias, so that
# alias.flux.test. A is cached with the real addresses first; then AAAA).
fg_flag_bot() {
    local out
    out=$(fg_ask alias.flux.test A +short)
    echo "$out" | grep -q '^45\.' || fg_fail "alias.flux.test A before the flag: '$out'"
    fg_ask bot.flux.test AAAA >/dev/null
    fg_wait_for "bot.flux.test. flagged in the log" fg_unbound_log_has "flagged bot.flux.test."
}
