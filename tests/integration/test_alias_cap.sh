#!/usr/bin/env bash
# What blocked names may cost is bounded: an alias flood onto a flagged name
# (sixty names whose CNAME is the flux name) leaves at most
# max-blocked-aliases local zones of aliases, the oldest dropped first and
# counted, while the flagged name's own zone stays and every alias answer is
# refused; with max-blocked-aliases: 0, no alias gets a zone at all.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
scn=$FG_WORK/aliases.scn
{
    cat "$FG_SRCDIR/tests/integration/scenarios/enforce.scn"
    echo "zone many.test."
    echo "@ 3600 IN SOA ns1.flux.test. hostmaster 1 3600 900 604800 30"
    echo "@ NS ns1.flux.test."
    for i in $(seq 60); do echo "a$i 300 IN CNAME bot.flux.test."; done
} >"$scn"
FG_SCENARIO=$scn fg_start_flux_stack "max-blocked-aliases: 20"
fg_unbound_control stub_add many.test. "127.0.0.1@$FG_AUTHD_PORT" >/dev/null ||
    fg_fail "could not add the stub for many.test."
fg_flag_bot
for i in $(seq 60); do
    out=$(fg_ask "a$i.many.test" A)
    [ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "alias a$i not refused: $out"
done
sleep 1
zones=$(fg_unbound_control list_local_zones)
n=$(echo "$zones" | grep -c '^a[0-9]*\.many\.test\. ' || true)
[ "$n" -le 20 ] || fg_fail "$n alias zones kept, more than max-blocked-aliases 20"
[ "$n" -ge 1 ] || fg_fail "no alias zone kept at all"
echo "$zones" | grep -q '^bot\.flux\.test\. always_refuse$' || fg_fail "the flagged name's own zone went"
echo "$zones" | grep -q '^a60\.many\.test\. ' || fg_fail "the newest alias zone went"
dropped=$("$CONTROL" -s "$FG_SEGMENT" stats_noreset | sed -n 's/^fluxguard\.zones\.aliases_dropped=//p')
[ "${dropped:-0}" -ge 40 ] || fg_fail "aliases_dropped counted '$dropped', expected 40 or more"
# an alias whose zone was dropped is blocked again at its next query (a
# cache miss: its chain left the cache when its zone came)
for i in 1 2 3; do
    out=$(fg_ask "a$i.many.test" A)
    st=$(echo "$out" | fg_status_of)
    [ "$st" = REFUSED ] || fg_fail "dropped alias a$i answered ${st:-nothing}, not REFUSED: $(echo "$out" | tr '\n' ' ')"
done
fg_log "$n alias zones kept (cap 20), $dropped dropped and counted, the flagged name's zone kept, dropped aliases refused again"

# max-blocked-aliases: 0 keeps no alias zone at all (none added and dropped
# again on every query): each alias is refused on the module path
sed -i 's/^\( *\)max-blocked-aliases: 20$/\1max-blocked-aliases: 0/' "$FG_WORK/fluxguard.conf"
grep -q 'max-blocked-aliases: 0$' "$FG_WORK/fluxguard.conf" || fg_fail "could not set max-blocked-aliases: 0"
out=$(fg_unbound_control reload) && [ "$out" = ok ] || fg_fail "reload: $out"
fg_unbound_control stub_add many.test. "127.0.0.1@$FG_AUTHD_PORT" >/dev/null ||
    fg_fail "could not add the stub for many.test. again"
stats=$("$CONTROL" -s "$FG_SEGMENT" stats_noreset)
dropped0=$(echo "$stats" | sed -n 's/^fluxguard\.zones\.aliases_dropped=//p')
added0=$(echo "$stats" | sed -n 's/^fluxguard\.zones\.added=//p')
for round in 1 2; do
    for i in $(seq 5); do
        out=$(fg_ask "a$i.many.test" A)
        st=$(echo "$out" | fg_status_of)
        [ "$st" = REFUSED ] || fg_fail "cap 0: alias a$i answered ${st:-nothing}, not REFUSED (round $round): $(echo "$out" | tr '\n' ' ')"
    done
done
sleep 1
n=$(fg_unbound_control list_local_zones | grep -c '^a[0-9]*\.many\.test\. ' || true)
[ "$n" -eq 0 ] || fg_fail "cap 0: $n alias zones kept"
stats=$("$CONTROL" -s "$FG_SEGMENT" stats_noreset)
dropped1=$(echo "$stats" | sed -n 's/^fluxguard\.zones\.aliases_dropped=//p')
added1=$(echo "$stats" | sed -n 's/^fluxguard\.zones\.added=//p')
[ "$dropped1" = "$dropped0" ] || fg_fail "cap 0: aliases_dropped went from $dropped0 to $dropped1 (zones added and dropped)"
[ $((added1 - added0)) -le 1 ] || fg_fail "cap 0: zones.added went from $added0 to $added1 for ten alias answers"
fg_log "max-blocked-aliases 0: ten alias answers refused, no alias zone added"
