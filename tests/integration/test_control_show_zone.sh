#!/usr/bin/env bash
# fluxguard-control show explains the score the detector stored, with the NS
# evidence of the same zone: a name's own NS evidence counts (dflux.test.), a
# top-level domain's referrals never do (bot.flux.test. under test.). The
# segment comes from fluxguard-replay --segment, which runs the module's
# detector on a trace; show's explanation must give the stored score.
. "$FG_SRCDIR/tests/integration/lib.sh"

REPLAY=$FG_BUILDDIR/tools/fluxguard-replay
CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$REPLAY" "$CONTROL"

# Timestamps end now, so the evidence is inside show's window.
t=$(( $(date +%s) - 100 ))
{
    # referrals for the top-level domain, its NS set and glue changing
    for i in 1 2 3; do
        echo "$((t + i)) test. 300 IN NS ns$i.nic.test."
        echo "$((t + i)) ns$i.nic.test. 300 IN A 45.$i.0.1"
    done
    # double flux at dflux.test.: its own NS set and glue rotate too
    for i in 1 2 3; do
        echo "$((t + 10 + i)) dflux.test. 120 IN NS ns$i.dflux.test."
        echo "$((t + 10 + i)) ns$i.dflux.test. 120 IN A 46.$i.0.1"
    done
    for i in 1 2 3; do
        echo "$((t + 20 + i)) dflux.test. 60 IN A 47.$i.0.1"
        echo "$((t + 20 + i)) dflux.test. 60 IN A 48.$i.0.1"
        echo "$((t + 30 + i)) bot.flux.test. 60 IN A 49.$i.0.1"
        echo "$((t + 30 + i)) bot.flux.test. 60 IN A 50.$i.0.1"
        echo "$((t + 30 + i)) bot.flux.test. 60 IN A 51.$i.0.1"
    done
} >"$FG_WORK/trace.txt"

SEG=$FG_WORK/segment
"$REPLAY" --segment "$SEG" "$FG_WORK/trace.txt" >"$FG_WORK/replay.tsv" ||
    fg_fail "replay exited $?: $(cat "$FG_WORK/replay.tsv")"
[ -f "$SEG" ] || fg_fail "replay --segment left no segment at $SEG"
# --segment never overwrites
"$REPLAY" --segment "$SEG" "$FG_WORK/trace.txt" >/dev/null 2>"$FG_WORK/again.err" &&
    fg_fail "replay --segment overwrote an existing segment"
grep -q "exists; refusing to overwrite" "$FG_WORK/again.err" || fg_fail "no refusal: $(cat "$FG_WORK/again.err")"

for name in dflux.test. bot.flux.test.; do
    stored=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$FG_WORK/replay.tsv")
    [ -n "$stored" ] || fg_fail "$name not in the replay: $(cat "$FG_WORK/replay.tsv")"
    out=$("$CONTROL" -s "$SEG" show "$name") || fg_fail "show $name: $out"
    explained=$(echo "$out" | sed -n 's/^score \([0-9.]*\), threshold.*/\1/p')
    ns=$(echo "$out" | awk '$1 == "ns" { print $5 }')
    fg_log "$name: stored $stored, explained $explained, ns contribution $ns"
    [ "$explained" = "$stored" ] || fg_fail "show $name explains $explained, the detector stored $stored: $out"
    case $name in
    dflux.test.) [ "$ns" != 0.00 ] || fg_fail "dflux.test.'s own NS flux is missing from the explanation: $out" ;;
    bot.flux.test.) [ "$ns" = 0.00 ] || fg_fail "the top-level domain's referrals counted for bot.flux.test.: $out" ;;
    esac
done
fg_log "show explains the stored scores"
