#!/usr/bin/env bash
# A reload never takes the resolver down: with a typo in fluxguard.conf,
# `unbound-control reload` leaves Unbound answering and blocking on the last
# good configuration of the process (logged with FILE:LINE and shown by
# `fluxguard-control status`); bad lines in a deny file are skipped, named
# with FILE:LINE and summed up, and the rest of the file takes effect; a
# later good reload is in force again. A start with a bad config refuses, and
# says why.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
printf 'exact:static.flux.test\n' > "$FG_WORK/deny.list"
fg_start_flux_stack "deny-file: \"$FG_WORK/deny.list\"" "deny: other.test"
conf=$FLUXGUARD_CONF
blocked() { [ "$(fg_ask "$1" A | fg_status_of)" = REFUSED ]; }
blocked static.flux.test || fg_fail "deny-file entry not blocked before the reload"
blocked www.other.test || fg_fail "deny entry not blocked before the reload"

reload() {
    fg_unbound_control reload >/dev/null || fg_fail "unbound-control reload failed"
    fg_wait_for "the reload" fg_unbound_up
    sleep 0.5
    kill -0 "$FG_UNBOUND_PID" 2>/dev/null || fg_fail "Unbound stopped after the reload: $(tail -5 "$FG_WORK/unbound.log")"
}

# 1. a typo: the last good configuration stays in force
cp "$conf" "$FG_WORK/good.conf"
echo "    acton: log" >> "$conf"
line=$(wc -l <"$conf")
reload
fg_unbound_log_has "$conf:$line: acton" || fg_fail "the typo is not named with FILE:LINE: $(grep fluxguard "$FG_WORK/unbound.log" | tail -5)"
fg_unbound_log_has "keeping the last good configuration" || fg_fail "no word of the last good configuration"
[ "$(fg_answers "$FG_UNBOUND_PORT" static.other.test A 2>/dev/null; fg_ask data.flux.test A +short)" != "" ] ||
    fg_fail "Unbound does not answer after the reload"
blocked static.flux.test || fg_fail "deny-file entry not blocked on the last good configuration"
blocked www.other.test || fg_fail "deny entry not blocked on the last good configuration"
out=$("$CONTROL" -s "$FG_SEGMENT" status 2>&1) || fg_fail "status: $out"
echo "$out" | grep -q '^# health: degraded (the last good configuration is in force' ||
    fg_fail "status does not say the last good configuration is in force: $out"
echo "$out" | grep -q 'action: refuse' || fg_fail "status lost the configuration in force: $out"

# 2. bad lines in the deny file: skipped and named, the rest in force
cp "$FG_WORK/good.conf" "$conf"
printf 'exact:static.flux.test\nnot a name\nAS0\ncdn.flux.test\n' > "$FG_WORK/deny.list"
reload
fg_unbound_log_has "$FG_WORK/deny.list:2: entry: .*; line skipped" || fg_fail "bad line 2 not named"
fg_unbound_log_has "$FG_WORK/deny.list:3: entry: .*; line skipped" || fg_fail "bad line 3 not named"
fg_unbound_log_has "$FG_WORK/deny.list: 2 of 4 lines skipped as bad" || fg_fail "no summary line for the file"
blocked cdn.flux.test || fg_fail "the entry after the bad lines is not in force"
blocked static.flux.test || fg_fail "the entry before the bad lines is not in force"
out=$("$CONTROL" -s "$FG_SEGMENT" status 2>&1) || fg_fail "status: $out"
echo "$out" | grep -q '^# health: ok' || fg_fail "a good reload did not restore the health: $out"
fg_stop_unbound

# 3. a start with a bad config refuses, and says why
echo "    acton: log" >> "$conf"
: >"$FG_WORK/unbound-stderr.log"
"$FG_UNBOUND" -d -c "$FG_WORK/unbound.conf" >>"$FG_WORK/unbound-stderr.log" 2>&1 &
pid=$!
FG_PIDS+=($pid)
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fg_fail "Unbound started with a bad fluxguard.conf"
fg_unbound_log_has "fluxguard: not starting: fix the configuration above" || fg_fail "the refusal does not say why"
fg_log "reload keeps the last good state; bad list lines skipped; a bad start refuses"
