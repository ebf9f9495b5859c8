#!/usr/bin/env bash
# fluxguard-control check-config reads everything the module would read and
# checks where it would write, and reports every error at once: an unknown
# option and a bad value in the file, a missing deny file and a bad line in
# another, a database of the wrong kind, an event log in a missing directory,
# a segment path that holds another program's file. A good config with its
# lists passes with "FILE: ok".
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
mmdb=$FG_WORK/mmdb
mkdir -p "$mmdb"
perl "$FG_SRCDIR/tests/fixtures/make-enforce-mmdb.pl" "$mmdb" || fg_fail "fixtures"
printf 'evil.example\nnot an entry\n' > "$FG_WORK/bad.list"
cp "$FG_SRCDIR/unbound-conf-examples/unbound.conf" "$FG_WORK/not-a-segment"
cat > "$FG_WORK/all-wrong.conf" <<CONF
fluxguard:
    acton: log
    threshold: 101
    deny-file: "$FG_WORK/missing.list"
    deny-file: "$FG_WORK/bad.list"
    asn-db: "$mmdb/country.mmdb"
    event-log: "$FG_WORK/no/such/dir/events.jsonl"
    segment: "$FG_WORK/not-a-segment"
CONF
before=$(md5sum <"$FG_WORK/not-a-segment")
set +e
err=$("$CONTROL" check-config "$FG_WORK/all-wrong.conf" 2>&1 >/dev/null); rc=$?
set -e
[ $rc = 1 ] || fg_fail "check-config: exit $rc, expected 1: $err"
f=$FG_WORK/all-wrong.conf
for want in "$f:2: acton: unknown option" "$f:3: threshold: expected a number between 0 and 100" \
    "$f: 2 errors"; do
    echo "$err" | grep -qF "$want" || fg_fail "check-config does not report '$want': $err"
done

# the file itself fixed: the rest is checked, every error again
sed -i '/acton/d; /threshold/d' "$f"
set +e
err=$("$CONTROL" check-config "$f" 2>&1 >/dev/null); rc=$?
set -e
[ $rc = 1 ] || fg_fail "check-config: exit $rc, expected 1: $err"
for want in "missing.list" "$FG_WORK/bad.list:2: entry: " "country.mmdb" \
    "event-log: directory $FG_WORK/no/such/dir" \
    "segment $FG_WORK/not-a-segment: it holds something that is not a fluxguard segment" \
    "$f: 5 errors"; do
    echo "$err" | grep -qF "$want" || fg_fail "check-config does not report '$want': $err"
done
[ "$(md5sum <"$FG_WORK/not-a-segment")" = "$before" ] || fg_fail "check-config changed the foreign file"

# good lists, databases and places: ok
printf 'evil.example\nAS64500\n' > "$FG_WORK/good.list"
cat > "$FG_WORK/good.conf" <<CONF
fluxguard:
    deny-file: "$FG_WORK/good.list"
    asn-db: "$mmdb/asn.mmdb"
    country-db: "$mmdb/country.mmdb"
    event-log: "$FG_WORK/events.jsonl"
    segment: "$FG_WORK/segment"
CONF
out=$("$CONTROL" check-config "$FG_WORK/good.conf" 2>&1) || fg_fail "good config refused: $out"
[ "$out" = "$FG_WORK/good.conf: ok" ] || fg_fail "good config: $out"
[ -e "$FG_WORK/segment" ] && fg_fail "check-config created the segment"
fg_log "check-config reports every error, and passes a good config"
