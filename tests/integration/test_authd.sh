#!/usr/bin/env bash
# fg-testauthd on its own, asked with drill: the test server the other
# integration tests put behind Unbound answers the way they count on. Static
# data, rotating address sets (window size, TTL, wrap-round), a CNAME onto a
# rotating name, a rotating apex NS set with glue and a rotating referral
# (double flux), wildcards (a set, a CNAME, an existing name left alone),
# NXDOMAIN and NODATA with the SOA, REFUSED outside its zones,
# TCP, the query log, surviving garbage, a clean exit on SIGTERM, and -c.

# No Unbound here; lib.sh insists on knowing where it is all the same.
: "${FG_UNBOUND_PREFIX:=/nonexistent}"
. "$FG_SRCDIR/tests/integration/lib.sh"

SCN=$FG_SRCDIR/tests/authd/scenarios/basic.scn
fg_require "$FG_AUTHD" "$SCN"

# --- -c: the example parses, errors name file and line ----------------------
"$FG_AUTHD" -c -f "$SCN" || fg_fail "-c rejected $SCN"
cat > "$FG_WORK/bad.scn" <<'EOF'
zone bad.test.
@ NS ns
rotate www A 10.0.0.0/8 per-answer=5
EOF
if out=$("$FG_AUTHD" -c -f "$FG_WORK/bad.scn" 2>&1); then
    fg_fail "-c accepted a /8 without count="
fi
case $out in
    *"bad.scn:3: "*) ;;
    *) fg_fail "-c error lacks FILE:LINE: '$out'" ;;
esac

