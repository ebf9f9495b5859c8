#!/usr/bin/env bash
# A name resolves through Unbound with fluxguard from a local authoritative
# server (NSD), and Unbound's log shows fluxguard initialised.
. "$FG_SRCDIR/tests/integration/lib.sh"

fg_start_nsd static.test. "$FG_SRCDIR/tests/integration/zones/static.test.zone"
FG_STUB_ZONE=static.test. FG_UPSTREAM_PORT=$FG_NSD_PORT fg_write_unbound_conf
fg_start_unbound

fg_unbound_log_has "fluxguard: initialised" || fg_fail "Unbound's log lacks 'fluxguard: initialised'"
# With no option set, fluxguard monitors: the embedded defaults never block on a score.
fg_unbound_log_has "action log, threshold" || fg_fail "the embedded default action is not log"

got=$(fg_answers "$FG_UNBOUND_PORT" www.static.test A)
[ "$got" = "192.0.2.10" ] || fg_fail "www.static.test A: got '$got', expected 192.0.2.10"
got=$(fg_answers "$FG_UNBOUND_PORT" www.static.test AAAA)
[ "$got" = "2001:db8::10" ] || fg_fail "www.static.test AAAA: got '$got'"
got=$(fg_answers "$FG_UNBOUND_PORT" alias.static.test A)
[ "$got" = "192.0.2.10" ] || fg_fail "alias.static.test A (via CNAME): got '$got'"
rc=$(fg_rcode "$FG_UNBOUND_PORT" nope.static.test A)
[ "$rc" = "NXDOMAIN" ] || fg_fail "nope.static.test: rcode '$rc', expected NXDOMAIN"
# A second query is a cache hit: still the same answer.
got=$(fg_answers "$FG_UNBOUND_PORT" www.static.test A)
[ "$got" = "192.0.2.10" ] || fg_fail "cached www.static.test A: got '$got'"
fg_log "resolved through Unbound+fluxguard on port $FG_UNBOUND_PORT"
