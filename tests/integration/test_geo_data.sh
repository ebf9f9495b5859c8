#!/usr/bin/env bash
# The real ASN and country data that scripts/install-geo-data.sh installs in
# build/geo (scripts/dev.sh test runs it first):
# - the files answer mmdblookup on well-known ranges with the right ASN and
#   country, and VERSIONS names the packages, the licence and the attribution;
# - Unbound with fluxguard started on them names each database with its build
#   time in the start-up line, resolves, and fluxguard-control status shows
#   the files and their build times;
# - an old database (a fixture built in 2017) gives one geo-max-age warning at
#   start-up (after unbound-control reload) and in check-config, which still
#   says ok;
# - a country database given as asn-db is refused with an error naming the
#   file, at start-up (fluxguard then runs without ASNs and countries, and
#   status names the file as the reason) and in check-config.
. "$FG_SRCDIR/tests/integration/lib.sh"

GEO=${FG_GEO_DIR:-$FG_SRCDIR/build/geo}
CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
for f in asn.mmdb country.mmdb VERSIONS; do
    [ -s "$GEO/$f" ] || fg_fail "$GEO/$f missing: run scripts/install-geo-data.sh (scripts/dev.sh test does)"
done

# --- the files -----------------------------------------------------------------
# field_of FILE IP FIELD...: the value mmdblookup prints, quotes dropped
field_of() {
    local file=$1 ip=$2
    shift 2
    mmdblookup --file "$file" --ip "$ip" "$@" 2>&1 | awk 'NF { gsub(/"/, "", $1); print $1; exit }'
}
while read -r ip asn cc; do
    got=$(field_of "$GEO/asn.mmdb" "$ip" autonomous_system_number)
    [ "$got" = "$asn" ] || fg_fail "asn.mmdb: $ip is AS '$got', expected $asn"
    [ "$cc" = - ] && continue
    got=$(field_of "$GEO/country.mmdb" "$ip" country iso_code)
    [ "$got" = "$cc" ] || fg_fail "country.mmdb: $ip is in '$got', expected $cc"
done <<'RANGES'
1.1.1.1 13335 -
2606:4700:4700::1111 13335 -
8.8.8.8 15169 US
2001:4860:4860::8888 15169 US
9.9.9.9 19281 -
193.0.6.139 3333 NL
RANGES
for want in '@ip-location-db/asn' '@ip-location-db/geo-whois-asn-country-mmdb' 'CC BY 4.0' \
    'routeviews.org' 'db-ip.com' 'nro.net'; do
    grep -qF "$want" "$GEO/VERSIONS" || fg_fail "VERSIONS does not name $want"
done

# built_of FILE: the build time as fluxguard prints it (2026-06-17T19:51:40Z)
built_of() {
    local epoch
    epoch=$({ mmdblookup --file "$1" --ip 8.8.8.8 --verbose 2>/dev/null || true; } |
        sed -n 's/^ *Build epoch: *\([0-9]*\) .*/\1/p')
    [ -n "$epoch" ] || fg_fail "$1: no build epoch"
    date -u -d "@$epoch" +%Y-%m-%dT%H:%M:%SZ
}
asn_built=$(built_of "$GEO/asn.mmdb")
country_built=$(built_of "$GEO/country.mmdb")
fg_log "asn.mmdb built $asn_built, country.mmdb built $country_built"

# --- Unbound on the real data ------------------------------------------------------
FG_SEGMENT=/fg-it-$$-$FG_TEST_NAME
fg_on_exit fg_unlink_segment
export FLUXGUARD_CONF=$FG_WORK/fluxguard.conf
# conf ASN-DB [COUNTRY-DB [more lines...]]
conf() {
    local line
    {
        echo "fluxguard:"
        echo "    segment: \"$FG_SEGMENT\""
        echo "    capacity: 4096"
        echo "    asn-db: \"$1\""
        [ -n "${2:-}" ] && echo "    country-db: \"$2\""
        shift 2 2>/dev/null || shift $#
        for line in "$@"; do echo "    $line"; done
    } > "$FLUXGUARD_CONF"
}
# The pinned data only gets older: this part is about the build times, not
# the age, which the fixture below covers.
conf "$GEO/asn.mmdb" "$GEO/country.mmdb" "geo-max-age: 3650d"
fg_start_nsd static.test. "$FG_SRCDIR/tests/integration/zones/static.test.zone"
FG_STUB_ZONE=static.test. FG_UPSTREAM_PORT=$FG_NSD_PORT fg_write_unbound_conf
fg_start_unbound
fg_wait_for "the start-up line" fg_unbound_log_has "fluxguard: initialised"
line=$(grep "fluxguard: initialised" "$FG_WORK/unbound.log")
want="asn-db $GEO/asn.mmdb (built $asn_built, type ip-location-db-ASN (compat=GeoLite2-ASN)), country-db $GEO/country.mmdb (built $country_built, type ip-location-db-Country (compat=GeoLite2-Country))"
case "$line" in
    *", $want, healthy") ;;
    *) fg_fail "the start-up line does not end with '$want, healthy': $line" ;;
