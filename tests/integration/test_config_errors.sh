#!/usr/bin/env bash
# A broken fluxguard.conf keeps Unbound from starting, with one log line
# `fluxguard: FILE:LINE: option: what is wrong`; so does a FLUXGUARD_CONF that
# names a missing file. Nothing is left running.
. "$FG_SRCDIR/tests/integration/lib.sh"

try_start() {
    FG_STUB_ZONE=static.test. FG_UPSTREAM_PORT=9 fg_write_unbound_conf
    set +e
    timeout 20 "$FG_UNBOUND" -d -c "$FG_WORK/unbound.conf" >"$FG_WORK/unbound-stderr.log" 2>&1
    rc=$?
    set -e
    [ $rc -ne 0 ] && [ $rc -ne 124 ] || fg_fail "Unbound started (or hung, rc=$rc) with $1"
}

printf 'fluxguard:\n    segment: "/fg-it-%s-cfg"\n    # a comment\n    threshold: high\n' $$ > "$FG_WORK/fluxguard.conf"
export FLUXGUARD_CONF=$FG_WORK/fluxguard.conf
try_start "a bad threshold"
want="fluxguard: $FG_WORK/fluxguard.conf:4: threshold: expected a number between 0 and 100, got \"high\""
n=$(grep -cF -- "$want" "$FG_WORK/unbound.log")
[ "$n" = 1 ] || fg_fail "expected one line '$want', got: $(cat "$FG_WORK/unbound.log")"

printf 'fluxguard:\n    actoin: refuse\n' > "$FG_WORK/fluxguard.conf"
: > "$FG_WORK/unbound.log"
try_start "an unknown option"
grep -q "fluxguard: $FG_WORK/fluxguard.conf:2: actoin: " "$FG_WORK/unbound.log" ||
    fg_fail "unknown option not reported with file:line: $(cat "$FG_WORK/unbound.log")"

export FLUXGUARD_CONF=$FG_WORK/missing.conf
: > "$FG_WORK/unbound.log"
try_start "a missing FLUXGUARD_CONF file"
grep -q "fluxguard: .*missing.conf" "$FG_WORK/unbound.log" ||
    fg_fail "missing file not reported: $(cat "$FG_WORK/unbound.log")"
[ ! -e /dev/shm/fg-it-$$-cfg ] || { rm -f /dev/shm/fg-it-$$-cfg; fg_fail "a segment was created by a failed start"; }
fg_log "bad configs stop Unbound with file:line"
