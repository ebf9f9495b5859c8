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
# and the medians are reported with the ratios C/B, C/A, B/A, each run's
# Unbound CPU time and cache-miss share (unbound-control stats), latency
# percentiles at a fixed sub-saturation rate (dnsperf -v -Q, after the
# throughput rounds), each instance's resident memory, and the tracker
# micro-benchmarks (bench/bench_tracker).
#
# Usage: bench/run-resolver-bench.sh [--smoke] [--rounds N] [--duration S]
#          [--names N] [--prefill N] [--asn-db F] [--country-db F] [--out FILE]
#          [--profile]
# Default: 15 rounds x 5 s per instance and workload, 100000 short-TTL names,
# 1000000 pre-filled domains; the table goes to stdout and into bench/RESULTS.md
# (section "Resolver benchmark"). --smoke: a few seconds, small sizes, checks
# every step works (make check runs it), writes no RESULTS.md. --profile: one
# more cache-miss run per instance under `perf record -e cpu-clock`, reported
# as CPU samples per 1000 queries by object and by function, A, B and C side by
# side, so that what C spends beyond B shows where it goes.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
smoke=0 profile=0 rounds=15 duration=5 names=100000 prefill=1000000 asn_db="" country_db=""
# dnsperf's -t: how long it waits for a late answer, at the end of a run too
timeout=2
out=$top/bench/RESULTS.md
builddir=${FG_BENCH_BUILDDIR:-$top/build/bench}
while [ $# -gt 0 ]; do
    case "$1" in
    --smoke) smoke=1; rounds=1; duration=1; names=2000; prefill=5000; timeout=0.5 ;;
    --rounds) rounds=$2; shift ;;
    --duration) duration=$2; shift ;;
    --names) names=$2; shift ;;
    --prefill) prefill=$2; shift ;;
    --asn-db) asn_db=$2; shift ;;
    --country-db) country_db=$2; shift ;;
    --out) out=$2; shift ;;
    --profile) profile=1 ;;
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
wait_for NSD sh -c "timeout 1 drill -p $nsd_port bench.test SOA @127.0.0.1 | grep -q NOERROR"

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
    local name=$1 modules=$2 dynlib=$3 p cp
    p=$(free_port)
    cp=$(free_port)
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
remote-control:
    control-enable: yes
    control-interface: 127.0.0.1
    control-port: $cp
    control-use-cert: no
