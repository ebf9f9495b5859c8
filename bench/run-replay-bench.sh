#!/usr/bin/env bash
# Replay throughput: fluxguard-replay's responses per second on a dnstap file
# and on a pcap capture of the same generated answers (at least 1 000 000 by
# default; tests/fixtures/make-captures.py writes them: flux, benign, CNAME
# and referral answers; the capture mixes UDP over IPv4 and IPv6 and TCP
# split across segments), one core (taskset), a build without sanitizers.
# Target: >= 300 000 responses/s on one core.
#
# Usage: bench/run-replay-bench.sh [--answers N] [--builddir DIR] [--smoke]
#   --builddir DIR  a configured fluxguard build to use (default build/bench,
#                   configured and built here, without sanitizers)
#   --smoke         10 000 answers, no figures judged (make check runs this)
# The generated files are kept in build/bench-data (remade when N changes).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
answers=1000000
builddir=${FG_BENCH_BUILDDIR:-}
smoke=0
while [ $# -gt 0 ]; do
    case "$1" in
    --answers) answers=$2; shift 2 ;;
    --builddir) builddir=$2; shift 2 ;;
    --smoke) smoke=1; answers=10000; shift ;;
    *) echo "usage: $0 [--answers N] [--builddir DIR] [--smoke]" >&2; exit 1 ;;
    esac
done
die() { echo "run-replay-bench: $*" >&2; exit 1; }

if [ -z "$builddir" ] && [ -n "${FG_BUILDDIR:-}" ]; then
    builddir=$FG_BUILDDIR        # under make check: the tree being tested
elif [ -z "$builddir" ]; then
    builddir=$top/build/bench
    "$top/scripts/build-unbound.sh" >/dev/null
    [ -x "$top/configure" ] || "$top/autogen.sh" 2>/dev/null
    mkdir -p "$builddir"
    (cd "$builddir" && { [ -f Makefile ] || "$top/configure" -q; }) || die "configure failed"
fi
make -C "$builddir" -s tools/fluxguard-replay >/dev/null || die "building fluxguard-replay failed"
replay=$builddir/tools/fluxguard-replay
if grep -q -- '-fsanitize' "$builddir/Makefile" 2>/dev/null &&
    grep -q '^SANITIZER_CFLAGS = -f' "$builddir/Makefile"; then
    [ $smoke -eq 1 ] || echo "run-replay-bench: warning: $builddir is a sanitizer build; figures mean little" >&2
fi

if [ $smoke -eq 1 ]; then
    data=$(mktemp -d "${TMPDIR:-/tmp}/fg-replay-bench.XXXXXX")
    trap 'rm -rf "$data"' EXIT
else
    data=$top/build/bench-data
fi
mkdir -p "$data"
if [ "$(cat "$data/answers" 2>/dev/null)" != "$answers" ]; then
    echo "run-replay-bench: writing $answers answers as dnstap and pcap" >&2
    python3 "$top/tests/fixtures/make-captures.py" "$data" --answers "$answers" \
        --formats dnstap,pcap || die "make-captures failed"
    echo "$answers" >"$data/answers"
fi

pin=""
command -v taskset >/dev/null && [ "$(nproc)" -gt 1 ] && pin="taskset -c 1"
capacity=65536
for f in trace.dnstap trace.pcap; do
    size=$(stat -c %s "$data/$f")
    start=$(date +%s.%N)
    # shellcheck disable=SC2086
    $pin "$replay" --capacity "$capacity" "$data/$f" >"$data/$f.out" 2>"$data/$f.err" ||
        die "replay of $f failed: $(head -n 5 "$data/$f.err")"
    end=$(date +%s.%N)
    grep -q 'flagged' "$data/$f.out" || die "replay of $f flagged nothing"
    python3 - "$f" "$answers" "$start" "$end" "$size" <<'PY'
import sys
f, n, start, end, size = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
secs = end - start
print("%-13s %9d responses %7.1f MB %7.2f s %10.0f responses/s" % (f, n, size / 1e6, secs, n / secs))
PY
done
[ $smoke -eq 1 ] && echo "run-replay-bench: smoke run done (figures not judged)"
exit 0
