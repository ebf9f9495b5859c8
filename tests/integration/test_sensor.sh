#!/usr/bin/env bash
# fluxguard-sensor beside a stock-style Unbound: the project's Unbound with
# module-config "validator iterator" (no dynlib: the module is not loaded)
# streams dnstap live to the sensor's Frame Streams unix socket (Unbound's
# bidirectional handshake: READY, ACCEPT, START). A flux name from
# fg-testauthd is flagged by the sensor, and fluxguard-control list and
# stats on the sensor's segment show it and the sensor's counters. A second
# sender (a unidirectional Frame Streams stream over TCP, written here)
# streams into the same sensor at the same time; a sender that breaks the
# protocol is cut off and counted, and the sensor keeps serving the others.
# fluxguard-publish follows the sensor's segment as it follows a module's:
# the flag reaches its RPZ zone file (the zone-file backend; the fleet tests
# cover the primary and the consumers).
. "$FG_SRCDIR/tests/integration/lib.sh"

SENSOR=$FG_BUILDDIR/tools/fluxguard-sensor
CONTROL=$FG_BUILDDIR/tools/fluxguard-control
PUBLISH=$FG_BUILDDIR/tools/fluxguard-publish
fg_require "$SENSOR" "$CONTROL" "$PUBLISH"

fixtures=$FG_WORK/mmdb
mkdir -p "$fixtures"
perl "$FG_SRCDIR/tests/fixtures/make-enforce-mmdb.pl" "$fixtures" || fg_fail "mmdb fixtures"
SEG=/fg-it-$$-sensor
cleanup_seg() { rm -f "/dev/shm/${SEG#/}"; }
fg_on_exit cleanup_seg
printf 'fluxguard:\n    segment: "%s"\n    capacity: 4096\n    asn-db: "%s"\n    country-db: "%s"\n' \
    "$SEG" "$fixtures/asn.mmdb" "$fixtures/country.mmdb" >"$FG_WORK/sensor.conf"
# what the publisher reads from the same file: a blocking action (monitor
# mode publishes no flags) and the zone-file backend
zonefile=$FG_WORK/rpz.zone
{
    echo "    action: nxdomain"
    echo "    rpz-zone: rpz.fluxguard.test"
    echo "    rpz-backend: zonefile"
    echo "    rpz-zonefile: \"$zonefile\""
    echo "    rpz-reload-command: \"true\""
    echo "    rpz-resolver-id: sensor-a"
} >>"$FG_WORK/sensor.conf"

SOCK=$FG_WORK/sensor.sock
TCP_PORT=$(fg_free_port)
"$SENSOR" -c "$FG_WORK/sensor.conf" -u "$SOCK" -t "127.0.0.1:$TCP_PORT" \
    >>"$FG_WORK/sensor.log" 2>&1 &
SENSOR_PID=$!
FG_PIDS+=($SENSOR_PID)
fg_wait_for "the sensor to be ready" grep -q 'ready' "$FG_WORK/sensor.log"
"$PUBLISH" -c "$FG_WORK/sensor.conf" >>"$FG_WORK/publish.log" 2>&1 &
FG_PIDS+=($!)
fg_wait_for "the publisher's first zone file" test -s "$zonefile"

# Unbound without fluxguard: no dynlib in module-config (FLUXGUARD_CONF is
# set, to the sensor's, so that the shared config writer makes no segment)
export FLUXGUARD_CONF=$FG_WORK/sensor.conf
fg_start_authd "$FG_SRCDIR/tests/integration/scenarios/enforce.scn"
FG_MODULE_CONFIG="validator iterator" FG_STUB_ZONE="flux.test. other.test." \
    FG_UPSTREAM_PORT=$FG_AUTHD_PORT fg_write_unbound_conf
cat >>"$FG_WORK/unbound.conf" <<CONF
dnstap:
    dnstap-enable: yes
    dnstap-socket-path: "$SOCK"
    dnstap-log-resolver-response-messages: yes
    dnstap-log-client-response-messages: yes
CONF
fg_start_unbound
fg_unbound_log_has "init module 0: validator" || fg_fail "Unbound did not start without dynlib"
fg_unbound_log_has "dynlib" && fg_fail "Unbound loaded dynlib"

# a second sender at the same time: unidirectional over TCP, holding its
# connection open while Unbound streams
python3 - "$TCP_PORT" "$FG_WORK/tcp-sender.done" <<'PY' &
import socket, struct, sys, time
CT = b"protobuf:dnstap.Dnstap"
def ctrl(t, ct=None):
    body = struct.pack("!I", t)
    if ct is not None:
        body += struct.pack("!II", 1, len(ct)) + ct
    return struct.pack("!II", 0, len(body)) + body
def pb(num, wt, v):
    key = bytes([(num << 3) | wt])
    if wt == 0:
        out = b""
        while True:
            b = v & 0x7f; v >>= 7
            out += bytes([b | (0x80 if v else 0)])
            if not v: break
        return key + out
    return key + bytes([len(v)]) + v if len(v) < 128 else None
