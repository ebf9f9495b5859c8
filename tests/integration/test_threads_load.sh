#!/usr/bin/env bash
# With num-threads: 2, a few thousand queries (cache misses and hits, through
# dnsperf) leave Unbound with fluxguard alive, answering and error-free.
. "$FG_SRCDIR/tests/integration/lib.sh"

fg_start_nsd static.test. "$FG_SRCDIR/tests/integration/zones/static.test.zone"
FG_UNBOUND_THREADS=2 FG_STUB_ZONE=static.test. FG_UPSTREAM_PORT=$FG_NSD_PORT fg_write_unbound_conf
fg_start_unbound

for i in $(seq 0 499); do echo "h$i.static.test A"; done > "$FG_WORK/queries"
echo "nope.static.test A" >> "$FG_WORK/queries"
# 6 passes over 501 names: the first pass misses the cache, the rest mostly hit.
dnsperf -s 127.0.0.1 -p "$FG_UNBOUND_PORT" -d "$FG_WORK/queries" -n 6 -c 4 -q 50 -t 5 \
    >"$FG_WORK/dnsperf.log" 2>&1 || fg_fail "dnsperf failed"
sent=$(sed -n 's/^ *Queries sent: *\([0-9]*\).*/\1/p' "$FG_WORK/dnsperf.log")
done_=$(sed -n 's/^ *Queries completed: *\([0-9]*\).*/\1/p' "$FG_WORK/dnsperf.log")
lost=$(sed -n 's/^ *Queries lost: *\([0-9]*\).*/\1/p' "$FG_WORK/dnsperf.log")
[ "$sent" = 3006 ] || fg_fail "dnsperf sent '$sent' queries, expected 3006"
[ "$done_" = "$sent" ] && [ "$lost" = 0 ] || fg_fail "completed $done_ of $sent, lost $lost"
grep -q 'NOERROR 3000 ' "$FG_WORK/dnsperf.log" || fg_fail "expected 3000 NOERROR: $(grep -A3 'Response codes' "$FG_WORK/dnsperf.log")"
grep -q 'NXDOMAIN 6 ' "$FG_WORK/dnsperf.log" || fg_fail "expected 6 NXDOMAIN"

kill -0 "$FG_UNBOUND_PID" || fg_fail "Unbound died under load"
stats=$(fg_unbound_control stats_noreset)
echo "$stats" | grep -q '^thread1.num.queries=' || fg_fail "second thread not running"
t0=$(echo "$stats" | sed -n 's/^thread0.num.queries=//p')
t1=$(echo "$stats" | sed -n 's/^thread1.num.queries=//p')
[ $((t0 + t1)) -ge 3006 ] || fg_fail "threads counted $t0 + $t1 queries, expected >= 3006"
echo "$stats" | grep -q '^mem.mod.dynlibmod=' || fg_fail "mem.mod.dynlibmod missing from stats"
[ "$(fg_answers "$FG_UNBOUND_PORT" h7.static.test A)" = 198.51.100.8 ] || fg_fail "answer after load"
fg_log "3006 queries on 2 threads: thread0=$t0 thread1=$t1"