CONF
        [ -n "$dynlib" ] && printf 'dynlib:\n    dynlib-file: "%s"\n' "$dynlib"
    } > "$work/unbound-$name.conf"
    FLUXGUARD_CONF=$work/fluxguard.conf $pin_server "$unbound" -d -c "$work/unbound-$name.conf" \
        >>"$work/unbound-$name.log" 2>&1 &
    pid_of[$name]=$!
    pids+=($!)
    wait_for "Unbound $name" sh -c "timeout 1 drill -p $p h0.bench.test A @127.0.0.1 | grep -q NOERROR"
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
control() { # NAME ARGS...
    local name=$1; shift
    "$prefix/sbin/unbound-control" -c "$work/unbound-$name.conf" "$@"
}
# CPU ticks (user + system) of a process, and busy ticks of core 0: a run
# where Unbound got well under a full core was limited by something else
# (the client, or another process on the machine), and says so.
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Page faults (minor, major) of a process: a resolver whose memory the host
# reclaims or rescans under it (a guest's DAMON, a balloon) pays in faults
# what the profile shows as kernel time, and this says so.
proc_faults() { awk '{print $10, $12}' "/proc/$1/stat"; }
core0_busy() { awk '$1 == "cpu0" {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
# run NAME WORKLOAD TAG [dnsperf options...]: one dnsperf run against NAME,
# with Unbound's counters reset before and read after (statistics are not
# cumulative, so each `stats` resets them).
run() {
    local name=$1 w=$2 tag=$3 log c0 c1 k0 k1 t0 t1 f0 f1
    shift 3
    log=$work/run-$w-$name-$tag
    control "$name" stats >/dev/null || die "unbound-control stats on $name failed"
    f0=($(proc_faults "${pid_of[$name]}"))
    c0=$(proc_ticks "${pid_of[$name]}"); k0=$(core0_busy); t0=$(date +%s.%N)
    $pin_client dnsperf -s 127.0.0.1 -p "${port[$name]}" -d "$work/$w.q" -l "$duration" \
        -c 8 -q 200 -t "$timeout" "$@" >"$log.out" 2>"$log.err" || die "dnsperf against $name failed"
    c1=$(proc_ticks "${pid_of[$name]}"); k1=$(core0_busy); t1=$(date +%s.%N)
    f1=($(proc_faults "${pid_of[$name]}"))
    control "$name" stats >"$log.stats" || die "unbound-control stats on $name failed"
    echo "unbound_ticks $((c1 - c0)) core0_ticks $((k1 - k0)) wall $(echo "$t1 - $t0" | bc) hz $(getconf CLK_TCK)" \
        "minflt $((f1[0] - f0[0])) majflt $((f1[1] - f0[1]))" >"$log.cpu"
}
# Throughput: the client keeps 200 queries in flight, no per-query output (it
# would make dnsperf, not Unbound, the bottleneck of the cache-hit runs).
order=(A B C)
for r in $(seq "$rounds"); do
    for w in hit miss; do
        for name in "${order[@]}"; do run "$name" "$w" "$r"; done
    done
    order=("${order[@]:1}" "${order[0]}")   # rotate who goes first
done
# Latency: at a fixed rate of half the slowest instance's median throughput,
# where queueing in the client and the socket no longer dominates, with
# per-query output (-v) for the percentiles. One run per instance and workload.
median_qps() { # WORKLOAD NAME
    cat "$work"/run-"$1"-"$2"-[0-9]*.out | sed -n 's/.*Queries per second: *\([0-9.]*\).*/\1/p' |
        sort -n | awk '{v[NR] = $1} END {print NR ? v[int((NR + 1) / 2)] : 0}'
}
for w in hit miss; do
    rate=$(for name in A B C; do median_qps "$w" "$name"; done | sort -n | head -n 1)
    rate=$(awk -v q="$rate" 'BEGIN {r = int(q / 2); print (r > 100 ? r : 100)}')
    echo "$rate" >"$work/latency-rate-$w"
    for name in "${order[@]}"; do run "$name" "$w" lat -Q "$rate" -v; done
done
# Profile: samples are counted per query handled, so instances with different
# throughput compare directly.
if [ $profile = 1 ]; then
    command -v perf >/dev/null || die "--profile needs perf (apt-get install linux-perf)"
    for name in "${order[@]}"; do
        perf record -q -e cpu-clock -F 4000 -p "${pid_of[$name]}" -o "$work/perf-$name.data" \
            -- sleep "$duration" >"$work/perf-$name.log" 2>&1 &
        perf_pid=$!
        run "$name" miss prof
        wait "$perf_pid" || die "perf record on $name failed: $(cat "$work/perf-$name.log")"
        perf report -i "$work/perf-$name.data" --stdio -n --no-children --sort dso,sym \
            >"$work/perf-$name.txt" 2>>"$work/perf-$name.log" || die "perf report on $name failed"
    done
fi
rss=""
for name in A B C; do
    rss="$rss $name=$(awk '/^VmRSS/ {print $2}' "/proc/${pid_of[$name]}/status"):$(awk '/^RssShmem/ {print $2}' "/proc/${pid_of[$name]}/status")"
done
"$builddir/bench/bench_tracker" $([ $smoke = 1 ] && echo --smoke) >"$work/tracker.txt" 2>&1 ||
    die "bench_tracker failed: $(cat "$work/tracker.txt")"

# --- the table ------------------------------------------------------------------------------
python3 - "$work" "$rounds" "$smoke" "$rss" "$duration" "$names" "$prefill" > "$work/table.md" <<'PY'
import os, re, statistics, sys
work, rounds, smoke, rss, duration, names, prefill = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
bad = []
label = {"A": "A: validator iterator", "B": "B: + pass-through dynlib", "C": "C: + fluxguard (refuse)"}
wname = {"hit": "cache hit", "miss": "cache miss"}

def num(pattern, text, cast=float):
    m = re.search(pattern, text)
    return cast(m.group(1)) if m else None

def load(w, n, tag):
    """One run: dnsperf's summary, Unbound's CPU share and counters."""
    base = f"{work}/run-{w}-{n}-{tag}"
    out = open(base + ".out").read()
    run = {"qps": num(r"Queries per second:\s+([\d.]+)", out),
           "done": num(r"Queries completed:\s+(\d+)", out, int) or 0,
           "lost": num(r"Queries lost:\s+(\d+)", out, int) or 0,
           "mean": num(r"Average Latency \(s\):\s+([\d.]+)", out)}
    if run["qps"] is None or run["done"] == 0:
        bad.append(f"{n} {w} {tag}: nothing completed")
    codes = re.search(r"Response codes:\s+(.*)", out)
    if codes and re.sub(r"NOERROR \d+ \([\d.]+%\)", "", codes.group(1)).strip(", "):
        bad.append(f"{n} {w} {tag}: answers other than NOERROR: {codes.group(1)}")
    # CPU ticks are taken around the whole dnsperf process, whose run time
    # excludes its start and the wait for late answers: shares are of the
    # run time, capped at 1
    cpu = dict(zip(*[iter(open(base + ".cpu").read().split())] * 2))
    hz = float(cpu["hz"])
    runtime = num(r"Run time \(s\):\s+([\d.]+)", out) or float(cpu["wall"])
    cpu_s = int(cpu["unbound_ticks"]) / hz
    run["cpu"] = min(1.0, cpu_s / runtime)
    run["core0"] = min(1.0, int(cpu["core0_ticks"]) / hz / runtime)
    stats = open(base + ".stats").read()
    q = num(r"(?m)^total\.num\.queries=(\d+)", stats, int) or 0
    miss = num(r"(?m)^total\.num\.cachemiss=(\d+)", stats, int) or 0
    run["miss_share"] = miss / q if q else 0.0
    # queries Unbound handled per second of its own CPU time: less sensitive
    # than QPS to other processes taking core 0 now and then
    run["per_cpu"] = q / cpu_s if cpu_s else 0.0
    run["minflt"] = int(cpu["minflt"]) * 1000.0 / q if q else 0.0
    run["majflt"] = int(cpu["majflt"]) * 1000.0 / q if q else 0.0
    run["lat"] = []
    for line in out.splitlines():
        # -v lines: "> NOERROR m1.bench.test A 0.000123"; "> T ..." is lost
        if line.startswith(">"):
            f = line.split()
            if f[1] == "NOERROR":
                run["lat"].append(float(f[-1]))
    return run

med = statistics.median
res = {(w, n): [load(w, n, r) for r in range(1, rounds + 1)] for w in wname for n in "ABC"}
lat = {(w, n): load(w, n, "lat") for w in wname for n in "ABC"}
if bad:
    sys.stderr.write("run-resolver-bench: " + "; ".join(bad[:5]) + "\n")
    sys.exit(1)

def m(w, n, key):
    return med([r[key] for r in res[(w, n)]])

print(f"Median of {rounds} alternating run(s) of {duration} s per instance and workload, "
      f"200 queries in flight; {names} names with a 1 s TTL (cache miss), {names}/200 (at least 50) "
      f"86400 s TTL names warmed (cache hit); fluxguard's tracker pre-filled with {prefill} domains. "
      f"Unbound CPU: its share of core 0 during the run; core 0 busy: all of core 0's "
      f"non-idle time, the network stack's softirq work included. Miss share: Unbound's "
      f"total.num.cachemiss / total.num.queries for the run. Page faults: Unbound's "
      f"minor / major faults per 1000 queries during the run.\n")
print("| workload | instance | median QPS | min – max | Unbound CPU | core 0 busy | QPS per CPU-second | miss share | page faults | lost |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for w in wname:
    for n in "ABC":
        rs = res[(w, n)]
        print(f"| {wname[w]} | {label[n]} | {m(w, n, 'qps'):.0f} | "
              f"{min(r['qps'] for r in rs):.0f} – {max(r['qps'] for r in rs):.0f} | "
              f"{m(w, n, 'cpu') * 100:.0f} % | {m(w, n, 'core0') * 100:.0f} % | {m(w, n, 'per_cpu'):.0f} | "
              f"{m(w, n, 'miss_share'):.3f} | {m(w, n, 'minflt'):.2f} / {m(w, n, 'majflt'):.2f} | "
              f"{sum(r['lost'] for r in rs)} |")
print()
print("Ratios. Each round runs A, B and C back to back (who goes first rotates), so "
      "a round's own ratio compares runs minutes apart at most; on a shared "
      "machine whose speed drifts by several percent over a benchmark, the median "
      "of those per-round ratios is the side-by-side figure, and the targets are "
      "judged on it. The ratio of the median QPS and of the queries per "
      "CPU-second are shown too.\n")
print("| workload | C/B (median of rounds) | target | C/B of median QPS | C/B per CPU-s | C/A (median of rounds) | B/A (median of rounds) |")
print("|---|---:|---:|---:|---:|---:|---:|")
def paired(w, x, y):
    return med([ry["qps"] / rx["qps"] for rx, ry in zip(res[(w, x)], res[(w, y)]) if rx["qps"]])
for w, target in (("hit", 0.99), ("miss", 0.97)):
    b, c = (m(w, n, "qps") for n in "BC")
    pb, pc = (m(w, n, "per_cpu") for n in "BC")
    cb = paired(w, "B", "C")
    ok = "met" if cb >= target else "**missed**"
    print(f"| {wname[w]} | {cb:.3f} | ≥ {target} ({ok}) | {c / b:.3f} | {pc / pb:.3f} | "
          f"{paired(w, 'A', 'C'):.3f} | {paired(w, 'A', 'B'):.3f} |")
print()
print("Latency at a fixed rate (dnsperf -Q, half the slowest instance's median "
      "throughput), one run per instance and workload, from each answered "
      "query's latency (dnsperf -v):\n")
print("| workload | instance | rate (QPS) | mean (µs) | p50 (µs) | p99 (µs) | p99.9 (µs) | lost |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for w in wname:
    for n in "ABC":
        r = lat[(w, n)]
        ls = sorted(r["lat"])
        pct = lambda p: ls[min(len(ls) - 1, int(p * len(ls)))] * 1e6 if ls else float("nan")
        print(f"| {wname[w]} | {label[n]} | {r['qps']:.0f} | {(r['mean'] or 0) * 1e6:.0f} | "
              f"{pct(0.5):.0f} | {pct(0.99):.0f} | {pct(0.999):.0f} | {r['lost']} |")
if os.path.exists(f"{work}/perf-C.txt"):
    prof, queries = {}, {}
    for n in "ABC":
        queries[n] = int(re.search(r"(?m)^total\.num\.queries=(\d+)",
            open(f"{work}/run-miss-{n}-prof.stats").read()).group(1))
        prof[n] = {}
        for line in open(f"{work}/perf-{n}.txt"):
            # "    12.34%  1234  unbound  [.] function"
            f = re.match(r"\s+[\d.]+%\s+(\d+)\s+(\S+)\s+\[.\]\s+(.*\S)", line)
            if f:
                prof[n][(f.group(2), f.group(3))] = int(f.group(1))
    per_k = lambda n, samples: samples * 1000.0 / queries[n] if queries[n] else 0.0
    print("\nProfile of one more cache-miss run per instance (`perf record -e cpu-clock "
          "-F 4000`, 0.25 ms per sample): samples per 1000 queries, by object, then the "
          "functions where C spends most beyond B.\n")
    print("| object | A | B | C | C − B |")
    print("|---|---:|---:|---:|---:|")
    dsos = {}
    for n in "ABC":
        for (dso, _), v in prof[n].items():
            dsos.setdefault(dso, {}).setdefault(n, 0)
            dsos[dso][n] += v
    rows = sorted(dsos, key=lambda d: -sum(dsos[d].values()))
    tot = {n: per_k(n, sum(v for v in prof[n].values())) for n in "ABC"}
    for d in rows[:8]:
        a, b, c = (per_k(n, dsos[d].get(n, 0)) for n in "ABC")
        print(f"| {d} | {a:.0f} | {b:.0f} | {c:.0f} | {c - b:+.0f} |")
    print(f"| all | {tot['A']:.0f} | {tot['B']:.0f} | {tot['C']:.0f} | {tot['C'] - tot['B']:+.0f} |")
    own = sum(v for (dso, _), v in prof["C"].items() if dso == "fluxguard.so")
    allc = sum(prof["C"].values())
    if allc and queries["C"]:
        print(f"\nfluxguard.so's own code: {own * 100.0 / allc:.1f} % of C's samples, "
              f"{own * 0.25e3 / queries['C']:.2f} µs of CPU per query (its effect on "
              "Unbound's caches not counted).")
    print()
    print("| function (object) | B | C | C − B |")
    print("|---|---:|---:|---:|")
    keys = set(prof["B"]) | set(prof["C"])
    diff = sorted(keys, key=lambda k: -(per_k("C", prof["C"].get(k, 0)) - per_k("B", prof["B"].get(k, 0))))
    for k in diff[:15]:
        b, c = per_k("B", prof["B"].get(k, 0)), per_k("C", prof["C"].get(k, 0))
        print(f"| `{k[1]}` ({k[0]}) | {b:.1f} | {c:.1f} | {c - b:+.1f} |")
print()
print("| instance | VmRSS after the runs (KiB) | of which shared memory (KiB) |")
print("|---|---:|---:|")
for item in rss.split():
    n, v = item.split("=")
    total, shm = v.split(":")
    print(f"| {label[n]} | {total} | {shm} |")
PY
{
    echo "Machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), kernel $(uname -r), $(date -u +%Y-%m-%d)."
    # which pages the segment got in C (2 MiB or 4 KiB) changes the cost of
    # every miss: the module's own start-up line says
    echo "fluxguard in C: \`$(grep -o 'fluxguard: initialised.*' "$work/unbound-C.log" | head -n 1)\`"
    echo "Command: \`bench/run-resolver-bench.sh --rounds $rounds --duration $duration --names $names --prefill $prefill$([ $profile = 1 ] && echo " --profile")${asn_db:+ --asn-db $asn_db}${country_db:+ --country-db $country_db}\`"
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
