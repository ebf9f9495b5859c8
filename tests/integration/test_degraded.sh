#!/usr/bin/env bash
# Fail-open is a decision, made per part and visible: a segment that cannot
# be created leaves fluxguard on its allow and deny lists (no recording, no
# scores); an ASN database that cannot be read leaves it without ASNs and
# countries. In both, Unbound runs and answers, deny lists keep blocking,
# each degraded part is said in the log with what failed, and with a segment
# `fluxguard-control status` shows the health.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"

check_degraded() { # WHAT EXPECTED-LOG TAG
    fg_start_nsd static.test. "$FG_SRCDIR/tests/integration/zones/static.test.zone"
    FG_STUB_ZONE=static.test. FG_UPSTREAM_PORT=$FG_NSD_PORT fg_write_unbound_conf
    fg_start_unbound
    [ "$(fg_answers "$FG_UNBOUND_PORT" www.static.test A)" = 192.0.2.10 ] ||
        fg_fail "$1: resolution broken"
    # the deny list needs neither a database nor a segment
    out=$(fg_ask h1.static.test A)
    [ "$(echo "$out" | fg_status_of)" = REFUSED ] || fg_fail "$1: the deny list stopped blocking: $out"
    n=$(grep -c -- "$2" "$FG_WORK/unbound.log")
    [ "$n" = 1 ] || fg_fail "$1: expected one log line '$2', got $n: $(grep fluxguard "$FG_WORK/unbound.log")"
    grep -q "fluxguard: initialised .*, degraded$" "$FG_WORK/unbound.log" ||
        fg_fail "$1: the start-up line does not say degraded: $(grep initialised "$FG_WORK/unbound.log")"
}

stop_all() { # TAG
    fg_stop_unbound
    for pid in "${FG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    FG_PIDS=()
    mv "$FG_WORK/unbound.log" "$FG_WORK/unbound-$1.log.old"
    unset FG_UNBOUND_PORT FG_CONTROL_PORT
}

printf 'fluxguard:\n    segment: "%s/no/such/dir/segment"\n    deny: h1.static.test\n' "$FG_WORK" > "$FG_WORK/fluxguard.conf"
export FLUXGUARD_CONF=$FG_WORK/fluxguard.conf
check_degraded "unusable segment" "running on the allow and deny lists only" segment
grep -q "fluxguard: degraded: .*no/such/dir/segment" "$FG_WORK/unbound.log" ||
    fg_fail "unusable segment: the reason is not logged: $(grep fluxguard "$FG_WORK/unbound.log")"
# fluxguard-control tells a resolver running degraded from none at all
set +e
err=$("$CONTROL" -s "$FG_WORK/no/such/dir/segment" status 2>&1); rc=$?
set -e
[ $rc = 1 ] || fg_fail "status with the resolver degraded: exit $rc: $err"
echo "$err" | grep -q "process $FG_UNBOUND_PID has fluxguard loaded: it runs degraded" ||
    fg_fail "status does not say the resolver runs degraded: $err"
stop_all segment
set +e
err=$("$CONTROL" -s "$FG_WORK/no/such/dir/segment" status 2>&1); rc=$?
set -e
[ $rc = 3 ] || fg_fail "status with no resolver: exit $rc: $err"

printf 'not an mmdb' > "$FG_WORK/broken.mmdb"
SEG=/fg-it-$$-degraded
printf 'fluxguard:\n    segment: "%s"\n    asn-db: "%s/broken.mmdb"\n    deny: h1.static.test\n' "$SEG" "$FG_WORK" > "$FG_WORK/fluxguard.conf"
fg_on_exit "rm -f /dev/shm/${SEG#/}"
check_degraded "unreadable ASN database" "running without ASNs and countries" mmdb
grep -q "fluxguard: degraded: .*broken.mmdb" "$FG_WORK/unbound.log" ||
    fg_fail "unreadable database: the reason is not logged"
out=$("$CONTROL" -s "$SEG" status) || fg_fail "status: $out"
echo "$out" | grep -q '^# health: degraded' || fg_fail "status does not show the health: $out"
echo "$out" | grep -q '^# degraded: .*broken.mmdb' || fg_fail "status does not name the database: $out"
"$CONTROL" -s "$SEG" stats_noreset | grep -qx 'fluxguard.health.degraded=1' || fg_fail "no degraded gauge"
"$CONTROL" -s "$SEG" stats --prometheus | grep -qx 'fluxguard_degraded 1' || fg_fail "no fluxguard_degraded 1 in the scrape"
stop_all mmdb
fg_log "resolution and deny lists unaffected, each degraded part logged and shown"
