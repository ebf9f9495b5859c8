#!/usr/bin/env bash
# fluxguard-control status, list, show, allow, deny, unflag, flush and
# check-config against a live Unbound, and its exit codes: allow unblocks a
# flagged domain from the next query on, cache included; deny blocks a clean
# one; unflag and flush lift blocks; 3 without a segment, 1 on bad arguments.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
fg_start_flux_stack
ctl() { "$CONTROL" -s "$FG_SEGMENT" "$@"; }

out=$(ctl status) || fg_fail "status: $out"
# the format version this build writes, from the layout header
version=$(sed -n 's/^#define FG_SEG_VERSION \([0-9]*\)u$/\1/p' "$FG_SRCDIR/core/segment_layout.h")
[ -n "$version" ] || fg_fail "no FG_SEG_VERSION in segment_layout.h"
for want in "segment: $FG_SEGMENT" "capacity: 4096" "format-version: $version" "clean-close: no" \
    "used: 0" "window: [0-9]+" "bytes: [0-9]+" "evictions: 0" "generation: [0-9]+" \
    "created: [0-9]+ \([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z\)" "fill: 0\.000000" \
    "module-pid: $FG_UNBOUND_PID \(running\)" "module-started: [0-9]+ \(.*Z\)" "config in force:"; do
    echo "$out" | grep -Eqx "$want" || fg_fail "status lacks '$want': $out"
done
echo "$out" | grep -Eq "^writer-pid: $FG_UNBOUND_PID \(running\)$" || fg_fail "status writer: $out"
echo "$out" | grep -q "action: refuse" || fg_fail "status lacks the config in force: $out"

[ "$(fg_ask static.flux.test A +short)" = 198.51.100.1 ] || fg_fail "static before deny"
fg_flag_bot
out=$(ctl list --flagged) || fg_fail "list: $out"
echo "$out" | grep -Eq '^bot\.flux\.test\. +[0-9.]+ flagged ' || fg_fail "list --flagged: $out"
echo "$out" | grep -q '^static' && fg_fail "list --flagged shows a clean domain: $out"
[ "$(ctl list --top 1 --sort answers | wc -l)" = 2 ] || fg_fail "list --top 1"
out=$(ctl show bot.flux.test) || fg_fail "show: $out"
echo "$out" | grep -qx 'verdict: flagged' || fg_fail "show verdict: $out"
echo "$out" | grep -Eq '^address: 45\.[0-9.]+ AS65[0-9]+ [A-Z]{2} seen 1$' || fg_fail "show addresses: $out"
echo "$out" | grep -q 'asns' || fg_fail "show has no explanation: $out"
for want in 'domain: bot\.flux\.test\.' 'score: [0-9]+\.[0-9]{2}' 'answers: 2' 'addresses-distinct: [0-9]+' \
    'flagged-at: [0-9]+ \(.*Z\)' 'first-seen: [0-9]+ \(.*Z\)' 'unflagged-by-operator: no' \
    'asn: AS65[0-9]+' 'country: [A-Z]{2}' 'explanation:'; do
    echo "$out" | grep -Eqx "$want" || fg_fail "show lacks '$want': $out"
done

# allow: the flagged domain and its alias resolve again, the cache path too
out=$(ctl allow bot.flux.test) || fg_fail "allow: $out"
DECISIONS=$FG_WORK/fluxguard.decisions
echo "$out" | grep -Eq "^allowed bot\\.flux\\.test\\. \\(was flagged, score [0-9.]+\\); kept in $DECISIONS\$" || fg_fail "allow said: $out"
grep -q '^allow bot.flux.test # allow by uid' "$DECISIONS" || fg_fail "allow not kept: $(cat "$DECISIONS")"
sleep 1
for n in 1 2; do
    out=$(fg_ask bot.flux.test A +short)
    echo "$out" | grep -q '^45\.' || fg_fail "bot A after allow (query $n): '$out'"
done
fg_ask alias.flux.test A +short | grep -q '^45\.' || fg_fail "alias after allow"
fg_unbound_control list_local_zones | grep -q '^bot\.flux\.test\.' && fg_fail "bot's zone still there"
fg_wait_for "the unblock in the log" fg_unbound_log_has "unblocked bot.flux.test. (allowed by an operator)"

