#!/usr/bin/env bash
# Unbound with fluxguard against Unbound without it, side by side.
#
# Builds what it needs (Unbound with dynlib, fluxguard without sanitizers, the
# pass-through module, the prefill tool), starts NSD on loopback with a zone of
# short-TTL names (cache-miss workload) and long-TTL names (cache-hit
# workload), and three Unbound instances from the same binary and the same
# config: A without dynlib, B with the do-nothing pass-through dynlib module
# (bench/passthrough.c: the floor any plugin pays), C with fluxguard blocking
# (action refuse) on a tracker pre-filled with --prefill domains. Unbound runs on
# core 0, dnsperf on core 1; the instances' runs alternate, round after round,
# and the medians are reported with the ratios C/B, C/A, B/A, latency
# percentiles (from dnsperf -v), each instance's resident memory, and the
# tracker micro-benchmarks (bench/bench_tracker).
#
# Usage: bench/run-resolver-bench.sh [--smoke] [--rounds N] [--duration S]
#          [--names N] [--prefill N] [--asn-db F] [--country-db F] [--out FILE]
# Default: 5 rounds x 10 s per instance and workload, 100000 short-TTL names,
# 1000000 pre-filled domains; the table goes to stdout and into bench/RESULTS.md
# (section "Resolver benchmark"). --smoke: a few seconds, small sizes, checks
# every step works (make check runs it), writes no RESULTS.md.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
smoke=0 rounds=5 duration=10 names=100000 prefill=1000000 asn_db="" country_db=""
out=$top/bench/RESULTS.md
builddir=${FG_BENCH_BUILDDIR:-$top/build/bench}
while [ $# -gt 0 ]; do
    case "$1" in
    --smoke) smoke=1; rounds=1; duration=1; names=2000; prefill=5000 ;;
    --rounds) rounds=$2; shift ;;
    --duration) duration=$2; shift ;;
    --names) names=$2; shift ;;
    --prefill) prefill=$2; shift ;;
    --asn-db) asn_db=$2; shift ;;
    --country-db) country_db=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "run-resolver-bench: unknown option $1" >&2; exit 1 ;;
    esac
    shift
done
for n in "$rounds" "$duration" "$names" "$prefill"; do
    case "$n" in ''|*[!0-9]*) echo "run-resolver-bench: '$n' is not a number" >&2; exit 1 ;; esac
done

