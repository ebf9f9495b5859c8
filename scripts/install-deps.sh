#!/usr/bin/env bash
# Install, from Debian's archive, everything fluxguard needs to build, test and
# benchmark: the compilers and autotools, the libraries it links (ldns,
# libmaxminddb, Check, and for the dnstap and pcap readers libfstrm,
# protobuf-c with its compiler and libpcap), Unbound's own build dependencies
# (Debian's flags), and the test peers (NSD, drill, dnsperf, the mmdb writer
# for fixtures, valgrind for the reload leak test, Knot and BIND for the
# fleet, fstrm-bin, tcpdump and dnstap-ldns for the dnstap tests), and what
# scripts/install-geo-data.sh converts and checks the geo data with (the mmdb
# writer and the XS reader, mmdblookup).
# the RPZ primary (knotd, knotc, kdig) and BIND 9 as a consumer.
# Idempotent: does nothing when every package is already installed.
set -euo pipefail

pkgs=(
    build-essential autoconf automake libtool pkg-config dpkg-dev
    libldns-dev libmaxminddb-dev check libpcap-dev
    bison flex libevent-dev libssl-dev libexpat1-dev libnghttp2-dev
    libsystemd-dev libprotobuf-c-dev protobuf-c-compiler libfstrm-dev
    nsd ldnsutils bind9-dnsutils dnsperf dns-root-data prometheus libmaxmind-db-writer-perl python3 binutils
    libmaxmind-db-reader-xs-perl mmdb-bin valgrind
    knot knot-dnsutils bind9 bind9-utils
    fstrm-bin tcpdump dnstap-ldns
)

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
echo "install-deps: installing ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
