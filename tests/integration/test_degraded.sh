#!/usr/bin/env bash
# Never breaks resolution: a segment that cannot be created, or an ASN
# database that cannot be read, makes fluxguard pass every query through
# unchanged and say so once in the log; Unbound runs and answers.
. "$FG_SRCDIR/tests/integration/lib.sh"

check_passthrough() { # WHAT EXPECTED-LOG
    fg_start_nsd static.test. "$FG_SRCDIR/tests/integration/zones/static.test.zone"
    FG_STUB_ZONE=static.test. FG_UPSTREAM_PORT=$FG_NSD_PORT fg_write_unbound_conf
    fg_start_unbound
    [ "$(fg_answers "$FG_UNBOUND_PORT" www.static.test A)" = 192.0.2.10 ] ||
        fg_fail "$1: resolution broken"
    [ "$(fg_answers "$FG_UNBOUND_PORT" h1.static.test A)" = 198.51.100.2 ] ||
        fg_fail "$1: resolution broken"
    n=$(grep -c -- "$2" "$FG_WORK/unbound.log")
    [ "$n" = 1 ] || fg_fail "$1: expected one log line '$2', got $n: $(grep fluxguard "$FG_WORK/unbound.log")"
    grep -q "passing every query through unchanged" "$FG_WORK/unbound.log" ||
        fg_fail "$1: the log does not say fluxguard passes queries through"
    fg_stop_unbound
    for pid in "${FG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    FG_PIDS=()
    mv "$FG_WORK/unbound.log" "$FG_WORK/unbound-$3.log.old"
    unset FG_UNBOUND_PORT FG_CONTROL_PORT
}

printf 'fluxguard:\n    segment: "%s/no/such/dir/segment"\n' "$FG_WORK" > "$FG_WORK/fluxguard.conf"
export FLUXGUARD_CONF=$FG_WORK/fluxguard.conf
check_passthrough "unusable segment" "error: fluxguard: .*no/such/dir/segment" segment

printf 'not an mmdb' > "$FG_WORK/broken.mmdb"
printf 'fluxguard:\n    segment: "/fg-it-%s-degraded"\n    asn-db: "%s/broken.mmdb"\n' $$ "$FG_WORK" > "$FG_WORK/fluxguard.conf"
fg_on_exit "rm -f /dev/shm/fg-it-$$-degraded"
check_passthrough "unreadable ASN database" "error: fluxguard: .*broken.mmdb" mmdb
fg_log "resolution unaffected, one log line each"
