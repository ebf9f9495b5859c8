#!/usr/bin/env bash
# fluxguard-replay --answers judges each upstream answer as the module does:
# Unbound with fluxguard (action refuse) resolves flux, alias and clean names
# from fg-testauthd, which traces every answer it sends; replaying that trace
# with the same fluxguard.conf gives the action Unbound answered with
# (REFUSED or not), CNAME aliases of the flagged name included.
# With TTL 0 nothing is cached, so every client query not answered by a
# local zone reaches the server; Unbound may also fetch a CNAME's target once
# more on its own, or answer an alias from a cached CNAME and one upstream
# answer for the target. So the checks are: every query name the replay
# judged refuse was blocked by the module, the alias of an alias among them;
# and each client query that caused exactly one upstream answer, for its own
# name, got the rcode the replay judged for that answer.
. "$FG_SRCDIR/tests/integration/lib.sh"

REPLAY=$FG_BUILDDIR/tools/fluxguard-replay
fg_require "$REPLAY"
TRACE=$FG_WORK/upstream.trace
FG_SCENARIO=$FG_SRCDIR/tests/integration/scenarios/judge.scn FG_AUTHD_ARGS="-t $TRACE" \
    fg_start_flux_stack
QLOG=$FG_WORK/authd-queries.log

# Each query in turn: how many upstream answers it caused, and Unbound's rcode.
: >"$FG_WORK/unbound.rows"
for q in static cdn alias bot alias2 cdn bot alias alias2 cdn static alias2; do
    before=$(wc -l <"$QLOG" 2>/dev/null || echo 0)
    status=$(fg_ask "$q.flux.test" A | fg_status_of)
    after=$(wc -l <"$QLOG")
    echo "$q.flux.test. $status $((after - before))" >>"$FG_WORK/unbound.rows"
done
grep -q '^alias2\.flux\.test\. REFUSED [1-9]' "$FG_WORK/unbound.rows" ||
    fg_fail "no upstream-resolved alias of an alias was refused: $(cat "$FG_WORK/unbound.rows")"

"$REPLAY" --config "$FLUXGUARD_CONF" --answers "$TRACE" >"$FG_WORK/replay.tsv" 2>"$FG_WORK/replay.err" ||
    fg_fail "replay exited $?: $(cat "$FG_WORK/replay.err")"
# 1. what the replay blocks, the module blocked
sed -n 's/.*fluxguard: blocking \([^ ]*\) .*/\1/p' "$FG_WORK/unbound.log" | sort -u >"$FG_WORK/module.blocked"
tail -n +2 "$FG_WORK/replay.tsv" >"$FG_WORK/replay.rows"
awk -F'\t' '$3 == "refuse" { print $2 }' "$FG_WORK/replay.rows" | sort -u >"$FG_WORK/replay.blocked"
[ -s "$FG_WORK/module.blocked" ] || fg_fail "the module blocked nothing"
missing=$(comm -13 "$FG_WORK/module.blocked" "$FG_WORK/replay.blocked")
[ -z "$missing" ] || fg_fail "the replay blocks what the module did not: $missing (module: $(cat "$FG_WORK/module.blocked"))"
grep -qx 'alias2\.flux\.test\.' "$FG_WORK/replay.blocked" || fg_fail "the replay did not block the alias: $(cat "$FG_WORK/replay.rows")"

# 2. answer by answer, where one client query caused one answer for its name
row=0 compared=0
while read -r q status n; do
    row=$((row + n))
    [ "$n" -eq 1 ] || continue
    last=$(sed -n "${row}p" "$FG_WORK/replay.rows")
    [ -n "$last" ] || fg_fail "the replay has fewer answers than the server sent ($row)"
    [ "$(echo "$last" | cut -f2)" = "$q" ] || continue
    action=$(echo "$last" | cut -f3)
    case $action in
    refuse) want=REFUSED ;;
    pass) want=NOERROR ;;
    *) want="action $action" ;;
    esac
    [ "$want" = "$status" ] || fg_fail "$q: Unbound answered $status, the replay judged $action: $last"
    compared=$((compared + 1))
done <"$FG_WORK/unbound.rows"
[ "$row" -eq "$(wc -l <"$FG_WORK/replay.rows")" ] ||
    fg_fail "the replay has $(wc -l <"$FG_WORK/replay.rows") answers, the server sent $row"
grep -q 'REFUSED 1$' "$FG_WORK/unbound.rows" || fg_fail "no refused query was compared: $(cat "$FG_WORK/unbound.rows")"
[ "$compared" -ge 5 ] || fg_fail "only $compared answers compared: $(cat "$FG_WORK/unbound.rows")"
# an alias row names the flagged name that decided it
grep -Eq '^[0-9.]+	alias2?\.flux\.test\.	refuse	bot\.flux\.test\.	flux score [0-9.]+$' "$FG_WORK/replay.tsv" ||
    fg_fail "no alias row decided by bot.flux.test.: $(cat "$FG_WORK/replay.tsv")"
fg_log "the replay blocks $(tr '\n' ' ' <"$FG_WORK/replay.blocked"), the module $(tr '\n' ' ' <"$FG_WORK/module.blocked"); they agree on $compared single-answer queries ($row upstream answers)"
