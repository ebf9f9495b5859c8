#!/usr/bin/env bash
# With num-threads: 2, a flag made while one thread answered holds on the
# other: after the flag, many concurrent queries (spread over both threads)
# are all refused, from the module path and the cache path alike.
. "$FG_SRCDIR/tests/integration/lib.sh"

FG_UNBOUND_THREADS=2 fg_start_flux_stack
fg_flag_bot
sleep 1
for i in $(seq 200); do echo "bot.flux.test A"; echo "alias.flux.test A"; done > "$FG_WORK/queries"
# 32 client sockets: the kernel spreads sockets, not queries, over the two
# threads, and with few sockets one thread may get almost none
dnsperf -s 127.0.0.1 -p "$FG_UNBOUND_PORT" -d "$FG_WORK/queries" -c 32 -q 16 -t 5 \
    >"$FG_WORK/dnsperf.log" 2>&1 || fg_fail "dnsperf failed"
grep -q 'REFUSED 400 ' "$FG_WORK/dnsperf.log" ||
    fg_fail "expected 400 REFUSED: $(grep -A4 'Response codes' "$FG_WORK/dnsperf.log")"
stats=$(fg_unbound_control stats_noreset)
t0=$(echo "$stats" | sed -n 's/^thread0.num.queries=//p')
t1=$(echo "$stats" | sed -n 's/^thread1.num.queries=//p')
[ "$t0" -gt 20 ] && [ "$t1" -gt 20 ] || fg_fail "queries not spread over both threads: $t0 / $t1"
fg_log "400 of 400 refused across threads ($t0 / $t1 queries)"
