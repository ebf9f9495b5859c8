#!/usr/bin/env bash
# Allow and deny lists: a denied static domain is blocked at once (first query,
# no upstream query), with deny-action and an EDE naming the list; an allowed
# flux domain is never blocked; a deny-file entry works like a config entry.
. "$FG_SRCDIR/tests/integration/lib.sh"

cat > "$FG_WORK/deny.list" <<'LIST'
# operator's deny list
exact:static.flux.test
LIST
fg_start_flux_stack "deny: other.test" "deny-file: \"$FG_WORK/deny.list\"" \
    "deny-action: nxdomain" "allow: allowedbot.flux.test"

out=$(fg_ask www.other.test A)
[ "$(echo "$out" | fg_status_of)" = NXDOMAIN ] || fg_fail "denied www.other.test not blocked: $out"
echo "$out" | grep -q 'EDE: 15 (Blocked): (fluxguard: deny list)' || fg_fail "no deny-list EDE: $out"
grep -q 'www.other.test' "$FG_WORK/authd-queries.log" &&
    fg_fail "a denied name was still asked upstream"
out=$(fg_ask static.flux.test A)
[ "$(echo "$out" | fg_status_of)" = NXDOMAIN ] || fg_fail "deny-file entry not blocked: $out"
sleep 1
[ "$(fg_ask www.other.test A | fg_status_of)" = NXDOMAIN ] || fg_fail "denied name, cache path"

# The allowed flux domain: many answers, never blocked.
for i in 1 2 3; do
    [ -n "$(fg_ask allowedbot.flux.test A +short)" ] || fg_fail "allowedbot A $i blocked"
    [ -n "$(fg_ask allowedbot.flux.test AAAA +short)" ] || fg_fail "allowedbot AAAA $i blocked"
    fg_unbound_control flush allowedbot.flux.test >/dev/null
done
sleep 1
[ -n "$(fg_ask allowedbot.flux.test A +short)" ] || fg_fail "allowedbot blocked at the end"
fg_unbound_log_has "flagged allowedbot" && fg_fail "an allowed domain was flagged"
# and the same shape, not allowed, is blocked (the allow list did the work)
fg_flag_bot
sleep 1
[ "$(fg_ask bot.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "bot not blocked"

# list files are re-read by unbound-control reload, without a restart
[ "$(fg_ask cdn.flux.test A | fg_status_of)" = NOERROR ] || fg_fail "cdn before the list change"
echo "cdn.flux.test   # added later" >> "$FG_WORK/deny.list"
out=$(fg_unbound_control reload) && [ "$out" = ok ] || fg_fail "reload: $out"
fg_wait_for "Unbound after reload" fg_unbound_up
[ "$(fg_ask cdn.flux.test A | fg_status_of)" = NXDOMAIN ] || fg_fail "deny-file entry added before reload not in force"
fg_log "deny blocks at once, allow never blocks, list files reload"
