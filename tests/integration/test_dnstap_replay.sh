#!/usr/bin/env bash
# The dry run agrees with the module: Unbound (the project's build, with
# --enable-dnstap) runs fluxguard against fg-testauthd, logs every upstream
# and client response to dnstap through a Frame Streams unix socket
# (fstrm_capture writes the file), and tcpdump captures its upstream
# traffic on loopback. Flux and benign names are resolved, each several
# times. Then fluxguard-replay replays the dnstap file and the capture, each
# into a segment of its own, with the module's fluxguard.conf: fluxguard-control
# list on the module's segment and on each replay's segment shows the same
# domains with the same scores, verdicts and answers, and the flux names are
# flagged in all three. (The module's segment also holds the aliases it
# blocked, with no answers of their own: enforcement state a dry run does
# not write, left out of the comparison.)
. "$FG_SRCDIR/tests/integration/lib.sh"

REPLAY=$FG_BUILDDIR/tools/fluxguard-replay
CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$REPLAY" "$CONTROL"
command -v fstrm_capture >/dev/null || fg_fail "fstrm_capture missing (package fstrm-bin; scripts/install-deps.sh)"
command -v tcpdump >/dev/null || fg_fail "tcpdump missing (scripts/install-deps.sh)"

SOCK=$FG_WORK/dnstap.sock
fstrm_capture -t protobuf:dnstap.Dnstap -u "$SOCK" -w "$FG_WORK/unbound.dnstap" \
    >>"$FG_WORK/fstrm_capture.log" 2>&1 &
CAPTURE_PID=$!
FG_PIDS+=($CAPTURE_PID)
fg_wait_for "fstrm_capture's socket" test -S "$SOCK"

# The stack as the enforcement tests run it (ASN fixtures, action refuse),
# with dnstap on: its clause goes after the server clause.
FG_SEGMENT=/fg-it-$$-$FG_TEST_NAME
fg_on_exit fg_unlink_segment
fixtures=$FG_WORK/mmdb
mkdir -p "$fixtures"
perl "$FG_SRCDIR/tests/fixtures/make-enforce-mmdb.pl" "$fixtures" || fg_fail "mmdb fixtures"
printf 'fluxguard:\n    segment: "%s"\n    capacity: 4096\n    asn-db: "%s"\n    country-db: "%s"\n    action: %s\n' \
    "$FG_SEGMENT" "$fixtures/asn.mmdb" "$fixtures/country.mmdb" "${FG_ACTION:-refuse}" >"$FG_WORK/fluxguard.conf"
export FLUXGUARD_CONF=$FG_WORK/fluxguard.conf
fg_start_authd "$FG_SRCDIR/tests/integration/scenarios/enforce.scn"

# tcpdump on the upstream port, before any query
tcpdump -i lo -U -n -w "$FG_WORK/upstream.pcap" "port $FG_AUTHD_PORT" \
    >>"$FG_WORK/tcpdump.log" 2>&1 &
TCPDUMP_PID=$!
FG_PIDS+=($TCPDUMP_PID)
fg_wait_for "tcpdump to listen" grep -q 'listening on' "$FG_WORK/tcpdump.log"

FG_STUB_ZONE="flux.test. other.test. dflux.test." FG_UPSTREAM_PORT=$FG_AUTHD_PORT \
    fg_write_unbound_conf
cat >>"$FG_WORK/unbound.conf" <<CONF
dnstap:
    dnstap-enable: yes
    dnstap-socket-path: "$SOCK"
    dnstap-send-identity: yes
    dnstap-log-resolver-response-messages: yes
    dnstap-log-client-response-messages: yes
CONF
fg_start_unbound

# Each name several times: the cache is flushed between rounds so that every
# query reaches the upstream (and the module) again. Flagged names are
# refused from then on, by the module's local zone, without an upstream query.
for round in 1 2 3 4; do
    for q in "bot.flux.test A" "bot.flux.test AAAA" "cdn.flux.test A" "cdn.flux.test AAAA" \
        "static.flux.test A" "www.other.test A" "www.dflux.test A" "alias.flux.test A"; do
        # shellcheck disable=SC2086
        fg_ask $q >/dev/null
    done
    for n in bot.flux.test cdn.flux.test static.flux.test www.other.test www.dflux.test alias.flux.test; do
        fg_unbound_control flush "$n" >/dev/null
    done
done
fg_unbound_log_has "flagged bot.flux.test." || fg_fail "the module flagged no bot.flux.test.: $(tail -n 20 "$FG_WORK/unbound.log")"

# Give Unbound's dnstap thread time to send what it queued (messages still
# queued at stop are lost), then stop Unbound and the collectors.
sleep 2
fg_stop_unbound
sleep 0.5
kill -TERM "$TCPDUMP_PID" "$CAPTURE_PID" 2>/dev/null
wait "$TCPDUMP_PID" "$CAPTURE_PID" 2>/dev/null
[ -s "$FG_WORK/unbound.dnstap" ] || fg_fail "no dnstap file: $(cat "$FG_WORK/fstrm_capture.log")"
[ -s "$FG_WORK/upstream.pcap" ] || fg_fail "no capture: $(cat "$FG_WORK/tcpdump.log")"
if command -v dnstap-ldns >/dev/null; then
    n=$(dnstap-ldns -r "$FG_WORK/unbound.dnstap" | grep -c ' RR ')
    fg_log "dnstap file: $n resolver responses (dnstap-ldns)"
fi

listing() { # segment
    "$CONTROL" -s "$1" list --all | awk 'NR > 1 && NF >= 5 && $4 > 0 {print $1, $2, $3, $4}' | sort
}
module=$(listing "$FG_SEGMENT") || fg_fail "fluxguard-control list on the module's segment failed"
echo "$module" | grep -q '^bot\.flux\.test\. [0-9.]* flagged ' || fg_fail "module list: bot.flux.test. not flagged: $module"
echo "$module" | grep -q '^cdn\.flux\.test\. [0-9.]* clean ' || fg_fail "module list: cdn.flux.test. not clean: $module"
fg_log "module: $(echo "$module" | tr '\n' ';')"

for input in unbound.dnstap upstream.pcap; do
    seg=$FG_WORK/replay-$input.seg
    "$REPLAY" --config "$FLUXGUARD_CONF" --dns-port "$FG_AUTHD_PORT" --segment "$seg" \
        "$FG_WORK/$input" >"$FG_WORK/replay-$input.out" 2>"$FG_WORK/replay-$input.err" ||
        fg_fail "replay of $input exited $?: $(cat "$FG_WORK/replay-$input.err")"
    got=$(listing "$seg") || fg_fail "fluxguard-control list on the replay segment of $input failed"
    [ "$got" = "$module" ] || fg_fail "replay of $input differs from the module:
--- module (domain score verdict answers)
$module
--- replay of $input
$got"
    fg_log "replay of $input: the same domains, scores and verdicts as the module"
    # show (one domain in full: every feature) agrees too, but for the
    # times, on the names whose counts are exact (beyond FG_TRACK_ADDRS
    # addresses and FG_TRACK_ASNS networks the tracker estimates, with a
    # hash keyed at random per segment, so two segments differ there)
    for d in www.dflux.test. static.flux.test.; do
        a=$("$CONTROL" -s "$FG_SEGMENT" show "$d" | grep -Ev 'seen|window|utc|UTC|time') 
        b=$("$CONTROL" -s "$seg" show "$d" | grep -Ev 'seen|window|utc|UTC|time')
        [ "$a" = "$b" ] || fg_fail "show $d differs between the module and the replay of $input:
$(diff <(echo "$a") <(echo "$b"))"
    done
done