fg_start_authd "$SCN"
P=$FG_AUTHD_PORT
AUTHD_PID=${FG_PIDS[${#FG_PIDS[@]}-1]}
fg_log "fg-testauthd pid $AUTHD_PID on port $P"

# The records of one section of drill's output on stdin: SECTION is ANSWER,
# AUTHORITY or ADDITIONAL.
section() {
    awk -v s=";; $1 SECTION:" '$0 == s { on = 1; next } /^;;/ { on = 0 }
        on && NF >= 5'
}
# Field F of the records of TYPE in a section, sorted.
field() {
    awk -v t="$1" -v f="$2" '$4 == t { print $f }' | sort
}
count() { grep -c . || true; }

# --- static data ----------------------------------------------------------
got=$(fg_answers "$P" static.flux.test A)
[ "$got" = "192.0.2.1" ] || fg_fail "static.flux.test A: got '$got', expected 192.0.2.1"
out=$(fg_dig "$P" static.flux.test A)
echo "$out" | grep -q '^;; flags: qr aa ' || fg_fail "static.flux.test A: no AA bit: $out"
got=$(fg_answers "$P" static.flux.test AAAA)
[ "$got" = "2001:db8::1" ] || fg_fail "static.flux.test AAAA: got '$got'"
got=$(fg_dig "$P" txt.flux.test TXT | section ANSWER | field TXT 5)
[ "$got" = '"fg-testauthd' ] || fg_fail "txt.flux.test TXT: got '$got'"

# --- rotating addresses -----------------------------------------------------
out1=$(fg_dig "$P" www.flux.test A | section ANSWER)
out2=$(fg_dig "$P" www.flux.test A | section ANSWER)
a1=$(echo "$out1" | field A 5)
a2=$(echo "$out2" | field A 5)
[ "$(echo "$a1" | count)" = 5 ] || fg_fail "www.flux.test A: expected 5 addresses (per-answer=5), got: $a1"
[ "$(echo "$a2" | count)" = 5 ] || fg_fail "www.flux.test A, 2nd: expected 5 addresses, got: $a2"
[ "$a1" != "$a2" ] || fg_fail "www.flux.test A: two queries gave the same set: $a1"
[ -z "$(comm -12 <(echo "$a1") <(echo "$a2"))" ] ||
    fg_fail "www.flux.test A: consecutive windows overlap: '$a1' / '$a2'"
ttls=$(echo "$out1" | field A 2 | uniq)
[ "$ttls" = 60 ] || fg_fail "www.flux.test A: TTLs '$ttls', expected 60"
echo "$a1" | grep -qv '^10\.' && fg_fail "www.flux.test A: address outside 10/8: $a1"
# step=65536 puts every address of a window in a /16 of its own.
[ "$(echo "$a1" | cut -d. -f1-2 | sort -u | count)" = 5 ] ||
    fg_fail "www.flux.test A: expected 5 distinct /16s, got: $a1"

a6=$(fg_dig "$P" www.flux.test AAAA | section ANSWER | field AAAA 5)
[ "$(echo "$a6" | count)" = 4 ] || fg_fail "www.flux.test AAAA: expected 4 addresses, got: $a6"
echo "$a6" | grep -qv '^2001:db8:f::' && fg_fail "www.flux.test AAAA: outside 2001:db8:f::/64: $a6"

# A pool of three, two per answer: the window wraps round.
s1=$(fg_answers "$P" small.flux.test A | tr '\n' ' ')
s2=$(fg_answers "$P" small.flux.test A | tr '\n' ' ')
s3=$(fg_answers "$P" small.flux.test A | tr '\n' ' ')
[ "$s1|$s2|$s3" = "192.0.2.10 192.0.2.11 |192.0.2.10 192.0.2.12 |192.0.2.11 192.0.2.12 " ] ||
    fg_fail "small.flux.test A windows: '$s1' '$s2' '$s3'"
ttl=$(fg_dig "$P" small.flux.test A | section ANSWER | field A 2 | uniq)
[ "$ttl" = 20 ] || fg_fail "small.flux.test A: TTL '$ttl', expected 20"

# --- CNAME onto a rotating name, followed in the answer ----------------------
ans=$(fg_dig "$P" alias.flux.test A | section ANSWER)
[ "$(echo "$ans" | field CNAME 5)" = "www.flux.test." ] || fg_fail "alias.flux.test: no CNAME in: $ans"
[ "$(echo "$ans" | field A 5 | count)" = 5 ] || fg_fail "alias.flux.test: expected 5 A after the CNAME: $ans"

# --- wildcards: synthesised with the query name as owner ----------------------
ans=$(fg_dig "$P" a.b.wild.flux.test A | section ANSWER)
[ "$(echo "$ans" | awk '$4 == "A" { print $1 }')" = "a.b.wild.flux.test." ] || fg_fail "wildcard A: owner not the query name: $ans"
echo "$ans" | field A 5 | grep -q '^192\.0\.2\.2[0-2]$' || fg_fail "wildcard A: not from the wildcard's set: $ans"
[ "$(fg_answers "$P" real.wild.flux.test A)" = 192.0.2.29 ] || fg_fail "an existing name below a wildcard was synthesised"
[ "$(fg_rcode "$P" x.real.wild.flux.test A)" = NXDOMAIN ] || fg_fail "below an existing name: not NXDOMAIN (its closest encloser has no wildcard)"
out=$(fg_dig "$P" x.wild.flux.test MX)
echo "$out" | grep -q 'rcode: NOERROR' || fg_fail "wildcard NODATA: wrong rcode: $out"
ans=$(fg_dig "$P" q.walias.flux.test A | section ANSWER)
[ "$(echo "$ans" | awk '$4 == "CNAME" { print $1, $5 }')" = "q.walias.flux.test. www.flux.test." ] || fg_fail "wildcard CNAME: $ans"
[ "$(echo "$ans" | field A 5 | count)" = 5 ] || fg_fail "wildcard CNAME not followed: $ans"

# --- negative answers ---------------------------------------------------------
out=$(fg_dig "$P" nope.flux.test A)
[ "$(fg_rcode "$P" nope.flux.test A)" = NXDOMAIN ] || fg_fail "nope.flux.test: not NXDOMAIN: $out"
echo "$out" | section AUTHORITY | grep -q 'IN[[:space:]]*SOA' || fg_fail "NXDOMAIN without SOA: $out"
echo "$out" | grep -q '^;; flags: qr aa ' || fg_fail "NXDOMAIN without AA: $out"
out=$(fg_dig "$P" static.flux.test MX)
echo "$out" | grep -q 'rcode: NOERROR' || fg_fail "NODATA: wrong rcode: $out"
[ -z "$(echo "$out" | section ANSWER)" ] || fg_fail "NODATA with an answer: $out"
echo "$out" | section AUTHORITY | grep -q 'IN[[:space:]]*SOA' || fg_fail "NODATA without SOA: $out"
[ "$(fg_rcode "$P" www.example.com A)" = REFUSED ] || fg_fail "a name outside every zone was not REFUSED"

# --- double flux: the apex NS set rotates, with glue --------------------------
# WHAT: two responses, OUT1 and OUT2, whose SECTION holds a rotating NS set:
# WANT servers each, another set the second time, and A glue in the
# additional section for every server of the first.
ns_rotates() { # WHAT SECTION WANT OUT1 OUT2
    local what=$1 sec=$2 want=$3 out1=$4 out2=$5 n1 n2 ns
    n1=$(echo "$out1" | section "$sec" | field NS 5)
    n2=$(echo "$out2" | section "$sec" | field NS 5)
    [ "$(echo "$n1" | count)" = "$want" ] || fg_fail "$what: expected $want NS, got: $out1"
    [ "$n1" != "$n2" ] || fg_fail "$what: the NS set did not rotate: $n1"
    for ns in $n1; do
        echo "$out1" | section ADDITIONAL | awk -v n="$ns" '$1 == n && $4 == "A"' |
            grep -q . || fg_fail "$what: glue missing for $ns: $out1"
    done
}
out1=$(fg_dig "$P" dflux.test NS)
out2=$(fg_dig "$P" dflux.test NS)
ns_rotates "dflux.test NS" ANSWER 3 "$out1" "$out2"
[ "$(echo "$out1" | section ANSWER | field NS 2 | uniq)" = 120 ] || fg_fail "dflux.test NS: TTL not 120: $out1"

# A referral to a child with a rotating NS set: no AA, NS and glue.
out1=$(fg_dig "$P" www.sub.dflux.test A)
out2=$(fg_dig "$P" www.sub.dflux.test A)
echo "$out1" | grep -q '^;; flags: qr aa ' && fg_fail "referral with AA: $out1"
ns_rotates "referral" AUTHORITY 2 "$out1" "$out2"

# --- TCP ------------------------------------------------------------------------
got=$(fg_dig "$P" static.flux.test A -t | section ANSWER | field A 5)
[ "$got" = 192.0.2.1 ] || fg_fail "static.flux.test A over TCP: got '$got'"
got=$(fg_dig "$P" www.flux.test A -t | section ANSWER | field A 5 | count)
[ "$got" = 5 ] || fg_fail "www.flux.test A over TCP: $got addresses, expected 5"

# --- garbage does not hurt it -----------------------------------------------------
python3 - "$P" <<'PY' || fg_fail "sending malformed queries failed"
import random, socket, struct, sys
port = int(sys.argv[1])
rng = random.Random(7)
good = bytes.fromhex("1234010000010000000000000377777704666c757804746573740000010001")
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(500):
    b = bytearray(good)
    for _ in range(rng.randint(1, 6)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    if i % 3 == 0:
        b = b[:rng.randrange(len(b))]
    u.sendto(bytes(b), ("127.0.0.1", port))
for data in (b"", b"\x00", b"\x00\x05ab", struct.pack("!H", 12) + good[:12]):
    t = socket.create_connection(("127.0.0.1", port))
    t.sendall(data)
    t.close()
PY
got=$(fg_answers "$P" static.flux.test A)
[ "$got" = "192.0.2.1" ] || fg_fail "after malformed queries: static.flux.test A got '$got'"

# --- the query log -----------------------------------------------------------------
grep -qx 'static.flux.test. A' "$FG_WORK/authd-queries.log" ||
    fg_fail "query log lacks 'static.flux.test. A'"
grep -qx 'dflux.test. NS' "$FG_WORK/authd-queries.log" ||
    fg_fail "query log lacks 'dflux.test. NS'"

# --- a clean stop --------------------------------------------------------------------
kill -TERM "$AUTHD_PID"
rc=0
wait "$AUTHD_PID" || rc=$?
[ "$rc" = 0 ] || fg_fail "fg-testauthd exited $rc on SIGTERM (sanitizer report in authd.log?)"
fg_log "all checks passed"
