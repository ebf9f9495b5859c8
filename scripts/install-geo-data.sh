#!/usr/bin/env bash
# Install real, freely licensed ASN and country data for fluxguard into
# build/geo (ignored by git), from ip-location-db's npm packages:
#   build/geo/asn.mmdb      GeoLite2-ASN layout, converted from the CSV of
#                           @ip-location-db/asn (RouteViews, DB-IP, NRO; CC BY 4.0)
#   build/geo/country.mmdb  GeoLite2-Country layout, converted from
#                           @ip-location-db/geo-whois-asn-country-mmdb, whose
#                           records carry a flat country_code (NRO; CC BY 4.0)
#   build/geo/VERSIONS      the packages, versions, licences, attribution and dates
# Each file is checked with mmdblookup on well-known ranges before it replaces
# the last one. The versions are pinned here; a second run with the same pins
# (and the same converter) only re-checks the files. scripts/dev.sh runs this
# for both of its commands; the README's "Geo data" section says more.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
geo=$top/build/geo
converter=$top/scripts/convert-geo-data.pl

asn_pkg=@ip-location-db/asn
asn_version=2.3.2026061719
country_pkg=@ip-location-db/geo-whois-asn-country-mmdb
country_version=2.3.2026061719

# What the files are made from. A new pin or a changed converter rebuilds them.
stamp="$asn_pkg@$asn_version $country_pkg@$country_version converter-$(sha256sum <"$converter" | cut -c1-16)"

# Known ranges: database field address expected. Chosen for holders that
# have kept them for decades (Cloudflare, Google, Quad9, the RIPE NCC).
checks=(
    "asn autonomous_system_number 1.1.1.1 13335"
    "asn autonomous_system_number 8.8.8.8 15169"
    "asn autonomous_system_number 9.9.9.9 19281"
    "asn autonomous_system_number 193.0.6.139 3333"
    "asn autonomous_system_number 2001:4860:4860::8888 15169"
    "asn autonomous_system_number 2001:67c:2e8:22::c100:68b 3333"
    "country country/iso_code 8.8.8.8 US"
    "country country/iso_code 193.0.6.139 NL"
    "country country/iso_code 2001:67c:2e8:22::c100:68b NL"
)

say() { echo "install-geo-data: $*"; }

