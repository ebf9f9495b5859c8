#!/usr/bin/env bash
# Operator decisions are durable: fluxguard-control deny keeps them in the
# decisions file, so they hold after a capacity change (the segment is
# rebuilt empty) and after a damaged segment is rebuilt at a restart; `deny
# ASnnn` denies that ASN (an answer from it is refused once it is resolved
# again: cached answers of unnamed entries run out with their TTL).
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
fg_start_flux_stack
ctl() { "$CONTROL" -s "$FG_SEGMENT" "$@"; }
refused() { [ "$(fg_ask "$1" A | fg_status_of)" = REFUSED ]; }

[ "$(fg_ask cdn.flux.test A | fg_status_of)" = NOERROR ] || fg_fail "cdn before the deny"
ctl deny static.flux.test >/dev/null || fg_fail "deny static"
out=$(ctl deny AS13335) || fg_fail "deny AS13335: $out"
sleep 1
refused static.flux.test || fg_fail "denied name not refused"
fg_unbound_control flush cdn.flux.test >/dev/null
out=$(fg_ask cdn.flux.test A)
[ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "an answer from the denied ASN was not refused: $out"
echo "$out" | grep -q 'fluxguard: deny list (address)' || fg_fail "no address deny EDE: $out"

# a capacity change rebuilds the segment empty: the decisions hold
sed -i 's/capacity: 4096/capacity: 8192/' "$FLUXGUARD_CONF"
fg_unbound_control reload >/dev/null || fg_fail "reload"
fg_wait_for "the reload" fg_unbound_up
fg_unbound_log_has "capacity 4096, but 8192 is configured; rebuilding it empty" || fg_fail "the segment was not rebuilt"
refused static.flux.test || fg_fail "the deny was lost with the capacity change"
refused cdn.flux.test || fg_fail "the ASN deny was lost with the capacity change"

# a damaged segment, rebuilt at a restart: the decisions hold
fg_stop_unbound
printf '\377\377\377\377' | dd of="/dev/shm/${FG_SEGMENT#/}" bs=1 seek=8 conv=notrunc status=none
mv "$FG_WORK/unbound.log" "$FG_WORK/unbound-1.log.old"
fg_start_unbound
fg_unbound_log_has "rebuilding it empty" || fg_fail "the damaged segment was not rebuilt"
refused static.flux.test || fg_fail "the deny was lost with the damaged segment"
refused cdn.flux.test || fg_fail "the ASN deny was lost with the damaged segment"
fg_log "decisions survive a capacity change and a damaged segment; deny ASnnn works"
