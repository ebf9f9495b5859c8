#!/usr/bin/env bash
# fluxguard-publish's zone-file backend, for primaries that take no updates:
# the whole zone written atomically from the segment's verdicts, the SOA
# serial one up each time, then rpz-reload-command (here knotc zone-reload
# on a Knot that loads the file as it is). A flag, a deny and an unflag on
# resolver A reach the primary within 5 s; the file is always a loadable zone
# (named-checkzone) and no temporary file is left beside it.
. "$FG_SRCDIR/tests/integration/lib.sh"
. "$FG_SRCDIR/tests/integration/rpz_lib.sh"

for t in knotd knotc kdig named-checkzone; do
    command -v "$t" >/dev/null || fg_fail "$t is not installed (scripts/install-deps.sh installs it)"
done

FG_B_PORT=9 # no consumer: Knot's NOTIFY goes nowhere
FG_KNOT_ZONEFILE_LOAD=whole FG_KNOT_JOURNAL=changes fg_rpz_start_knot
zonefile=$FG_WORK/knot/rpz.zone
reload="knotc -c $FG_WORK/knot/knot.conf zone-reload $FG_RPZ_ZONE >/dev/null && echo reloaded >>$FG_WORK/reloads"

fg_start_flux_stack "rpz-zone: $FG_RPZ_ZONE" "rpz-backend: zonefile" \
    "rpz-zonefile: \"$zonefile\"" "rpz-reload-command: \"$reload\"" \
    "rpz-resolver-id: resolver-a" "rpz-stats-file: \"$FG_WORK/publish.stats\""
"$FG_PUBLISH" -c "$FG_WORK/fluxguard.conf" >>"$FG_WORK/publish.log" 2>&1 &
publish_pid=$!
FG_PIDS+=($publish_pid)
fg_wait_for "the first zone file and reload" test -s "$FG_WORK/reloads"
serial1=$(sed -n 's/^; fluxguard-publish serial //p' "$zonefile")
[ -n "$serial1" ] || fg_fail "no serial line in the zone file: $(cat "$zonefile")"

# kdig's answer for a trigger on the primary: the CNAME target, or nothing.
trigger() {
    kdig -p "$FG_KNOT_PORT" @127.0.0.1 "$1.$FG_RPZ_ZONE" CNAME +short +norec 2>/dev/null
}
wait_trigger() {
    local name=$1 want=$2 what=$3 start
    start=$(date +%s)
    until [ "$(trigger "$name")" = "$want" ]; do
        [ $(( $(date +%s) - start )) -lt 5 ] || fg_fail "$what: $name.$FG_RPZ_ZONE is '$(trigger "$name")', not '$want', after 5 s"
        sleep 0.1
    done
}

fg_flag_bot
wait_trigger bot.flux.test "." "flag on A -> the primary"
[ "$(kdig -p "$FG_KNOT_PORT" @127.0.0.1 "*.bot.flux.test.$FG_RPZ_ZONE" CNAME +short +norec)" = "." ] ||
    fg_fail "no wildcard trigger for bot.flux.test"
"$FG_CONTROL" -c "$FG_WORK/fluxguard.conf" deny www.other.test >/dev/null || fg_fail "deny failed"
wait_trigger www.other.test "." "deny on A -> the primary"
"$FG_CONTROL" -c "$FG_WORK/fluxguard.conf" unflag bot.flux.test >/dev/null || fg_fail "unflag failed"
wait_trigger bot.flux.test "" "unflag on A -> the primary"

serial2=$(sed -n 's/^; fluxguard-publish serial //p' "$zonefile")
[ "$serial2" -gt "$serial1" ] || fg_fail "serial did not go up: $serial1 -> $serial2"
soa=$(kdig -p "$FG_KNOT_PORT" @127.0.0.1 "$FG_RPZ_ZONE" SOA +short | awk '{ print $3 }')
[ "$soa" = "$serial2" ] || fg_fail "Knot serves serial $soa, the file has $serial2"
named-checkzone -q "$FG_RPZ_ZONE" "$zonefile" || fg_fail "the zone file does not load: $(named-checkzone "$FG_RPZ_ZONE" "$zonefile")"
grep -q '^www.other.test._fluxguard.rpz.fluxguard.test. 60 IN TXT "fluxguard verdict=denied .*resolver=resolver-a' "$zonefile" ||
    fg_fail "no reason for the denied name in the file: $(cat "$zonefile")"
ls "$FG_WORK/knot" | grep -q '\.tmp\.' && fg_fail "a temporary file was left: $(ls "$FG_WORK/knot")"
fg_rpz_wait_stat rpz.updates -ge 3
fg_rpz_wait_stat rpz.published -ge 2
fg_rpz_wait_stat rpz.withdrawn -ge 1
fg_rpz_wait_stat rpz.last_serial -eq "$serial2"
fg_log "zone file: serial $serial1 -> $serial2, flag, deny and unflag on the primary within 5 s"

# SIGHUP with the backend switched to update: the backend stays as started
# (said in one line), the publisher lives on and still writes the zone file
echo "    rpz-backend: update" >> "$FG_WORK/fluxguard.conf"
kill -HUP "$publish_pid"
fg_wait_for "the SIGHUP's word on the backend" grep -q "those stay as started until a restart" "$FG_WORK/publish.log"
"$FG_CONTROL" -c "$FG_WORK/fluxguard.conf" deny www2.other.test >/dev/null || fg_fail "deny after SIGHUP failed"
wait_trigger www2.other.test "." "deny after a SIGHUP that asked for another backend"
kill -0 "$publish_pid" || fg_fail "the publisher died after SIGHUP: $(tail -5 "$FG_WORK/publish.log")"
fg_log "SIGHUP asking for another backend: kept the zone file backend, said so"

# What a segment names reaches the whole fleet: one that others could have
# written is refused.
printf 'forged' > "$FG_WORK/forged.seg"
chmod 666 "$FG_WORK/forged.seg"
"$FG_PUBLISH" -c "$FG_WORK/fluxguard.conf" -s "$FG_WORK/forged.seg" --once >"$FG_WORK/forged.log" 2>&1 &&
    fg_fail "a world-writable segment was published from"
grep -q "is writable by others: its contents could be forged" "$FG_WORK/forged.log" ||
    fg_fail "no refusal line: $(cat "$FG_WORK/forged.log")"
fg_log "a world-writable segment is refused"
