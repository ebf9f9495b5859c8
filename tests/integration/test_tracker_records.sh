#!/usr/bin/env bash
# Answers resolved through Unbound appear in the shared-memory tracker with their
# addresses and TTLs, and the record survives `unbound-control reload` and an
# Unbound restart (the segment outlives the module and the process).
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
segment=/fg-it-$$-tracker
fg_on_exit "rm -f /dev/shm/${segment#/}"
cat > "$FG_WORK/fluxguard.conf" <<CONF
fluxguard:
    segment: "$segment"
    capacity: 4096
CONF
export FLUXGUARD_CONF=$FG_WORK/fluxguard.conf

fg_start_nsd static.test. "$FG_SRCDIR/tests/integration/zones/static.test.zone"
FG_STUB_ZONE=static.test. FG_UPSTREAM_PORT=$FG_NSD_PORT fg_write_unbound_conf
fg_start_unbound

[ "$(fg_answers "$FG_UNBOUND_PORT" www.static.test A)" = 192.0.2.10 ] || fg_fail "resolve www A"
[ "$(fg_answers "$FG_UNBOUND_PORT" www.static.test AAAA)" = 2001:db8::10 ] || fg_fail "resolve www AAAA"
[ "$(fg_answers "$FG_UNBOUND_PORT" h3.static.test A)" = 198.51.100.4 ] || fg_fail "resolve h3"

show() { "$CONTROL" -s "$segment" show "$1"; }
out=$(show www.static.test) || fg_fail "www.static.test not in the tracker: $out"
echo "$out" | grep -qx "address: 192.0.2.10 seen 1" || fg_fail "IPv4 address missing: $out"
echo "$out" | grep -qx "address: 2001:db8::10 seen 1" || fg_fail "IPv6 address missing: $out"
echo "$out" | grep -qx "answers: 2" || fg_fail "expected 2 answers (A and AAAA): $out"
echo "$out" | grep -qx "ttl-min: 300" || fg_fail "expected ttl-min 300: $out"
out=$(show h3.static.test) || fg_fail "h3 not tracked"
echo "$out" | grep -qx "ttl-last: 30" || fg_fail "expected ttl-last 30 for h3: $out"
# The zone's NS RRset passed too (the stub's answer to the priming of static.test.)
# is not guaranteed, so only address records are asserted here.

# A cache hit does not reach the module: the count stays.
fg_answers "$FG_UNBOUND_PORT" www.static.test A >/dev/null
show www.static.test | grep -qx "answers: 2" || fg_fail "a cache hit was recorded as an answer"

out=$(fg_unbound_control reload) && [ "$out" = ok ] || fg_fail "reload: $out"
fg_wait_for "Unbound after reload" fg_unbound_up
show www.static.test | grep -qx "answers: 2" || fg_fail "record lost across reload: $(show www.static.test)"
# reload empties Unbound's caches: the next query is an upstream answer again.
fg_answers "$FG_UNBOUND_PORT" www.static.test A >/dev/null
show www.static.test | grep -qx "answers: 3" || fg_fail "answer after reload not recorded"

fg_stop_unbound
FG_PIDS=("${FG_PIDS[@]/$FG_UNBOUND_PID}")
fg_start_unbound
show www.static.test | grep -qx "answers: 3" || fg_fail "record lost across restart: $(show www.static.test)"
"$CONTROL" -s "$segment" status | grep -qx "clean-close: no" || true
fg_log "tracked across reload and restart"
