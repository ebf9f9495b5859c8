#!/usr/bin/env bash
# A flood of unique names cannot grow the resolver or launder a verdict. A
# tracker of 4096 domains and max-blocked-aliases 1000 take FG_FLOOD_NAMES
# (default 1,000,000) unique names at full speed (dnsperf, 200 in flight):
# three quarters random labels under three wildcard zones (each a new domain
# to track), one quarter random labels under a wildcard CNAME onto a flagged
# name (each a new alias to block). Measured after the first tenth (caches
# and tables full) and at the end: the segment's size is the same, the
# module's memory (mem.mod.dynlibmod) stays within 64 KiB, and Unbound's
# anonymous memory within 16 MiB; every flagged name is still flagged and
# blocked, every operator deny and allow still in force; the evictions and
# the alias zones dropped are counted.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
command -v dnsperf >/dev/null || fg_fail "dnsperf is not installed (scripts/install-deps.sh installs it)"
total=${FG_FLOOD_NAMES:-1000000}
warm=$((total / 10))
FG_UNBOUND_THREADS=2 FG_SCENARIO=$FG_SRCDIR/tests/integration/scenarios/flood.scn \
    fg_start_flux_stack "capacity: 4096" "max-blocked-aliases: 1000" \
    "decisions-file: \"$FG_WORK/decisions\"" "event-log: \"$FG_WORK/events.jsonl\""
ctl() { "$CONTROL" -s "$FG_SEGMENT" "$@"; }
counter() { ctl stats_noreset | sed -n "s/^fluxguard\.$1=//p"; }
modmem() { fg_unbound_control stats_noreset | sed -n 's/^mem\.mod\.dynlibmod=//p'; }
rss_anon() { awk '/^RssAnon:/ { print $2 }' "/proc/$FG_UNBOUND_PID/status"; }
segsize() { stat -c %s "/dev/shm/${FG_SEGMENT#/}"; }

# the verdicts that must outlive the flood
flagged=(bot.flux.test f1.flux.test f2.flux.test)
for n in "${flagged[@]}"; do
    fg_ask "$n" A >/dev/null
    fg_ask "$n" AAAA >/dev/null
    fg_wait_for "$n flagged" fg_unbound_log_has "flagged $n\\."
done
denied=() allowed=()
for i in $(seq 20); do
    denied+=("deny$i.flux.test"); ctl deny "deny$i.flux.test" >/dev/null || fg_fail "deny $i"
done
for i in $(seq 5); do
    allowed+=("allow$i.a.flux.test"); ctl allow "allow$i.a.flux.test" >/dev/null || fg_fail "allow $i"
done

# the flood, in two parts: the first tenth, then the rest
python3 - "$FG_WORK" "$total" "$warm" <<'PY'
import random, sys
work, total, warm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(0x5eed)
zones = ["a.flux.test", "b.flux.test", "c.flux.test", "wild.flux.test"]
with open(f"{work}/warm.q", "w") as w, open(f"{work}/rest.q", "w") as r:
    for i in range(total):
        label = "%x%08x" % (i, rnd.getrandbits(32))
        (w if i < warm else r).write(f"{label}.{zones[i % 4]} A\n")
PY
flood() {
    dnsperf -s 127.0.0.1 -p "$FG_UNBOUND_PORT" -d "$FG_WORK/$1.q" -n 1 -q 200 -t 2 \
        >"$FG_WORK/dnsperf-$1.log" 2>&1 || fg_fail "dnsperf failed: $(tail -5 "$FG_WORK/dnsperf-$1.log")"
    kill -0 "$FG_UNBOUND_PID" 2>/dev/null || fg_fail "Unbound died in the flood"
    sed -n 's/^ *Queries completed: *\([0-9]*\).*/\1/p' "$FG_WORK/dnsperf-$1.log"
}
seg0=$(segsize)
t0=$(date +%s)
done_warm=$(flood warm)
mem0=$(modmem); rss0=$(rss_anon); seg1=$(segsize)
done_rest=$(flood rest)
secs=$(( $(date +%s) - t0 ))
mem1=$(modmem); rss1=$(rss_anon); seg2=$(segsize)
fg_log "$total names in $secs s ($done_warm + $done_rest answered); segment $seg0 / $seg1 / $seg2 B;" \
    "mem.mod.dynlibmod $mem0 -> $mem1 B; RssAnon $rss0 -> $rss1 KiB;" \
    "evictions $(ctl stats_noreset | sed -n 's/^fluxguard\.tracker\.evictions=//p')," \
    "untracked $(counter answers.untracked), aliases dropped $(counter zones.aliases_dropped)"
[ "$seg0" = "$seg2" ] && [ "$seg1" = "$seg2" ] || fg_fail "the segment changed size: $seg0, $seg1, $seg2"
[ "$mem1" -le $((mem0 + 65536)) ] || fg_fail "the module's memory grew from $mem0 to $mem1 B"
[ "$rss1" -le $((rss0 + 16384)) ] || fg_fail "Unbound's anonymous memory grew from $rss0 to $rss1 KiB"
[ $((done_warm + done_rest)) -ge $((total * 9 / 10)) ] || fg_fail "fewer than 90 % of the queries answered"

# evictions and dropped aliases are counted, and they are what was lost
ev=$(ctl stats_noreset | sed -n 's/^fluxguard\.tracker\.evictions=//p')
[ "${ev:-0}" -gt 0 ] || fg_fail "no eviction counted: $(ctl stats_noreset)"
[ "$(counter zones.aliases_dropped)" -gt 0 ] || fg_fail "no alias zone dropped: $(ctl stats_noreset)"
for n in "${flagged[@]}"; do
    ctl show "$n" | grep -q '^verdict: flagged' || fg_fail "$n lost its flag: $(ctl show "$n")"
    [ "$(fg_ask "$n" A | fg_status_of)" = REFUSED ] || fg_fail "$n is no longer blocked"
done
for n in "${denied[@]}"; do
    [ "$(fg_ask "$n" A | fg_status_of)" = REFUSED ] || fg_fail "denied $n is no longer blocked"
done
for n in "${allowed[@]}"; do
    ctl show "$n" | grep -q '^verdict: allowed' || fg_fail "allowed $n lost its decision: $(ctl show "$n")"
done
[ "$(fg_ask "x$RANDOM.wild.flux.test" A | fg_status_of)" = REFUSED ] || fg_fail "a new alias is not blocked"
fg_log "flood held: sizes flat, verdicts kept, losses counted"
