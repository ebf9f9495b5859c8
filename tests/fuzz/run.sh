#!/usr/bin/env bash
# Run the libFuzzer targets (tests/fuzz/fuzz_<target>.c) one after another,
# each in one process on one core, for a set time or number of executions,
# and print one row per target: executions, coverage (libFuzzer's cov: edges
# and ft: features) and the result. doc/FUZZING.md records such runs.
#
#   tests/fuzz/run.sh [-t SECONDS] [-n RUNS] [-k] [-b BUILDDIR] [TARGET...]
#
#   -t SECONDS  stop each target after this long (default 60)
#   -n RUNS     stop each target after this many executions (default: none;
#               -t still caps the time)
#   -k          keep what earlier runs found and start from it too (default:
#               start from the seeds alone, so that runs compare)
#   -b BUILDDIR a build configured with --enable-fuzzing (default build/fuzz
#               in the checkout):
#                 mkdir -p build/fuzz && cd build/fuzz &&
#                 ../../configure --enable-fuzzing [--with-unbound-src=...] &&
#                 make
#   TARGET      conf policy trace segment detect (default: all)
#
# Each target starts from its seeds (tests/fuzz/corpus/TARGET, only read) and
# puts what it finds in BUILDDIR/fuzz-work/TARGET/corpus; a crash is written
# to BUILDDIR/fuzz-work/TARGET/crash-*, and the run ends non-zero. To keep a
# crash as a regression test, minimise it (the command is printed) and copy
# it into tests/fuzz/corpus/TARGET/ under a name saying what it is.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=60
runs=
keep=
build=$top/build/fuzz
while getopts "t:n:kb:h" opt; do
    case $opt in
    t) seconds=$OPTARG ;;
    n) runs=$OPTARG ;;
    k) keep=1 ;;
    b) build=$(cd "$OPTARG" && pwd) ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
targets=${*:-conf policy trace segment detect rpz}

# Longest input per target: text a few KiB, a segment of up to two buckets.
max_len() {
    case $1 in
    segment) echo 98304 ;;
    trace) echo 8192 ;;
    *) echo 4096 ;;
    esac
}

# The segment's writer syncs it on close: cheap on tmpfs, a disk write elsewhere.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    export TMPDIR=/dev/shm
fi
# Short allocation stacks and a smaller quarantine: the trace target makes
# ldns allocate per record, and full stacks halve its speed. Detection is
# the same; reports show 8 frames of where a block was allocated.
export ASAN_OPTIONS=${ASAN_OPTIONS:-malloc_context_size=8:quarantine_size_mb=64}

printf '%-8s %10s %6s %7s %7s %5s  %s\n' target execs cov ft exec/s secs result
status=0
for t in $targets; do
    bin=$build/tests/fuzz/fuzz_$t
    seeds=$top/tests/fuzz/corpus/$t
    if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
        echo "run.sh: no $bin or $seeds (a build with --enable-fuzzing, and a target of: conf policy trace segment detect)" >&2
        exit 2
    fi
    work=$build/fuzz-work/$t
    [ -n "$keep" ] || rm -rf "$work/corpus"
    mkdir -p "$work/corpus"
    rm -f "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-*
    log=$work/run.log
    start=$(date +%s)
    set +e
    "$bin" -max_total_time="$seconds" ${runs:+-runs="$runs"} \
        -max_len="$(max_len "$t")" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$work/" \
        "$work/corpus" "$seeds" >"$log" 2>&1
    rc=$?
    set -e
    secs=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+.* cov: [0-9]+ ft: [0-9]+' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    artifact=$(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null | head -n 1 || true)
    if [ "$rc" -eq 0 ] && [ -z "$artifact" ]; then
        result=ok
    else
        result="FAILED (exit $rc${artifact:+, $artifact}); log: $log"
        status=1
    fi
    printf '%-8s %10s %6s %7s %7s %5s  %s\n' "$t" "${execs:-?}" "${cov:-?}" \
        "${ft:-?}" "${eps:-?}" "$secs" "$result"
    if [ -n "$artifact" ]; then
        echo "  minimise: $bin -minimize_crash=1 -max_total_time=60 -exact_artifact_path=$artifact.min $artifact" >&2
    fi
done
exit $status