die() { echo "run-resolver-bench: $*" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/fg-bench.XXXXXX")
pids=()
segment=/fg-bench-$$
cleanup() {
    local rc=$? p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -f "/dev/shm/${segment#/}"
    if [ $rc -ne 0 ]; then
        tail -n 20 "$work"/*.log >&2 2>/dev/null || true
        echo "run-resolver-bench: failed; logs in $work" >&2
    else
        rm -rf "$work"
    fi
    exit $rc
}
trap cleanup EXIT

# --- what it needs -------------------------------------------------------------
if [ -n "${FG_BUILDDIR:-}" ] && [ -f "$FG_BUILDDIR/.libs/fluxguard.so" ]; then
    builddir=$FG_BUILDDIR        # under make check: the tree being tested
    prefix=$FG_UNBOUND_PREFIX
else
    "$top/scripts/build-unbound.sh" >/dev/null
    prefix=$top/build/unbound/prefix
    [ -x "$top/configure" ] || "$top/autogen.sh" 2>/dev/null
    mkdir -p "$builddir"
    (cd "$builddir" && { [ -f Makefile ] || "$top/configure" -q; } && make -j"$(nproc)" >/dev/null) ||
        die "build failed"
fi
make -C "$builddir" -s bench/prefill bench/passthrough.la bench/bench_tracker >/dev/null ||
    die "building bench/prefill, bench/passthrough.la, bench/bench_tracker failed"
unbound=$prefix/sbin/unbound
for f in "$unbound" "$builddir/.libs/fluxguard.so" "$builddir/bench/.libs/passthrough.so" \
    "$builddir/bench/prefill"; do
    [ -e "$f" ] || die "missing $f"
done
command -v dnsperf >/dev/null && command -v nsd >/dev/null || die "needs dnsperf and nsd (scripts/install-deps.sh)"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_for() { # WHAT CMD...
    local what=$1; shift
    for _ in $(seq 200); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
    die "timed out waiting for $what"
}
cores=$(nproc)
pin_server="taskset -c 0"
pin_client="taskset -c $((cores > 1 ? 1 : 0))"

# --- the zone ---------------------------------------------------------------------
long=$((names / 200 > 50 ? names / 200 : 50))
python3 - "$work" "$names" "$long" <<'PY'
import sys
work, names, long_ = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(f"{work}/bench.zone", "w") as z, open(f"{work}/miss.q", "w") as m, \
        open(f"{work}/hit.q", "w") as h:
    z.write("$ORIGIN bench.test.\n@ 3600 IN SOA ns hostmaster 1 3600 600 86400 1\n"
            "@ 3600 IN NS ns\nns 3600 IN A 127.0.0.1\n")
    for i in range(names):   # short TTL: gone from the cache before dnsperf loops
        z.write(f"m{i} 1 IN A 198.18.{i // 250 % 250}.{i % 250 + 1}\n")
        m.write(f"m{i}.bench.test A\n")
    for i in range(long_):   # long TTL: cache hits once warmed
        z.write(f"h{i} 86400 IN A 198.19.{i // 250 % 250}.{i % 250 + 1}\n")
        h.write(f"h{i}.bench.test A\n")
PY
nsd_port=$(free_port)
cat > "$work/nsd.conf" <<CONF
server:
    ip-address: 127.0.0.1
    port: $nsd_port
    username: ""
    chroot: ""
    zonesdir: "$work"
    database: ""
    zonelistfile: "$work/zone.list"
    xfrdfile: "$work/xfrd.state"
    xfrdir: "$work"
    pidfile: "$work/nsd.pid"
    logfile: "$work/nsd.log"
    server-count: 1
remote-control:
    control-enable: no
zone:
    name: "bench.test."
    zonefile: "$work/bench.zone"
CONF
$pin_client nsd -d -c "$work/nsd.conf" >>"$work/nsd.log" 2>&1 &
pids+=($!)
wait_for NSD sh -c "drill -p $nsd_port bench.test SOA @127.0.0.1 | grep -q NOERROR"

# --- the tracker, pre-filled --------------------------------------------------------
capacity=$((prefill + prefill / 4 + 1024))
"$builddir/bench/prefill" --segment "$segment" --capacity "$capacity" --domains "$prefill" \
    >"$work/prefill.log" 2>&1 || die "prefill failed: $(cat "$work/prefill.log")"
{
    echo "fluxguard:"
    echo "    segment: \"$segment\""
    echo "    capacity: $capacity"
    echo "    action: refuse"
    [ -n "$asn_db" ] && echo "    asn-db: \"$asn_db\""
    [ -n "$country_db" ] && echo "    country-db: \"$country_db\""
} > "$work/fluxguard.conf"

# --- three Unbound instances, one config ---------------------------------------------
declare -A port pid_of
start_unbound() { # NAME MODULE-CONFIG DYNLIB-FILE
    local name=$1 modules=$2 dynlib=$3 p
    p=$(free_port)
    port[$name]=$p
    {
        cat <<CONF
server:
    interface: 127.0.0.1
    port: $p
    do-daemonize: no
    use-syslog: no
    logfile: "$work/unbound-$name.log"
    username: ""
    chroot: ""
    directory: "$work"
    pidfile: "$work/unbound-$name.pid"
    verbosity: 0
    num-threads: 1
    msg-cache-size: 256m
    rrset-cache-size: 512m
    do-not-query-localhost: no
    qname-minimisation: no
    local-zone: "test." nodefault
    module-config: "$modules"
stub-zone:
    name: "bench.test."
    stub-addr: 127.0.0.1@$nsd_port
CONF
        [ -n "$dynlib" ] && printf 'dynlib:\n    dynlib-file: "%s"\n' "$dynlib"
    } > "$work/unbound-$name.conf"
    FLUXGUARD_CONF=$work/fluxguard.conf $pin_server "$unbound" -d -c "$work/unbound-$name.conf" \
        >>"$work/unbound-$name.log" 2>&1 &
    pid_of[$name]=$!
    pids+=($!)
    wait_for "Unbound $name" sh -c "drill -p $p h0.bench.test A @127.0.0.1 | grep -q NOERROR"
}
start_unbound A "validator iterator" ""
start_unbound B "dynlib validator iterator" "$builddir/bench/.libs/passthrough.so"
start_unbound C "dynlib validator iterator" "$builddir/.libs/fluxguard.so"
grep -q "fluxguard: initialised" "$work/unbound-C.log" || die "fluxguard did not initialise in C"

# warm the long-TTL names into each cache
for name in A B C; do
    $pin_client dnsperf -s 127.0.0.1 -p "${port[$name]}" -d "$work/hit.q" -n 1 -c 2 \
        >"$work/warm-$name.log" 2>&1 || die "warming $name failed"
done

# --- the runs ---------------------------------------------------------------------------
run() { # NAME WORKLOAD ROUND
    local name=$1 w=$2 r=$3 log
    log=$work/run-$w-$name-$r
    $pin_client dnsperf -s 127.0.0.1 -p "${port[$name]}" -d "$work/$w.q" -l "$duration" \
        -c 8 -q 200 -t 2 -v >"$log.out" 2>"$log.err" || die "dnsperf against $name failed"
}
order=(A B C)
for r in $(seq "$rounds"); do
    for w in hit miss; do
        for name in "${order[@]}"; do run "$name" "$w" "$r"; done
    done
    order=("${order[@]:1}" "${order[0]}")   # rotate who goes first
done
rss=""
for name in A B C; do
    rss="$rss $name=$(awk '/^VmRSS/ {print $2}' "/proc/${pid_of[$name]}/status"):$(awk '/^RssShmem/ {print $2}' "/proc/${pid_of[$name]}/status")"
done
"$builddir/bench/bench_tracker" $([ $smoke = 1 ] && echo --smoke) >"$work/tracker.txt" 2>&1 ||
    die "bench_tracker failed: $(cat "$work/tracker.txt")"

# --- the table ------------------------------------------------------------------------------
python3 - "$work" "$rounds" "$smoke" "$rss" "$duration" "$names" "$prefill" > "$work/table.md" <<'PY'
import re, statistics, sys, glob, os
work, rounds, smoke, rss, duration, names, prefill = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
res = {}
bad = []
lost = {}
for w in ("hit", "miss"):
    for n in "ABC":
        qps, lat = [], []
        for r in range(1, rounds + 1):
            base = f"{work}/run-{w}-{n}-{r}"
            text = open(base + ".out").read()
            m = re.search(r"Queries per second:\s+([\d.]+)", text)
            if not m:
                bad.append(f"{n} {w} round {r}: no QPS")
                continue
            qps.append(float(m.group(1)))
            comp = re.search(r"Queries completed:\s+(\d+)", text)
            if not comp or int(comp.group(1)) == 0:
                bad.append(f"{n} {w} round {r}: nothing completed")
            for line in text.splitlines():
                # -v lines: "> NOERROR m1.bench.test A 0.000123", or
                # "> T name A" for a query lost (timed out) under full load
                if line.startswith(">"):
                    f = line.split()
                    if f[1] == "T":
                        lost[(w, n)] = lost.get((w, n), 0) + 1
                        continue
                    if f[1] != "NOERROR":
                        bad.append(f"{n} {w}: {line}")
                        break
                    lat.append(float(f[-1]))
        lat.sort()
        pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1e6 if lat else float("nan")
        res[(w, n)] = (statistics.median(qps) if qps else 0.0, pct(0.5), pct(0.99), pct(0.999))
if bad:
    sys.stderr.write("run-resolver-bench: " + "; ".join(bad[:5]) + "\n")
    sys.exit(1)
label = {"A": "A: validator iterator", "B": "B: + pass-through dynlib", "C": "C: + fluxguard (refuse)"}
print(f"Median of {rounds} alternating run(s) of {duration} s per instance and workload; "
      f"{names} short-TTL names (cache miss), their 1/200 (at least 50) long-TTL names warmed (cache hit); "
      f"fluxguard's tracker pre-filled with {prefill} domains.\n")
print("| workload | instance | median QPS | p50 latency (µs) | p99 (µs) | p99.9 (µs) | lost (all runs) |")
print("|---|---|---:|---:|---:|---:|---:|")
for w, wl in (("hit", "cache hit"), ("miss", "cache miss")):
    for n in "ABC":
        q, p50, p99, p999 = res[(w, n)]
        print(f"| {wl} | {label[n]} | {q:.0f} | {p50:.0f} | {p99:.0f} | {p999:.0f} | {lost.get((w, n), 0)} |")
print()
print("| workload | fluxguard / pass-through (C/B) | target | fluxguard / none (C/A) | pass-through / none (B/A) |")
print("|---|---:|---:|---:|---:|")
for w, wl, target in (("hit", "cache hit", 0.99), ("miss", "cache miss", 0.97)):
    a, b, c = (res[(w, n)][0] for n in "ABC")
    ok = "met" if b and c / b >= target else "**missed**"
    print(f"| {wl} | {c / b if b else 0:.3f} | ≥ {target} ({ok}) | {c / a if a else 0:.3f} | {b / a if a else 0:.3f} |")
print()
print("| instance | VmRSS (KiB) | of which shared memory (KiB) |")
print("|---|---:|---:|")
for item in rss.split():
    n, v = item.split("=")
    total, shm = v.split(":")
    print(f"| {label[n]} | {total} | {shm} |")
PY
{
    echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), kernel $(uname -r), $(date -u +%Y-%m-%d)."
    echo "Command: \`bench/run-resolver-bench.sh --rounds $rounds --duration $duration --names $names --prefill $prefill${asn_db:+ --asn-db $asn_db}\`"
    echo
    cat "$work/table.md"
    echo
    echo "Tracker micro-benchmarks (\`bench/bench_tracker\`, same build):"
    echo
    echo '```'
    cat "$work/tracker.txt"
    echo '```'
} > "$work/section.md"
cat "$work/section.md"
if [ $smoke = 0 ]; then
    begin="<!-- resolver-bench: written by bench/run-resolver-bench.sh -->"
    end="<!-- end of resolver-bench -->"
    if ! grep -qxF "$begin" "$out"; then
        printf '\n## Resolver benchmark\n\n%s\n%s\n' "$begin" "$end" >> "$out"
    fi
    awk -v begin="$begin" -v end="$end" -v new="$work/section.md" '
        $0 == begin { print; while((getline l < new) > 0) print l; skip = 1; next }
        $0 == end { skip = 0 }
        !skip { print }' "$out" > "$work/results.md"
    cp "$work/results.md" "$out"
    echo "run-resolver-bench: wrote $out"
fi
