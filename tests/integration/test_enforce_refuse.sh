#!/usr/bin/env bash
# The refuse action end to end: a flux domain served by the rotating
# test authoritative is flagged after its second upstream answer; from then on
# every query gets REFUSED with EDE 15 (Blocked): queries whose real answer sits
# in Unbound's cache, a CNAME alias cached before the flag, and names below it.
# A CDN-like name with the same TTL and rate is never blocked, and local data
# next to the runtime zone is untouched (Unbound issue 868).
. "$FG_SRCDIR/tests/integration/lib.sh"

fg_start_flux_stack
fg_unbound_log_has "action refuse" || fg_fail "the stack does not run with action refuse"

# The CDN-like name: as many answers as the flux name gets, and more.
for i in 1 2 3; do
    [ "$(fg_ask cdn.flux.test A | fg_status_of)" = NOERROR ] || fg_fail "cdn A answer $i"
    [ "$(fg_ask cdn.flux.test AAAA | fg_status_of)" = NOERROR ] || fg_fail "cdn AAAA answer $i"
    fg_unbound_control flush cdn.flux.test >/dev/null
done

# First answer: alias A (CNAME + bot's real addresses) lands in Unbound's cache.
out=$(fg_ask alias.flux.test A +short)
echo "$out" | grep -q '^45\.' || fg_fail "alias.flux.test A before the flag: '$out'"
# The premise of the cache test: the real answers are cached.
cache=$(fg_unbound_control dump_cache)
echo "$cache" | grep -q '^bot\.flux\.test\.	[0-9]*	IN	A	45\.' ||
    fg_fail "bot.flux.test A is not in Unbound's cache: the cache test would prove nothing"
echo "$cache" | grep -q '^msg alias\.flux\.test\. IN A ' ||
    fg_fail "alias.flux.test A is not in the message cache"
[ "$(fg_ask bot.flux.test A | fg_status_of)" = NOERROR ] || fg_fail "bot A before the flag"
# Second answer: AAAA flags it.
fg_ask bot.flux.test AAAA >/dev/null
fg_wait_for "bot.flux.test. flagged in the log" fg_unbound_log_has "flagged bot.flux.test."

out=$(fg_ask bot.flux.test A)
[ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "cached bot A not refused: $out"
echo "$out" | grep -q 'EDE: 15 (Blocked): (fluxguard: flux score' ||
    fg_fail "no EDE 15 with the score on the refused answer: $out"
out=$(fg_ask bot.flux.test AAAA)
[ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "bot AAAA not refused: $out"
out=$(fg_ask deep.bot.flux.test A)
[ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "name below bot not refused: $out"

# alias.flux.test A was cached (CNAME + real addresses) before the flag.
out=$(fg_ask alias.flux.test A)
[ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "alias (CNAME onto bot) not refused: $out"
echo "$out" | grep -q 'EDE: 15 (Blocked)' || fg_fail "no EDE on the alias: $out"
sleep 1
out=$(fg_ask alias.flux.test A)
[ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "alias not refused on the cache path: $out"

# The CDN-like name and unrelated names still resolve, local data included.
[ "$(fg_ask cdn.flux.test A | fg_status_of)" = NOERROR ] || fg_fail "cdn blocked"
[ "$(fg_ask static.flux.test A +short)" = 198.51.100.1 ] || fg_fail "static.flux.test"
[ "$(fg_ask data.flux.test A +short)" = 198.51.100.9 ] ||
    fg_fail "local-data next to the runtime zone lost: $(fg_ask data.flux.test A)"
[ "$(fg_ask www.other.test A +short)" = 198.51.100.7 ] || fg_fail "www.other.test"

# The block is logged once, the flag once.
n=$(grep -c "fluxguard: flagged bot.flux.test." "$FG_WORK/unbound.log")
[ "$n" = 1 ] || fg_fail "flag logged $n times"
n=$(grep -c "fluxguard: blocking bot.flux.test." "$FG_WORK/unbound.log")
[ "$n" = 1 ] || fg_fail "block of bot logged $n times"
fg_unbound_control list_local_zones | grep -q '^bot\.flux\.test\. always_refuse$' ||
    fg_fail "no always_refuse local zone for bot: $(fg_unbound_control list_local_zones)"
fg_log "flagged, refused on both paths, CNAME included; CDN untouched"