# one RESOLVER_RESPONSE: tcp.other.test. A 192.0.2.7
dns = struct.pack("!HHHHHH", 7, 0x8180, 1, 1, 0, 0) + b"\x03tcp\x05other\x04test\x00" + \
    struct.pack("!HH", 1, 1) + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes([192, 0, 2, 7])
msg = pb(1, 0, 4) + pb(12, 0, int(time.time())) + pb(14, 2, dns)
frame = pb(14, 2, msg) + pb(15, 0, 1)
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(ctrl(2, CT))
for _ in range(3):
    s.sendall(struct.pack("!I", len(frame)) + frame)
    time.sleep(0.3)
s.sendall(ctrl(3))
time.sleep(0.2)
s.close()
open(sys.argv[2], "w").close()
PY
SENDER_PID=$!
FG_PIDS+=($SENDER_PID)

for round in 1 2 3; do
    for q in "bot.flux.test A" "bot.flux.test AAAA" "cdn.flux.test A" "static.flux.test A" "www.other.test A"; do
        # shellcheck disable=SC2086
        fg_ask $q >/dev/null
    done
    for n in bot.flux.test cdn.flux.test static.flux.test www.other.test; do
        fg_unbound_control flush "$n" >/dev/null
    done
done

flagged() { "$CONTROL" -s "$SEG" list --flagged 2>/dev/null | grep -q '^bot\.flux\.test\. '; }
fg_wait_for "the sensor to flag bot.flux.test." flagged
out=$("$CONTROL" -s "$SEG" list) || fg_fail "fluxguard-control list on the sensor's segment failed"
echo "$out" | grep -Eq '^bot\.flux\.test\. +[0-9.]+ flagged ' || fg_fail "list: $out"
echo "$out" | grep -Eq '^static\.flux\.test\. +0\.0 clean ' || fg_fail "static.flux.test. not clean: $out"
grep -q 'flagged bot.flux.test.' "$FG_WORK/sensor.log" || fg_fail "the sensor did not log the flag"
published() { grep -Eq '^bot\.flux\.test\.rpz\.fluxguard\.test\.[[:space:]]+[0-9]+[[:space:]]+IN[[:space:]]+CNAME[[:space:]]+\.$' "$zonefile"; }
FG_WAIT=5 fg_wait_for "the sensor's flag in the publisher's RPZ zone file" published
grep -q 'bot.flux.test._fluxguard.rpz.fluxguard.test. .*verdict=flagged .*resolver=sensor-a' "$zonefile" ||
    fg_fail "no reason for bot.flux.test. in the zone file: $(cat "$zonefile")"
fg_log "the sensor flagged bot.flux.test.: $(echo "$out" | grep '^bot')"

fg_wait_for "the TCP sender to finish" test -e "$FG_WORK/tcp-sender.done"
tcpseen() { "$CONTROL" -s "$SEG" list --all | grep -q '^tcp\.other\.test\. '; }
fg_wait_for "the TCP sender's answers in the segment" tcpseen

# a sender that breaks the protocol: cut off, counted, the others unharmed
python3 - "$SOCK" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(struct.pack("!I", 5) + b"hello")   # a data frame before START
s.settimeout(5)
assert s.recv(100) == b""                     # closed by the sensor
PY
[ $? -eq 0 ] || fg_fail "a protocol error did not close the connection"
kill -0 "$SENSOR_PID" || fg_fail "the sensor died"

stats=$("$CONTROL" -s "$SEG" stats) || fg_fail "fluxguard-control stats failed"
val() { echo "$stats" | sed -n "s/^fluxguard\.$1=//p"; }
[ "$(val sensor.connections)" -ge 3 ] || fg_fail "sensor.connections: $(val sensor.connections)"
[ "$(val sensor.frames)" -ge 10 ] || fg_fail "sensor.frames: $(val sensor.frames)"
[ "$(val sensor.responses)" -ge 10 ] || fg_fail "sensor.responses: $(val sensor.responses)"
[ "$(val sensor.protocol_errors)" -ge 1 ] || fg_fail "sensor.protocol_errors: $(val sensor.protocol_errors)"
[ "$(val sensor.dropped)" = 0 ] || fg_fail "sensor.dropped: $(val sensor.dropped)"
[ "$(val domains.newly_flagged)" -ge 1 ] || fg_fail "domains.newly_flagged: $(val domains.newly_flagged)"
fg_log "stats: $(echo "$stats" | grep -E '^fluxguard\.sensor\.' | tr '\n' ' ')"

# Unbound stops: it sends STOP; then the sensor stops on SIGTERM and
# removes its socket
fg_stop_unbound
kill -TERM "$SENSOR_PID"
for _ in $(seq 50); do kill -0 "$SENSOR_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$SENSOR_PID" 2>/dev/null && fg_fail "the sensor did not stop on SIGTERM"
wait "$SENSOR_PID"
rc=$?
[ "$rc" -eq 0 ] || fg_fail "the sensor exited $rc: $(tail -n 5 "$FG_WORK/sensor.log")"
[ -e "$SOCK" ] && fg_fail "the sensor left its socket"
grep -qi 'sanitizer' "$FG_WORK/sensor.log" && fg_fail "sanitizer report: $(cat "$FG_WORK/sensor.log")"
fg_log "sensor stopped cleanly"
