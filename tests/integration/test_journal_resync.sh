#!/usr/bin/env bash
# A resolver that falls more than the journal's ring behind re-checks every
# zone it holds and releases the ones no longer backed, without touching
# freed memory (issue 15, finding 1: release() freed the entry whose name it
# went on comparing, and the walk held a next pointer across it). Unbound
# runs under valgrind. bot.flux.test. is flagged and three aliases of it
# (names under a wildcard CNAME, picked to share the zone table's bucket
# with bot.flux.test.) are blocked. Unbound is stopped (SIGSTOP) while the
# operator unflags bot.flux.test. and writes 300 more journal entries, then
# resumed: it must say it fell behind, unblock bot and every alias (none
# kept by a walk that skipped them), and valgrind must see no invalid access
# in the module.
. "$FG_SRCDIR/tests/integration/lib.sh"

command -v valgrind >/dev/null || fg_fail "valgrind is not installed (scripts/install-deps.sh installs it)"
CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
vlog=$FG_WORK/valgrind.log
FG_WAIT=120 FG_SCENARIO=$FG_SRCDIR/tests/integration/scenarios/hostile.scn \
    FG_UNBOUND_WRAPPER="valgrind --leak-check=no --keep-debuginfo=yes --num-callers=40 --log-file=$vlog" \
    fg_start_flux_stack "action: refuse" "decisions-file: \"$FG_WORK/decisions\""
ctl() { "$CONTROL" -s "$FG_SEGMENT" "$@"; }

# three names below wild.flux.test. in bot.flux.test.'s bucket of the zone
# table (module/fluxguard_zones.c: FNV-1a over the wire name, 4096 buckets)
mapfile -t aliases < <(python3 - <<'PY'
def bucket(name):
    wire = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"
    h = 2166136261
    for c in wire:
        h = ((h ^ c) * 16777619) & 0xffffffff
    return h % 4096
want, n, found = bucket("bot.flux.test."), 0, []
while len(found) < 3:
    name = f"a{n}.wild.flux.test."
    if bucket(name) == want:
        found.append(name)
    n += 1
print("\n".join(found))
PY
)
[ ${#aliases[@]} = 3 ] || fg_fail "could not pick the colliding names"

fg_ask bot.flux.test A >/dev/null
fg_ask bot.flux.test A >/dev/null
FG_WAIT=60 fg_wait_for "bot.flux.test flagged" fg_unbound_log_has "flagged bot.flux.test."
for a in "${aliases[@]}"; do
    [ "$(fg_ask "$a" A | fg_status_of)" = REFUSED ] || fg_fail "alias $a not blocked"
done
[ "$(fg_ask bot.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "bot.flux.test not blocked"

kill -STOP "$FG_UNBOUND_PID"
ctl unflag bot.flux.test >/dev/null || { kill -CONT "$FG_UNBOUND_PID"; fg_fail "unflag failed"; }
for i in $(seq 150); do
    ctl deny "junk$i.example" >/dev/null && ctl allow "junk$i.example" >/dev/null ||
        { kill -CONT "$FG_UNBOUND_PID"; fg_fail "journal burst: command $i failed"; }
done
kill -CONT "$FG_UNBOUND_PID"
FG_WAIT=60 fg_wait_for "the resolver to notice it fell behind" fg_unbound_log_has "fell behind the tracker's journal"
resolves() { fg_ask "$1" A +short | grep -q '^45\.'; }
FG_WAIT=60 fg_wait_for "bot.flux.test unblocked" resolves bot.flux.test
for a in "${aliases[@]}"; do
    resolves "$a" || fg_fail "alias $a still blocked after the resync: $(fg_ask "$a" A)"
done
fg_stop_unbound
bad=$(awk 'BEGIN { RS = "==[0-9]+== \n" } /Invalid|uninitialised|Mismatched/ && /fluxguard/' "$vlog")
[ -z "$bad" ] || fg_fail "valgrind: invalid accesses in fluxguard.so:
$bad"
grep -q "ERROR SUMMARY" "$vlog" || fg_fail "valgrind wrote no summary: $(tail -5 "$vlog")"
fg_log "fell behind, re-checked, released bot and its three same-bucket aliases; no invalid access"
