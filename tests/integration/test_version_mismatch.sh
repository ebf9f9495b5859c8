#!/usr/bin/env bash
# A fluxguard built for another Unbound version refuses to initialise, with one
# clear log line, and Unbound does not start with it.
. "$FG_SRCDIR/tests/integration/lib.sh"

wrong=$FG_BUILDDIR/.libs/fluxguard_wrongversion.so
fg_require "$wrong"
FG_STUB_ZONE=static.test. FG_UPSTREAM_PORT=9 FG_DYNLIB=$wrong fg_write_unbound_conf

set +e
timeout 20 "$FG_UNBOUND" -d -c "$FG_WORK/unbound.conf" >"$FG_WORK/unbound-stderr.log" 2>&1
rc=$?
set -e
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fg_fail "Unbound started (or hung, rc=$rc) with a module built for another version"
n=$(cat "$FG_WORK/unbound.log" "$FG_WORK/unbound-stderr.log" 2>/dev/null |
    grep -c "fluxguard: built for unbound 0.0.0-fluxguard-test but loaded into a different Unbound; refusing to initialise")
[ "$n" = 1 ] || fg_fail "expected exactly one refusal line in the log, found $n"
fg_log "refused as expected (exit $rc)"
