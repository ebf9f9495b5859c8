#!/usr/bin/env bash
# Reloads leak nothing of the module's: Unbound with fluxguard (two worker
# threads, each of which arms its zone timer on its first query) runs under
# valgrind through three `unbound-control reload`s, with queries after each so
# that every generation of the module arms its timers, a flag so that zones
# are made, and a clean stop. Valgrind must report no block definitely lost
# whose allocation went through fluxguard.so (before the fix: one 128-octet
# ub_event per worker per reload), and no memory error with a frame in it.
# Leaks of Unbound's own are not this test's.
. "$FG_SRCDIR/tests/integration/lib.sh"

command -v valgrind >/dev/null || fg_fail "valgrind is not installed (scripts/install-deps.sh installs it)"
vlog=$FG_WORK/valgrind.log
FG_WAIT=120 FG_UNBOUND_THREADS=2 \
    FG_UNBOUND_WRAPPER="valgrind --leak-check=full --show-leak-kinds=definite --keep-debuginfo=yes --num-callers=40 --log-file=$vlog" \
    fg_start_flux_stack "action: refuse"

queries() {
    local i
    for i in $(seq 12); do
        fg_ask static.flux.test A +short >/dev/null
        fg_ask "n$i.other.test" A >/dev/null
    done
}
queries
fg_flag_bot
for r in 1 2 3; do
    fg_unbound_control reload >/dev/null || fg_fail "reload $r failed"
    FG_WAIT=120 fg_wait_for "Unbound back after reload $r" fg_unbound_up
    queries
    [ "$(fg_ask bot.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "bot.flux.test not blocked after reload $r"
done
fg_log "three reloads done; stopping under valgrind"
kill -TERM "$FG_UNBOUND_PID"
for _ in $(seq 600); do kill -0 "$FG_UNBOUND_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$FG_UNBOUND_PID" 2>/dev/null && fg_fail "Unbound under valgrind did not stop within 60 s"
wait "$FG_UNBOUND_PID" 2>/dev/null || true
grep -q "LEAK SUMMARY\|All heap blocks were freed" "$vlog" ||
    fg_fail "valgrind wrote no leak summary; did the check run? $(tail -5 "$vlog")"
# Each loss record is a paragraph: "N bytes in M blocks are definitely lost
# ..." and its allocation stack. Ours are those with a frame in fluxguard.so.
ours=$(awk 'BEGIN { RS = "==[0-9]+== \n" } /definitely lost/ && /fluxguard/' "$vlog")
[ -z "$ours" ] || fg_fail "valgrind: blocks allocated through fluxguard.so definitely lost:
$ours"
# and no memory error with a frame in the module (the events freed at deinit)
bad=$(awk 'BEGIN { RS = "==[0-9]+== \n" } /Invalid|uninitialised|Mismatched/ && /fluxguard/' "$vlog")
[ -z "$bad" ] || fg_fail "valgrind: memory errors in fluxguard.so:
$bad"
fg_log "no block allocated through fluxguard.so lost across three reloads ($(grep -c 'definitely lost' "$vlog") loss records of Unbound's own)"
