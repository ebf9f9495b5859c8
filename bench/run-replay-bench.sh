#!/usr/bin/env bash
# Replay throughput: fluxguard-replay's responses per second on a dnstap file
# and on a pcap capture of the same generated answers (at least 1 000 000 by
# default; tests/fixtures/make-captures.py writes them: flux, benign, CNAME
# and referral answers; the capture mixes UDP over IPv4 and IPv6 and TCP
# split across segments), one core (taskset), a build without sanitizers.
# Target: >= 300 000 responses/s on one core.
#
# With --sensor, also fluxguard-sensor's rate: the dnstap file streamed into
# it over its unix socket (a unidirectional Frame Streams stream, as fast as
# the socket takes it, or paced at --rate R frames/s), and the responses it
# recorded per second and the frames it dropped (queue full).
#
# Usage: bench/run-replay-bench.sh [--answers N] [--builddir DIR] [--smoke]
#                                  [--sensor [--rate R]]
#   --builddir DIR  a configured fluxguard build to use (default build/bench,
#                   configured and built here, without sanitizers)
#   --smoke         10 000 answers, no figures judged (make check runs this)
# The generated files are kept in build/bench-data (remade when N changes).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
answers=1000000
builddir=${FG_BENCH_BUILDDIR:-}
smoke=0
sensor=0
rate=0
while [ $# -gt 0 ]; do
    case "$1" in
    --sensor) sensor=1; shift ;;
    --rate) rate=$2; shift 2 ;;
    --answers) answers=$2; shift 2 ;;
    --builddir) builddir=$2; shift 2 ;;
    --smoke) smoke=1; answers=10000; shift ;;
    *) echo "usage: $0 [--answers N] [--builddir DIR] [--smoke] [--sensor [--rate R]]" >&2; exit 1 ;;
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
make -C "$builddir" -s tools/fluxguard-replay tools/fluxguard-sensor tools/fluxguard-control >/dev/null ||
    die "building the tools failed"
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
if [ $sensor -eq 1 ]; then
    seg=$data/sensor.seg
    sock=$data/sensor.sock
    rm -f "$seg"
    printf 'fluxguard:\n    capacity: 65536\n' >"$data/sensor.conf"
    # shellcheck disable=SC2086
    $pin "$builddir/tools/fluxguard-sensor" -c "$data/sensor.conf" -s "$seg" -u "$sock" \
        2>"$data/sensor.log" &
    spid=$!
    for _ in $(seq 100); do grep -q ready "$data/sensor.log" && break; sleep 0.1; done
    stat_of() { "$builddir/tools/fluxguard-control" -s "$seg" stats_noreset |
        sed -n "s/^fluxguard\.$1=//p"; }
    start=$(date +%s.%N)
    python3 - "$data/trace.dnstap" "$sock" "$rate" <<'PY'
import socket, struct, sys, time
data = open(sys.argv[1], "rb").read()
rate = float(sys.argv[3])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[2])
if rate <= 0:
    s.sendall(data)
else:
    # frame by frame, paced: the START frame first
    off = 8 + struct.unpack("!I", data[4:8])[0]
    s.sendall(data[:off])
    t0 = time.time(); n = 0; batch = []
    while off < len(data):
        flen = struct.unpack("!I", data[off:off + 4])[0]
        end = off + 4 + (flen if flen else 4 + struct.unpack("!I", data[off + 4:off + 8])[0])
        batch.append(data[off:end]); off = end; n += 1
        if len(batch) == 1000:
            s.sendall(b"".join(batch)); batch = []
            ahead = n / rate - (time.time() - t0)
            if ahead > 0:
                time.sleep(ahead)
    s.sendall(b"".join(batch))
s.close()
PY
    sent=$(date +%s.%N)
    last=-1
    while :; do
        got=$(stat_of sensor.responses); dropped=$(stat_of sensor.dropped)
        [ "$((got + dropped))" -ge "$answers" ] && break
        [ "$got" = "$last" ] && break
        last=$got
        sleep 0.2
    done
    end=$(date +%s.%N)
    kill -TERM "$spid"; wait "$spid" || true
    rm -f "$seg"
    python3 - "$answers" "$got" "$dropped" "$start" "$sent" "$end" "$rate" <<'PY'
import sys
n, got, dropped = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
start, sent, end, rate = float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
print("sensor        %9d frames sent in %.2f s (%s), %d responses recorded, %d dropped; "
      "%.0f responses/s recorded" % (n, sent - start, "paced at %.0f/s" % rate if rate > 0
      else "as fast as the socket takes them", got, dropped, got / (end - start)))
PY
fi
[ $smoke -eq 1 ] && echo "run-replay-bench: smoke run done (figures not judged)"
exit 0
