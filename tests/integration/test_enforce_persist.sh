#!/usr/bin/env bash
# Flags live in the shared segment: they survive `unbound-control reload`
# (which dlcloses the module and drops runtime local zones and the caches) and
# an Unbound restart; the first query afterwards is blocked without a new
# flag, and the cache path is closed again.
. "$FG_SRCDIR/tests/integration/lib.sh"

fg_start_flux_stack
fg_flag_bot
sleep 1
[ "$(fg_ask bot.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "not refused before reload"

out=$(fg_unbound_control reload) && [ "$out" = ok ] || fg_fail "reload: $out"
fg_wait_for "Unbound after reload" fg_unbound_up
fg_unbound_control list_local_zones | grep -q '^bot\.flux\.test\.' && fg_fail "runtime zone survived reload?"
for n in 1 2; do
    out=$(fg_ask bot.flux.test A)
    [ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "query $n after reload not refused: $out"
done
sleep 1
fg_unbound_control list_local_zones | grep -q '^bot\.flux\.test\. always_refuse$' ||
    fg_fail "zone not re-applied after reload"

fg_stop_unbound
fg_start_unbound
out=$(fg_ask alias.flux.test A)
[ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "alias after restart not refused: $out"
out=$(fg_ask bot.flux.test AAAA)
[ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "bot after restart not refused: $out"
n=$(grep -c "fluxguard: flagged bot.flux.test." "$FG_WORK/unbound.log")
[ "$n" = 1 ] || fg_fail "bot flagged $n times (expected once, before the reload)"
fg_log "flags held across reload and restart"
