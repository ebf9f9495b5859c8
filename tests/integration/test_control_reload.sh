#!/usr/bin/env bash
# unbound-control status and reload work with fluxguard loaded; after a reload
# (which dlcloses and re-inits the module) names still resolve.
. "$FG_SRCDIR/tests/integration/lib.sh"

fg_start_nsd static.test. "$FG_SRCDIR/tests/integration/zones/static.test.zone"
FG_STUB_ZONE=static.test. FG_UPSTREAM_PORT=$FG_NSD_PORT fg_write_unbound_conf
fg_start_unbound

out=$(fg_unbound_control status) || fg_fail "unbound-control status failed: $out"
echo "$out" | grep -q "is running" || fg_fail "status output lacks 'is running': $out"
echo "$out" | grep -q "modules: 3 \[ dynlib validator iterator \]" ||
    fg_fail "status does not list the dynlib module: $out"

[ "$(fg_answers "$FG_UNBOUND_PORT" www.static.test A)" = 192.0.2.10 ] || fg_fail "resolve before reload"
for i in 1 2; do
    out=$(fg_unbound_control reload) || fg_fail "unbound-control reload $i failed: $out"
    [ "$out" = ok ] || fg_fail "reload $i said '$out'"
    fg_wait_for "Unbound back after reload $i" fg_unbound_up
    [ "$(fg_answers "$FG_UNBOUND_PORT" www.static.test A)" = 192.0.2.10 ] ||
        fg_fail "resolve after reload $i"
done
n=$(grep -c "fluxguard: initialised" "$FG_WORK/unbound.log")
[ "$n" = 3 ] || fg_fail "expected 3 'fluxguard: initialised' lines (start + 2 reloads), found $n"
kill -0 "$FG_UNBOUND_PID" || fg_fail "Unbound died"
fg_log "status and 2 reloads fine"
