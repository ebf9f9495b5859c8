#!/usr/bin/env bash
# A fleet of resolvers: resolver A (Unbound + fluxguard, action refuse) flags
# a flux name; fluxguard-publish writes it into a Response Policy Zone on Knot
# DNS by TSIG-signed DNS UPDATE; resolver B (Unbound WITHOUT fluxguard, rpz:
# clause) and a BIND 9 consumer (response-policy) then block it. Measured:
# flag -> block on B within 5 s; deny on A -> block on B within 5 s;
# allow/unflag -> resolves again on B within 5 s; B keeps its blocks over a
# restart; Knot restarted while verdicts keep coming holds exactly the
# segment's verdicts afterwards, and serves later transfers as IXFR; the deny
# lists' names are published (an exact: entry without its subtree); SIGHUP
# reads the config again; a second publisher into the zone leaves the first
# one's entries; a wrong TSIG secret is one clear log line.
. "$FG_SRCDIR/tests/integration/lib.sh"
. "$FG_SRCDIR/tests/integration/rpz_lib.sh"

for t in knotd kdig named dig; do
    command -v "$t" >/dev/null || fg_fail "$t is not installed (scripts/install-deps.sh installs it)"
done

FG_B_PORT=$(fg_free_port)
FG_BIND_PORT=$(fg_free_port)
FG_KNOT_PORT=$(fg_free_port)
fg_rpz_start_knot

# Resolver A with the publisher's options in its fluxguard.conf, and a deny
# list: its names are published too, an exact: entry without its subtree.
mapfile -t rpz_lines < <(fg_rpz_conf_lines)
fg_start_flux_stack "${rpz_lines[@]}" 'deny: "listed.down.test"' 'deny: "exact:only.down.test"'
fg_rpz_start_publisher
rr() { kdig -p "$FG_KNOT_PORT" @127.0.0.1 "$1.$FG_RPZ_ZONE" "$2" +short +norec; }
[ "$(rr listed.down.test CNAME)" = . ] || fg_fail "deny-listed name not published"
[ "$(rr '*.listed.down.test' CNAME)" = . ] || fg_fail "deny-listed name's subtree not published"
[ "$(rr only.down.test CNAME)" = . ] || fg_fail "exact: deny entry not published"
[ -z "$(rr '*.only.down.test' CNAME)" ] || fg_fail "exact: deny entry published with its subtree"
rr listed.down.test._fluxguard TXT | grep -q 'verdict=deny-list' || fg_fail "no deny-list reason"