# deny: a clean, cached domain is blocked within a second, cache included
out=$(ctl deny static.flux.test) || fg_fail "deny: $out"
[ "$out" = "denied static.flux.test. (was clean); kept in $DECISIONS" ] || fg_fail "deny said: $out"
sleep 1
out=$(fg_ask static.flux.test A)
[ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "denied static not refused: $out"
echo "$out" | grep -q 'EDE: 15 (Blocked): (fluxguard: deny list (operator))' || fg_fail "deny EDE: $out"
[ "$(fg_ask www.static.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "below the denied name"

# unflag lifts the operator's deny
out=$(ctl unflag static.flux.test) || fg_fail "unflag: $out"
[ "$out" = "unflagged static.flux.test. (was denied); removed from $DECISIONS" ] || fg_fail "unflag said: $out"
grep -q 'static.flux.test' "$DECISIONS" && fg_fail "unflag left the deny in the decisions file"
sleep 1
[ "$(fg_ask static.flux.test A +short)" = 198.51.100.1 ] || fg_fail "static after unflag"

# flush DOMAIN and flush keep the operator's decisions; flush --all not
ctl deny static.flux.test >/dev/null && sleep 1
[ "$(fg_ask static.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "static re-denied"
out=$(ctl flush static.flux.test) || fg_fail "flush DOMAIN"
[ "$out" = "flushed static.flux.test." ] || fg_fail "flush said: $out"
sleep 1
[ "$(fg_ask static.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "flush DOMAIN lost the operator's deny"
out=$(ctl flush) || fg_fail "flush"
echo "$out" | grep -Eq '^flushed [0-9]+ domains; operator decisions kept \(flush --all forgets them too\)$' || fg_fail "flush said: $out"
sleep 1
[ "$(fg_ask static.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "flush lost the operator's deny"
out=$(ctl flush --all) || fg_fail "flush --all"
echo "$out" | grep -Eq '^flushed [0-9]+ domains, operator decisions included \(decisions file removed\)$' || fg_fail "flush --all said: $out"
[ -e "$DECISIONS" ] && fg_fail "flush --all kept the decisions file"
[ "$(ctl list | wc -l)" = 1 ] || fg_fail "list after flush --all: $(ctl list)"
sleep 1
[ "$(fg_ask static.flux.test A +short)" = 198.51.100.1 ] || fg_fail "static after flush --all"

# the config's entry syntax: an ASN, a CIDR, exact:; anything else refused
out=$(ctl deny AS64500) || fg_fail "deny AS64500: $out"
[ "$out" = "denied AS64500; kept in $DECISIONS" ] || fg_fail "deny AS said: $out"
out=$(ctl deny 192.0.2.0/24) || fg_fail "deny CIDR: $out"
out=$(ctl deny exact:one.static.flux.test) || fg_fail "deny exact: $out"
[ "$out" = "denied exact:one.static.flux.test. (was not tracked); kept in $DECISIONS" ] || fg_fail "deny exact said: $out"
grep -qx 'deny 192.0.2.0/24 # deny by uid [0-9]* at [0-9]*' "$DECISIONS" || fg_fail "CIDR not kept: $(cat "$DECISIONS")"
for e in AS64500 192.0.2.0/24 exact:one.static.flux.test; do ctl unflag "$e" >/dev/null || fg_fail "unflag $e"; done
grep -q '^deny' "$DECISIONS" && fg_fail "unflag left entries: $(cat "$DECISIONS")"

# check-config
printf 'fluxguard:\n    action: nxdomain\n' > "$FG_WORK/good.conf"
printf 'fluxguard:\n    threshold: 101\n' > "$FG_WORK/bad.conf"
[ "$("$CONTROL" check-config "$FG_WORK/good.conf")" = "$FG_WORK/good.conf: ok" ] || fg_fail "check-config good"
# -v prints the effective config, which loads and gives the same config again
"$CONTROL" check-config -v "$FG_WORK/good.conf" >"$FG_WORK/verbose.out" || fg_fail "check-config -v"
[ "$(head -n 1 "$FG_WORK/verbose.out")" = "$FG_WORK/good.conf: ok" ] || fg_fail "check-config -v first line"
tail -n +2 "$FG_WORK/verbose.out" >"$FG_WORK/effective.conf"
grep -Eq '^[[:space:]]+action: nxdomain$' "$FG_WORK/effective.conf" || fg_fail "effective config lacks the action: $(cat "$FG_WORK/effective.conf")"
grep -Eq '^[[:space:]]+threshold: [0-9]' "$FG_WORK/effective.conf" || fg_fail "effective config lacks the defaults"
"$CONTROL" check-config -v "$FG_WORK/effective.conf" | tail -n +2 | grep -v '^# read ' >"$FG_WORK/again.conf"
grep -v '^# read ' "$FG_WORK/effective.conf" | diff - "$FG_WORK/again.conf" >&2 ||
    fg_fail "the effective config does not load back to itself"
set +e
err=$("$CONTROL" check-config "$FG_WORK/bad.conf" 2>&1); rc=$?
set -e
[ $rc = 1 ] || fg_fail "check-config bad: exit $rc"
[ "$err" = "fluxguard-control: $FG_WORK/bad.conf:2: threshold: expected a number between 0 and 100, got \"101\"
fluxguard-control: $FG_WORK/bad.conf: 1 error" ] ||
    fg_fail "check-config message: $err"

# exit codes and one-line errors
expect_rc() { # RC ARGS...
    local want=$1 got
    shift
    set +e
    err=$("$CONTROL" "$@" 2>&1 >/dev/null); got=$?
    set -e
    [ "$got" = "$want" ] || fg_fail "fluxguard-control $*: exit $got, expected $want ($err)"
    [ "$want" = 0 ] || [ "$(echo "$err" | wc -l)" = 1 ] || fg_fail "error not one line: $err"
}
expect_rc 3 -s /fg-no-such-segment-$$ status
expect_rc 3 -s /fg-no-such-segment-$$ stats_noreset
expect_rc 1 -s "$FG_SEGMENT" frobnicate
expect_rc 1 -s "$FG_SEGMENT" show
expect_rc 1 -s "$FG_SEGMENT" allow 'not..a.name'
expect_rc 1 -s "$FG_SEGMENT" deny 192.0.2.1/24
expect_rc 1 -s "$FG_SEGMENT" deny AS0
expect_rc 1 -s "$FG_SEGMENT" list --top zero
expect_rc 1 -s "$FG_SEGMENT" show never.seen.test
expect_rc 0 -s "$FG_SEGMENT" list
# a damaged segment is refused with a clear message
printf 'garbage' > "$FG_WORK/damaged.seg"
expect_rc 1 -s "$FG_WORK/damaged.seg" status
echo "$err" | grep -q "damaged.seg" || fg_fail "damaged segment message: $err"
# another format version is refused, never read
cp "/dev/shm/${FG_SEGMENT#/}" "$FG_WORK/old.seg"
printf '\001' | dd of="$FG_WORK/old.seg" bs=1 seek=8 conv=notrunc status=none
expect_rc 1 -s "$FG_WORK/old.seg" status
echo "$err" | grep -q "format version 1, this build reads version $version" || fg_fail "old version message: $err"
# a segment this user may not read is refused with a clear message (no config
# file: the test's own sits in a private directory nobody cannot read)
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
    set +e
    err=$(env -u FLUXGUARD_CONF setpriv --reuid=nobody --regid=nogroup --clear-groups \
        "$CONTROL" -s "$FG_SEGMENT" status 2>&1 >/dev/null); rc=$?
    set -e
    [ $rc = 1 ] || fg_fail "another user's segment: exit $rc ($err)"
    echo "$err" | grep -q "^fluxguard-control: segment $FG_SEGMENT: Permission denied (owner user $(id -un), mode 0600: " ||
        fg_fail "another user's segment: $err"
else
    fg_fail "setpriv and user nobody are needed for the permission test"
fi
fg_log "every command behaves"
