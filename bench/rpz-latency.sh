#!/usr/bin/env bash
# The fleet's speed: time from a flag in the segment to the block on a
# consumer resolver (median, p99 over --flags flags written at --rate per
# second), and fluxguard-publish's throughput into Knot DNS (--burst flags
# written at once, entries per second until the last is on the primary).
# Set-up, all on 127.0.0.1 with free ports: Knot DNS as the primary (as in
# tests/integration/test_rpz_fleet.sh), fluxguard-publish on a private
# segment that bench/rpz_bench writes flags into as the module does, and an
# Unbound without fluxguard consuming the zone (rpz:, with
# rpz-signal-nxdomain-ra so that a block is told from a real NXDOMAIN).
# The resolver's hot path is not involved: the publisher is a process of its
# own (bench/run-resolver-bench.sh measures the module).
#
# Usage: bench/rpz-latency.sh [--flags N] [--rate R] [--burst N] [--smoke]
# Defaults: 1000 flags at 20/s (about a minute), a burst of 5000.
# Needs a build tree: FG_BUILDDIR (default build/check) with
# bench/rpz_bench, tools/fluxguard-publish and tests/authd/fg-testauthd.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
flags=1000 rate=20 burst=5000
while [ $# -gt 0 ]; do
    case "$1" in
    --flags) flags=$2; shift ;;
    --rate) rate=$2; shift ;;
    --burst) burst=$2; shift ;;
    --smoke) flags=20 rate=10 burst=200 ;;
    *) echo "rpz-latency: unknown option $1" >&2; exit 1 ;;
    esac
    shift
done
for n in "$flags" "$burst"; do
    case "$n" in ''|*[!0-9]*) echo "rpz-latency: '$n' is not a number" >&2; exit 1 ;; esac
done

# The integration tests' helpers: free ports, waits, Knot, B, stop by PID.
export FG_SRCDIR=${FG_SRCDIR:-$top}
export FG_BUILDDIR=${FG_BUILDDIR:-$top/build/check}
export FG_UNBOUND_PREFIX=${FG_UNBOUND_PREFIX:-$(sed -n "s/^UNBOUND_PREFIX = //p" "$FG_BUILDDIR/Makefile")}
. "$FG_SRCDIR/tests/integration/lib.sh"
. "$FG_SRCDIR/tests/integration/rpz_lib.sh"
bench=$FG_BUILDDIR/bench/rpz_bench
fg_require "$bench" "$FG_PUBLISH" "$FG_AUTHD"

cat > "$FG_WORK/bench.scn" <<SCN
zone bench.test.
@	3600 IN SOA ns1 hostmaster 1 3600 900 604800 30
@	NS ns1
ns1	A 127.0.0.1
zone other.test.
@	3600 IN SOA ns1.bench.test. hostmaster 1 3600 900 604800 30
@	NS ns1.bench.test.
SCN
fg_start_authd "$FG_WORK/bench.scn"
FG_B_PORT=$(fg_free_port)
FG_KNOT_PORT=$(fg_free_port)
fg_rpz_start_knot

FG_SEGMENT=/fg-bench-rpz-$$
fg_on_exit fg_unlink_segment
{
    echo "fluxguard:"
    echo "    segment: \"$FG_SEGMENT\""
    echo "    action: nxdomain"
    fg_rpz_conf_lines | sed 's/^/    /'
} > "$FG_WORK/fluxguard.conf"
# the segment must exist before the publisher follows it
"$bench" latency "$FG_SEGMENT" 9 0 1 >/dev/null
fg_rpz_start_publisher

fg_rpz_write_b
sed -i 's/^    rpz-log: yes/    rpz-log: no\n    rpz-signal-nxdomain-ra: yes/' "$FG_WORK/b/unbound.conf"
printf 'stub-zone:\n    name: "bench.test."\n    stub-addr: 127.0.0.1@%s\n' "$FG_AUTHD_PORT" >> "$FG_WORK/b/unbound.conf"
"$FG_UNBOUND" -d -c "$FG_WORK/b/unbound.conf" >>"$FG_WORK/unbound-b-stderr.log" 2>&1 &
FG_B_PID=$!
FG_PIDS+=($FG_B_PID)
fg_wait_for "resolver B" sh -c \
    "dig +tries=1 +time=1 -p $FG_B_PORT @127.0.0.1 x.bench.test A | grep -q 'status: NXDOMAIN'"

echo "rpz-latency: $(nproc) CPUs, $(uname -r), knotd $(knotd --version | awk '{ print $NF }'), $(date -u +%Y-%m-%dT%H:%MZ)"
"$bench" latency "$FG_SEGMENT" "$FG_B_PORT" "$flags" "$rate"
"$bench" throughput "$FG_SEGMENT" "$FG_KNOT_PORT" "$FG_RPZ_ZONE." "$burst"
sleep 1.2 # the stats file is written once a second
"$FG_PUBLISH" -c "$FG_WORK/fluxguard.conf" --stats | grep -E 'rpz\.(published|updates|errors|last_serial) '