esac
grep -q "geo-max-age" "$FG_WORK/unbound.log" && fg_fail "an age warning within geo-max-age: $(grep geo-max-age "$FG_WORK/unbound.log")"
[ "$(fg_answers "$FG_UNBOUND_PORT" www.static.test A)" = 192.0.2.10 ] || fg_fail "resolution on the real data"
out=$("$CONTROL" -s "$FG_SEGMENT" status) || fg_fail "status: $out"
for want in "# asn-db in use: $GEO/asn.mmdb (built $asn_built, type ip-location-db-ASN (compat=GeoLite2-ASN))" \
    "# country-db in use: $GEO/country.mmdb (built $country_built, type ip-location-db-Country (compat=GeoLite2-Country))"; do
    echo "$out" | grep -qxF "$want" || fg_fail "status lacks '$want': $out"
done

# reload_with: rewrite fluxguard.conf (conf's arguments), reload, and wait for
# the module's new start-up line; LOG then holds only what this init logged.
reload_with() {
    local before
    conf "$@"
    before=$(grep -c "fluxguard: initialised" "$FG_WORK/unbound.log")
    fg_unbound_control reload >/dev/null || fg_fail "unbound-control reload"
    fg_wait_for "the start-up line after reload" sh -c \
        "[ \$(grep -c 'fluxguard: initialised' '$FG_WORK/unbound.log') -gt $before ]"
    # an answer comes only after init has returned, with all it logged
    [ "$(fg_answers "$FG_UNBOUND_PORT" www.static.test A)" = 192.0.2.10 ] ||
        fg_fail "resolution after the reload"
    # everything after the previous start-up line
    LOG=$(awk -v n="$before" '/fluxguard: initialised/ { seen++ } seen >= n' "$FG_WORK/unbound.log" | tail -n +2)
}

# --- an old database: one warning at start-up, one in check-config ---------------
fixtures=$FG_WORK/mmdb
mkdir -p "$fixtures"
perl "$FG_SRCDIR/tests/fixtures/make-mmdb.pl" "$fixtures" || fg_fail "could not write the mmdb fixtures"
old=$fixtures/old-asn.mmdb
want="warning: fluxguard: asn-db $old was built 2017-07-14T02:40:00Z, [0-9]+ days ago, more than geo-max-age \(90d\)"
reload_with "$old"
n=$(echo "$LOG" | grep -c "geo-max-age")
[ "$n" = 1 ] || fg_fail "expected one age warning at start-up, got $n: $LOG"
echo "$LOG" | grep -Eq "$want" || fg_fail "the age warning: $LOG"
echo "$LOG" | grep -q "fluxguard: initialised.*, asn-db $old (built 2017-07-14T02:40:00Z, type GeoLite2-ASN), country-db none, healthy" ||
    fg_fail "the start-up line with the old database: $LOG"
out=$("$CONTROL" check-config "$FLUXGUARD_CONF" 2>"$FG_WORK/check.err") || fg_fail "check-config refused an old database: $(cat "$FG_WORK/check.err")"
[ "$out" = "$FLUXGUARD_CONF: ok" ] || fg_fail "check-config said: $out"
[ "$(wc -l < "$FG_WORK/check.err")" = 1 ] || fg_fail "check-config warnings: $(cat "$FG_WORK/check.err")"
grep -Eq "^fluxguard-control: warning: $FLUXGUARD_CONF: asn-db $old was built 2017-07-14T02:40:00Z, [0-9]+ days ago, more than geo-max-age \(90d\)" \
    "$FG_WORK/check.err" || fg_fail "check-config warning: $(cat "$FG_WORK/check.err")"

# --- a country database as asn-db: refused, naming the file ------------------------
wrong="$GEO/country.mmdb: is a country database (type \"ip-location-db-Country (compat=GeoLite2-Country)\"), not an ASN database: give it as country-db"
reload_with "$GEO/country.mmdb"
echo "$LOG" | grep -qF "error: fluxguard: degraded: $wrong" ||
    fg_fail "no error naming the country database given as asn-db: $LOG"
echo "$LOG" | grep -q "fluxguard: initialised.*, asn-db $GEO/country.mmdb (not open), country-db none, degraded" ||
    fg_fail "the start-up line with a refused database: $LOG"
[ "$(fg_answers "$FG_UNBOUND_PORT" h1.static.test A)" = 198.51.100.2 ] || fg_fail "resolution with a refused database"
out=$("$CONTROL" -s "$FG_SEGMENT" status) || fg_fail "status: $out"
echo "$out" | grep -qxF "# degraded: $wrong" || fg_fail "status does not name the refused database: $out"
echo "$out" | grep -q "in use:" && fg_fail "status shows a database in use after the refusal: $out"
err=$("$CONTROL" check-config "$FLUXGUARD_CONF" 2>&1); rc=$?
[ $rc = 1 ] || fg_fail "check-config accepted a country database as asn-db (exit $rc): $err"
[ "$err" = "fluxguard-control: $FLUXGUARD_CONF: $wrong
fluxguard-control: $FLUXGUARD_CONF: 1 error" ] || fg_fail "check-config message: $err"
fg_log "real data answers, build times logged and shown, old and wrong databases reported"
