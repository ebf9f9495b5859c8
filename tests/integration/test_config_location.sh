#!/usr/bin/env bash
# fluxguard.conf is looked for next to the config file Unbound was started
# with (-c), not only next to the one Unbound was built with: with no
# FLUXGUARD_CONF, a fluxguard.conf beside the -c file is read (its deny entry
# blocks), and the start-up line names it.
. "$FG_SRCDIR/tests/integration/lib.sh"

fg_start_nsd static.test. "$FG_SRCDIR/tests/integration/zones/static.test.zone"
FG_SEGMENT=/fg-it-$$-$FG_TEST_NAME
fg_on_exit fg_unlink_segment
printf 'fluxguard:\n    segment: "%s"\n    capacity: 4096\n    deny: h1.static.test\n' "$FG_SEGMENT" \
    > "$FG_WORK/fluxguard.conf"
export FLUXGUARD_CONF=$FG_WORK/fluxguard.conf
FG_STUB_ZONE=static.test. FG_UPSTREAM_PORT=$FG_NSD_PORT fg_write_unbound_conf
unset FLUXGUARD_CONF
fg_start_unbound
fg_unbound_log_has "fluxguard: initialised .*config $FG_WORK/fluxguard.conf," ||
    fg_fail "the fluxguard.conf beside the -c file was not read: $(grep 'fluxguard: initialised' "$FG_WORK/unbound.log")"
[ "$(fg_ask h1.static.test A | fg_status_of)" = REFUSED ] || fg_fail "its deny entry does not block"
[ "$(fg_answers "$FG_UNBOUND_PORT" www.static.test A)" = 192.0.2.10 ] || fg_fail "resolution broken"
fg_log "fluxguard.conf found beside the -c file"
