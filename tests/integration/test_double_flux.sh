#!/usr/bin/env bash
# Double flux through Unbound: NS RRsets and their glue pass the module (here
# in NS answers; in the wild also in referrals) and are recorded per zone in
# the tracker: NS answers, NS-set changes, glue diversity. The rotating name
# in that zone is flagged and blocked.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_start_flux_stack
for i in 1 2 3; do
    out=$(fg_ask dflux.test NS +short)
    [ "$(echo "$out" | grep -c '^ns[0-9]*\.dflux\.test\.$')" = 3 ] ||
        fg_fail "dflux.test NS answer $i: $out"
    fg_ask www.dflux.test A >/dev/null
    fg_unbound_control flush_zone dflux.test >/dev/null
done
out=$("$CONTROL" -s "$FG_SEGMENT" show dflux.test) || fg_fail "dflux.test not tracked"
ns_answers=$(echo "$out" | sed -n 's/^ns-answers: //p')
ns_changes=$(echo "$out" | sed -n 's/^ns-changes: //p')
glue=$(echo "$out" | sed -n 's/^glue-distinct: //p')
[ "${ns_answers:-0}" -ge 3 ] || fg_fail "NS answers recorded: '$ns_answers': $out"
[ "${ns_changes:-0}" -ge 2 ] || fg_fail "NS-set changes recorded: '$ns_changes': $out"
[ "${glue:-0}" -ge 6 ] || fg_fail "distinct glue addresses: '$glue': $out"
echo "$out" | grep -q '^glue: 45\.[0-9.]* AS65[0-9]* ' || fg_fail "glue without its ASN: $out"
fg_wait_for "www.dflux.test. flagged" fg_unbound_log_has "flagged www.dflux.test."
[ "$(fg_ask www.dflux.test A | fg_status_of)" = REFUSED ] || fg_fail "www.dflux.test not blocked"
fg_log "NS: $ns_answers answers, $ns_changes changes, $glue glue addresses"
