#!/usr/bin/env bash
# A hostile upstream (tests/integration/scenarios/hostile.scn) does not stop
# the resolver or bend the module's books: answers of hundreds of addresses
# (only over TCP), a CNAME chain longer than Unbound follows, names holding
# every octet value (a wildcard answers them) and a CNAME target holding the
# octets presentation format must escape, a referral with 300 name servers and
# their glue, and a wildcard CNAME onto a flux name. Unbound keeps answering
# throughout; every answer that reached the module is counted exactly once
# (answers.recorded and the domain's own count against the queries sent, all
# cache misses at TTL 0); errors stays 0; every event-log line is JSON and
# every flag of a name with odd octets is there; the control tool lists and
# shows those names.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
events=$FG_WORK/events.jsonl
FG_UNBOUND_THREADS=2 FG_SCENARIO=$FG_SRCDIR/tests/integration/scenarios/hostile.scn \
    fg_start_flux_stack "action: log" "event-log: \"$events\"" "event-rate: 100000"
ctl() { "$CONTROL" -s "$FG_SEGMENT" "$@"; }
counter() { ctl stats_noreset | sed -n "s/^fluxguard\.$1=//p"; }
alive() {
    kill -0 "$FG_UNBOUND_PID" 2>/dev/null || fg_fail "Unbound died ($1)"
    [ "$(fg_ask data.flux.test A +short)" = 198.51.100.9 ] || fg_fail "Unbound stopped answering ($1)"
}

# --- 1. hundreds of addresses per answer, over TCP ----------------------------
rec0=$(counter answers.recorded)
for i in 1 2 3 4 5; do
    n=$(fg_ask many.flux.test A +tcp +short | grep -c '^45\.')
    [ "$n" = 400 ] || fg_fail "many.flux.test A: $n addresses, expected 400"
    n=$(fg_ask many.flux.test AAAA +tcp +short | grep -c '^2a01:')
    [ "$n" = 300 ] || fg_fail "many.flux.test AAAA: $n addresses, expected 300"
done
rec1=$(counter answers.recorded)
[ $((rec1 - rec0)) = 10 ] || fg_fail "answers.recorded grew by $((rec1 - rec0)) for 10 upstream answers"
n=$(ctl show many.flux.test | sed -n 's/^answers: //p')
[ "$n" = 10 ] || fg_fail "many.flux.test shows $n answers, 10 were sent"
alive "after the big answers"

# --- 2. CNAME chains ------------------------------------------------------------
out=$(fg_ask c1.flux.test A)
case "$(echo "$out" | fg_status_of)" in
    NOERROR|SERVFAIL) ;;
    *) fg_fail "the 40-link chain got neither an answer nor SERVFAIL: $out" ;;
esac
[ "$(fg_ask s1.flux.test A +short | grep -c '^45\.')" = 6 ] || fg_fail "the 3-link chain did not reach bot's addresses"
alive "after the long chain"

# --- 3. every octet value -------------------------------------------------------
# Labels of 50 octets, \DDD escaped, together all 256 values; each name asked
# twice (A), which flags it (12 addresses in 12 networks).
names=()
for start in 0 50 100 150 200 250; do
    label=""
    for ((b = start; b < start + 50 && b < 256; b++)); do label+=$(printf '\\%03d' "$b"); done
    names+=("$label.bytes.flux.test.")
done
rec0=$(counter answers.recorded)
for name in "${names[@]}"; do
    for _ in 1 2; do
        [ "$(fg_ask "$name" A +short | grep -c '^45\.')" = 6 ] || fg_fail "no answer for $name"
    done
done
rec1=$(counter answers.recorded)
[ $((rec1 - rec0)) = $((2 * ${#names[@]})) ] ||
    fg_fail "answers.recorded grew by $((rec1 - rec0)) for $((2 * ${#names[@]})) upstream answers"
[ "$(fg_ask weird.flux.test A +short | grep -c '^45\.')" = 6 ] || fg_fail "weird.flux.test's odd CNAME target not followed"
alive "after the odd names"
for name in "${names[@]}"; do
    out=$(ctl show "$name" 2>&1) || fg_fail "show of an odd name failed: $out"
    echo "$out" | grep -q '^verdict: flagged' || fg_fail "odd name not flagged: $out"
done
list=$(ctl list 2>&1) || fg_fail "list failed: $list"
[ "$(echo "$list" | grep -c 'bytes\.flux\.test\.')" -ge ${#names[@]} ] || fg_fail "list lacks the odd names: $list"
echo "$list" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' && fg_fail "list printed raw control octets"

# --- 4. a referral with 300 name servers --------------------------------------
ns0=$(counter nameservers.recorded)
fg_ask x.deleg.flux.test A >/dev/null 2>&1 || true
alive "after the huge referral"
ns1=$(counter nameservers.recorded)
[ "$ns1" -gt "$ns0" ] || fg_fail "the referral's NS set was not recorded (nameservers.recorded $ns0 -> $ns1)"
n=$(ctl show deleg.flux.test | sed -n 's/^ns-answers: //p')
[ "${n:-0}" -ge 1 ] || fg_fail "deleg.flux.test shows no NS answer: $(ctl show deleg.flux.test)"

# --- 5. a wildcard CNAME onto a flux name --------------------------------------
for i in $(seq 40); do
    [ "$(fg_ask "r$RANDOM$i.wild.flux.test" A +short | grep -c '^45\.')" = 6 ] || fg_fail "wildcard alias $i not answered"
done
alive "after the wildcard aliases"

# --- the books ----------------------------------------------------------------
[ "$(counter errors)" = 0 ] || fg_fail "errors counted: $(ctl stats_noreset)"
flags_logged() { [ "$(grep -c '"event":"flag"' "$events")" -ge ${#names[@]} ]; }
fg_wait_for "the odd names' flags in the event log" flags_logged
python3 - "$events" "${names[@]}" <<'PY' || fg_fail "event log check failed"
import json, re, sys

def wire(name):
    """A presentation-format name as a tuple of lower-cased label octets."""
    labels, cur, i = [], bytearray(), 0
    while i < len(name):
        c = name[i]
        if c == "\\":
            if re.match(r"[0-9]{3}", name[i + 1:i + 4]):
                cur.append(int(name[i + 1:i + 4]))
                i += 4
                continue
            cur.extend(name[i + 1].encode("latin-1"))
            i += 2
            continue
        if c == ".":
            labels.append(bytes(cur))
            cur = bytearray()
        else:
            cur.extend(c.encode("latin-1"))
        i += 1
    if cur:
        labels.append(bytes(cur))
    return tuple(l.lower() for l in labels if l)

path, names = sys.argv[1], sys.argv[2:]
flagged = set()
with open(path, "rb") as f:
    for n, raw in enumerate(f, 1):
        try:
            ev = json.loads(raw.decode("utf-8"))
        except Exception as e:
            sys.exit(f"{path}:{n}: not JSON ({e}): {raw[:200]!r}")
        if ev.get("event") == "flag":
            flagged.add(wire(ev.get("domain") or ""))
for name in names:
    if wire(name) not in flagged:
        sys.exit(f"no flag event for {name}")
print(f"{n} event lines, all JSON; the {len(names)} odd names flagged")
PY
fg_log "Unbound served through big, chained, odd, referral and wildcard answers; books exact; events JSON"