# check_db KIND FILE: every check of KIND answers as expected; says which not.
check_db() {
    local kind=$1 file=$2 c k field ip want got bad=0
    for c in "${checks[@]}"; do
        read -r k field ip want <<<"$c"
        [ "$k" = "$kind" ] || continue
        # mmdblookup prints the value on its own line: `  13335 <uint32>`
        # shellcheck disable=SC2086
        got=$(mmdblookup --file "$file" --ip "$ip" ${field//\// } 2>&1 |
            awk 'NF { gsub(/"/, "", $1); print $1; exit }')
        if [ "$got" != "$want" ]; then
            echo "install-geo-data: $file: $ip: $field is '$got', expected $want" >&2
            bad=1
        fi
    done
    return $bad
}

say "pinned $asn_pkg $asn_version, $country_pkg $country_version"
command -v mmdblookup >/dev/null || { echo "install-geo-data: mmdblookup missing (Debian: mmdb-bin; scripts/install-deps.sh installs it)" >&2; exit 1; }
if [ -s "$geo/asn.mmdb" ] && [ -s "$geo/country.mmdb" ] &&
   grep -qxF "stamp: $stamp" "$geo/VERSIONS" 2>/dev/null &&
   check_db asn "$geo/asn.mmdb" && check_db country "$geo/country.mmdb"; then
    say "build/geo holds these versions and answers the checks; reusing it"
    exit 0
fi
command -v npm >/dev/null || { echo "install-geo-data: npm missing (it comes with the machine's Node.js)" >&2; exit 1; }

start=$(date +%s)
mkdir -p "$geo"
say "installing from the npm registry into build/geo/npm"
# npm's cache goes under build/ too: nothing lands outside it
npm install --prefix "$geo/npm" --cache "$geo/npm-cache" --no-audit --no-fund --loglevel=error --save-exact \
    "$asn_pkg@$asn_version" "$country_pkg@$country_version" >/dev/null
modules=$geo/npm/node_modules
asn_dir=$modules/$asn_pkg
country_src=$modules/$country_pkg/geo-whois-asn-country.mmdb
for p in "$asn_dir/package.json" "$modules/$country_pkg/package.json"; do
    v=$(sed -n 's/^ *"version": *"\(.*\)",*$/\1/p' "$p")
    case "$p" in
        "$asn_dir"/*) [ "$v" = "$asn_version" ] ;;
        *) [ "$v" = "$country_version" ] ;;
    esac || { echo "install-geo-data: $p says version $v, not the pinned one" >&2; exit 1; }
done

# The CSV has no date of its own: the package version is the publication
# time, 2.3.YYYYMMDDHH (UTC).
[[ $asn_version =~ ^[0-9]+\.[0-9]+\.([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})$ ]] ||
    { echo "install-geo-data: cannot read a date from $asn_pkg's version $asn_version" >&2; exit 1; }
asn_epoch=$(date -u -d "${BASH_REMATCH[1]}-${BASH_REMATCH[2]}-${BASH_REMATCH[3]} ${BASH_REMATCH[4]}:00:00" +%s)

asn_attr="RouteViews (routeviews.org), DB-IP IP to ASN Lite (db-ip.com: IP Geolocation by DB-IP) and the RIRs' statistics via the NRO (nro.net), CC BY 4.0, merged by ip-location-db"
country_attr="ip-location-db geo-whois-asn-country: GeoFeed, and the RIRs' WHOIS and ASN statistics via the NRO (nro.net), CC BY 4.0"

say "converting $asn_pkg's CSV (asn-ipv4.csv, asn-ipv6.csv) to GeoLite2-ASN layout"
perl "$converter" asn "$geo/asn.mmdb.new" "$asn_epoch" \
    "$asn_pkg $asn_version: $asn_attr; converted by fluxguard" \
    "$asn_dir/asn-ipv4.csv" "$asn_dir/asn-ipv6.csv"
say "converting $country_pkg (flat country_code) to GeoLite2-Country layout"
perl "$converter" country "$geo/country.mmdb.new" \
    "$country_pkg $country_version: $country_attr; converted by fluxguard" \
    "$country_src"
check_db asn "$geo/asn.mmdb.new" && check_db country "$geo/country.mmdb.new" ||
    { rm -f "$geo"/*.mmdb.new; echo "install-geo-data: the converted files fail the checks; build/geo left as it was" >&2; exit 1; }

mv "$geo/asn.mmdb.new" "$geo/asn.mmdb"
mv "$geo/country.mmdb.new" "$geo/country.mmdb"
licence() { sed -n 's/^ *"license": *"\(.*\)",*$/\1/p' "$1/package.json"; }
built() { { mmdblookup --file "$1" --ip 8.8.8.8 --verbose 2>/dev/null || true; } | sed -n 's/^ *Build epoch: *[0-9]* (\(.*\))$/\1/p'; }
cat >"$geo/VERSIONS.new" <<EOF
# ASN and country data for fluxguard, installed by scripts/install-geo-data.sh
stamp: $stamp
installed: $(date -u +%Y-%m-%dT%H:%M:%SZ)

asn.mmdb
  from: $asn_pkg $asn_version (asn-ipv4.csv, asn-ipv6.csv), converted to the GeoLite2-ASN layout
  data built: $(built "$geo/asn.mmdb") (the package's publication time)
  licence: CC BY 4.0 (package.json: "$(licence "$asn_dir")")
  attribution: $asn_attr

country.mmdb
  from: $country_pkg $country_version (geo-whois-asn-country.mmdb), converted to the GeoLite2-Country layout
  data built: $(built "$geo/country.mmdb")
  licence: CC BY 4.0 for the NRO's data (package.json: "$(licence "$modules/$country_pkg")"; NRO_LICENSE in the package)
  attribution: $country_attr
EOF
mv "$geo/VERSIONS.new" "$geo/VERSIONS"
size() { echo "$(( ($(stat -c %s "$1") + 524288) / 1048576 )) MiB"; }
say "done in $(( $(date +%s) - start )) s: asn.mmdb $(size "$geo/asn.mmdb"), country.mmdb $(size "$geo/country.mmdb") (build/geo/VERSIONS)"