# Resolver B and BIND consume the zone from Knot.
fg_rpz_write_b
fg_rpz_start_b
mkdir -p "$FG_WORK/bind"
# BIND on a port picked just before it starts, and picked again if another
# process took it meanwhile (a port free at one moment may be some
# resolver's query port the next). Knot's NOTIFY goes to the port picked at
# the start, so BIND also asks Knot for the serial every second or two
# (min/max-refresh-time) and needs no NOTIFY to follow the zone.
write_named_conf() {
    cat > "$FG_WORK/bind/named.conf" <<CONF
options {
    directory "$FG_WORK/bind";
    pid-file "$FG_WORK/bind/named.pid";
    session-keyfile "$FG_WORK/bind/session.key";
    managed-keys-directory "$FG_WORK/bind";
    listen-on port $FG_BIND_PORT { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion yes;
    allow-query { 127.0.0.1; };
    dnssec-validation no;
    notify no;
    response-policy { zone "$FG_RPZ_ZONE" min-update-interval 0; } qname-wait-recurse no;
};
controls { };
zone "." { type forward; forward only; forwarders { 127.0.0.1 port $FG_AUTHD_PORT; }; };
zone "$FG_RPZ_ZONE" {
    type secondary;
    primaries { 127.0.0.1 port $FG_KNOT_PORT; };
    file "$FG_WORK/bind/rpz.db";
    min-refresh-time 1;
    max-refresh-time 2;
};
CONF
    named-checkconf "$FG_WORK/bind/named.conf" || fg_fail "named-checkconf rejected the BIND config"
}
# BIND is ready when it logs "running" (the line alone, not "running as:")
bind_ready() { grep -Eq ' running$' "$FG_WORK/named.log"; }
bind_gone() { ! kill -0 "$1" 2>/dev/null; }
for attempt in 1 2 3; do
    write_named_conf
    : >"$FG_WORK/named.log"
    named -g -n 1 -c "$FG_WORK/bind/named.conf" >>"$FG_WORK/named.log" 2>&1 &
    bind_pid=$!
    FG_PIDS+=($bind_pid)
    for _ in $(seq 200); do bind_ready && break; bind_gone "$bind_pid" && break; sleep 0.1; done
    bind_ready && break
    grep -q 'unable to listen on any configured interfaces' "$FG_WORK/named.log" ||
        fg_fail "BIND did not start: $(tail -5 "$FG_WORK/named.log")"
    wait "$bind_pid" 2>/dev/null
    fg_forget_pid "$bind_pid"
    fg_log "BIND's port $FG_BIND_PORT was taken; another"
    FG_BIND_PORT=$(fg_free_port)
done
bind_ready || fg_fail "BIND could not listen on three free ports"

# Before anything is flagged both consumers resolve the flux name.
[ "$(fg_b_status bot.flux.test)" = NOERROR ] || fg_fail "B blocks bot.flux.test before any flag"
[ "$(fg_b_status www.other.test)" = NOERROR ] || fg_fail "B does not resolve www.other.test"

# A flags bot.flux.test; B answers it with the RPZ action (refuse is
# published as nxdomain) within 5 s, and names below it too. First a moment
# for the consumers' start-up transfers and Knot's NOTIFY of that serial to
# settle: in about one run in fifteen under load, an Unbound 1.17.1 whose
# start-up AXFR crossed that NOTIFY applied the next IXFR to its zone (and
# zone file) but did not match the new trigger for seconds afterwards; the
# flag-to-block time is measured from a settled fleet, as in operation.
sleep 2
fg_flag_bot
fg_rpz_expect "$FG_B_PORT" bot.flux.test NXDOMAIN 5 "flag on A -> block on B"
fg_log "flag -> NXDOMAIN on B in ${FG_RPZ_MS} ms"
[ "$(fg_b_status deep.bot.flux.test)" = NXDOMAIN ] || fg_fail "B does not block below bot.flux.test"
[ "$(fg_b_status www.other.test)" = NOERROR ] || fg_fail "B blocks an unrelated name"
[ "$(fg_b_status static.flux.test)" = NOERROR ] || fg_fail "B blocks static.flux.test"
grep -q "rpz: applied \[fleet\] bot.flux.test." "$FG_WORK/unbound-b.log" ||
    fg_fail "B's log does not show the RPZ hit"
# The reason is in the zone for B's operator to see.
why=$(kdig -p "$FG_KNOT_PORT" @127.0.0.1 bot.flux.test._fluxguard.$FG_RPZ_ZONE TXT +short)
echo "$why" | grep -q 'verdict=flagged score=[0-9.]* first-flagged=20[0-9-]*T[0-9:]*Z resolver=resolver-a action=refuse rpz=nxdomain' ||
    fg_fail "no reason TXT for bot.flux.test: '$why'"

# BIND blocks the same name: the zone is plain RPZ.
fg_rpz_expect "$FG_BIND_PORT" bot.flux.test NXDOMAIN 10 "BIND consumer"
fg_log "BIND blocks bot.flux.test (${FG_RPZ_MS} ms after B)"
[ "$(dig +tries=1 +time=2 -p "$FG_BIND_PORT" @127.0.0.1 www.other.test A | fg_status_of)" = NOERROR ] ||
    fg_fail "BIND does not resolve www.other.test"

# An operator's deny on A blocks on B within 5 s.
"$FG_CONTROL" -c "$FG_WORK/fluxguard.conf" deny www.other.test >/dev/null ||
    fg_fail "fluxguard-control deny failed"
fg_rpz_expect "$FG_B_PORT" www.other.test NXDOMAIN 5 "deny on A -> block on B"
fg_log "deny -> NXDOMAIN on B in ${FG_RPZ_MS} ms"

# B restarted: its blocks hold (zone file, then a transfer).
fg_rpz_stop_b
fg_rpz_start_b
[ "$(fg_b_status bot.flux.test)" = NXDOMAIN ] || fg_fail "B lost the flag over its restart"
[ "$(fg_b_status www.other.test)" = NXDOMAIN ] || fg_fail "B lost the deny over its restart"

# allow and unflag on A: B resolves the names again within 5 s.
"$FG_CONTROL" -c "$FG_WORK/fluxguard.conf" allow www.other.test >/dev/null ||
    fg_fail "fluxguard-control allow failed"
fg_rpz_expect "$FG_B_PORT" www.other.test NOERROR 5 "allow on A -> resolves on B"
fg_log "allow -> resolves on B in ${FG_RPZ_MS} ms"
"$FG_CONTROL" -c "$FG_WORK/fluxguard.conf" unflag bot.flux.test >/dev/null ||
    fg_fail "fluxguard-control unflag failed"
fg_rpz_expect "$FG_B_PORT" bot.flux.test NOERROR 5 "unflag on A -> resolves on B"
fg_log "unflag -> resolves on B in ${FG_RPZ_MS} ms"

# Knot restarted while verdicts keep coming: nothing is lost.
serial_before=$(kdig -p "$FG_KNOT_PORT" @127.0.0.1 $FG_RPZ_ZONE SOA +short | awk '{ print $3 }')
fg_rpz_stop_knot
for i in 1 2 3 4 5; do
    "$FG_CONTROL" -c "$FG_WORK/fluxguard.conf" deny "n$i.down.test" >/dev/null ||
        fg_fail "deny n$i.down.test while Knot is down"
done
"$FG_CONTROL" -c "$FG_WORK/fluxguard.conf" allow n5.down.test >/dev/null
fg_wait_for "the publisher to notice Knot is down" grep -q "retrying with backoff" "$FG_WORK/publish.log"
fg_rpz_wait_stat rpz.errors -ge 1
fg_rpz_wait_stat rpz.primary_up -eq 0
fg_rpz_start_knot
expected=$(printf '%s\n' n1.down.test n2.down.test n3.down.test n4.down.test listed.down.test only.down.test | sort)
FG_WAIT=15 fg_wait_for "the zone to hold exactly the segment's verdicts" \
    sh -c "[ \"\$(kdig -p $FG_KNOT_PORT @127.0.0.1 -y hmac-sha256:fluxguard-publish:$FG_TSIG_SECRET $FG_RPZ_ZONE AXFR +noall +answer | awk -v z='.$FG_RPZ_ZONE.' '\$4 == \"CNAME\" && \$1 !~ /^\\*\\./ { sub(z \"\$\", \"\", \$1); print \$1 }' | sort -u)\" = \"$expected\" ]"
got=$(fg_rpz_zone_names)
[ "$got" = "$expected" ] || fg_fail "zone after Knot's restart: '$got', segment says '$expected'"
# each entry whole: trigger, wildcard and reason
n=$(kdig -p "$FG_KNOT_PORT" @127.0.0.1 -y "hmac-sha256:fluxguard-publish:$FG_TSIG_SECRET" \
    $FG_RPZ_ZONE AXFR +noall +answer | grep -c 'down\.test\.')
[ "$n" = 17 ] || fg_fail "expected 17 records for 6 entries (one exact) after the restart, got $n"
fg_rpz_expect "$FG_B_PORT" n1.down.test NXDOMAIN 5 "after Knot's restart"
fg_rpz_wait_stat rpz.primary_up -eq 1
grep -q "primary 127.0.0.1@$FG_KNOT_PORT answers again" "$FG_WORK/publish.log" ||
    fg_fail "the publisher did not log the primary's return"
# One log line for the outage, not one per retry.
n=$(grep -c "retrying with backoff" "$FG_WORK/publish.log")
[ "$n" = 1 ] || fg_fail "the outage was logged $n times"

# Transfers after the first are incremental: an IXFR from the serial before
# the restart is answered from Knot's journal, and B's transfers were IXFR.
ixfr=$(kdig -p "$FG_KNOT_PORT" @127.0.0.1 "$FG_RPZ_ZONE" IXFR="$serial_before" +noall +answer)
nsoa=$(echo "$ixfr" | awk '$4 == "SOA"' | wc -l)
[ "$nsoa" -ge 4 ] || fg_fail "IXFR from serial $serial_before is no incremental transfer: $ixfr"
grep -q "IXFR, outgoing" "$FG_WORK/knot.log" || fg_fail "Knot served no IXFR to the consumers"

# SIGHUP reads the config again: a deny added to the file is published.
echo '    deny: "hup.down.test"' >> "$FG_WORK/fluxguard.conf"
kill -HUP "$FG_PUBLISH_PID"
FG_WAIT=5 fg_wait_for "a deny added by SIGHUP" sh -c "[ \"\$(kdig -p $FG_KNOT_PORT @127.0.0.1 hup.down.test.$FG_RPZ_ZONE CNAME +short +norec)\" = . ]"

# Stats in fluxguard-control's style.
fg_rpz_wait_stat rpz.published -ge 6
fg_rpz_wait_stat rpz.withdrawn -ge 2
fg_rpz_wait_stat rpz.pending -eq 0
fg_rpz_wait_stat rpz.reconciles -ge 2
fg_rpz_wait_stat rpz.last_serial -gt "$serial_before"

# A second publisher into the same zone (resolver-c, on a segment of its own
# that holds no verdicts): its reconciliation withdraws nothing of
# resolver-a's and rewrites nothing that is already there.
seg2=/fg-it-$$-c
fg_on_exit "rm -f /dev/shm/${seg2#/}"
"$FG_BUILDDIR/bench/rpz_bench" latency "$seg2" 9 0 1 >/dev/null || fg_fail "cannot create a second segment"
sed 's/rpz-resolver-id: resolver-a/rpz-resolver-id: resolver-c/; s|rpz-stats-file: .*|rpz-stats-file: "'"$FG_WORK"'/c.stats"|' \
    "$FG_WORK/fluxguard.conf" > "$FG_WORK/c.conf"
before=$(fg_rpz_zone_names)
"$FG_PUBLISH" -c "$FG_WORK/c.conf" -s "$seg2" --once >"$FG_WORK/c.log" 2>&1 ||
    fg_fail "second publisher: $(cat "$FG_WORK/c.log")"
grep -q "0 written, 0 withdrawn" "$FG_WORK/c.log" || fg_fail "second publisher changed the zone: $(cat "$FG_WORK/c.log")"
[ "$(fg_rpz_zone_names)" = "$before" ] || fg_fail "second publisher changed the entries: $(fg_rpz_zone_names)"

# A wrong TSIG secret: one clear line, and no change to the zone.
sed 's|rpz-tsig-secret-file: .*|rpz-tsig-secret-file: "'"$FG_WORK"'/wrong.secret"|' \
    "$FG_WORK/fluxguard.conf" > "$FG_WORK/wrong.conf"
head -c 32 /dev/urandom | base64 > "$FG_WORK/wrong.secret"
"$FG_PUBLISH" -c "$FG_WORK/wrong.conf" --once >"$FG_WORK/wrong.log" 2>&1 &&
    fg_fail "a publisher with a wrong TSIG secret reported success"
grep -q "TSIG failure" "$FG_WORK/wrong.log" || fg_fail "no TSIG failure line: $(cat "$FG_WORK/wrong.log")"
fg_log "wrong secret: $(grep TSIG "$FG_WORK/wrong.log" | cut -c1-200)"
n=$(grep -c "TSIG" "$FG_WORK/wrong.log")
[ "$n" = 1 ] || fg_fail "the TSIG failure took $n lines"
fg_log "fleet: flag, deny, allow, unflag reach B and BIND; restarts lose nothing"
