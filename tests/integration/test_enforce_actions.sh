#!/usr/bin/env bash
# Each action on a flagged flux domain, on the module path and the cache path:
# nxdomain, nodata, redirect (the sinkhole addresses with redirect-ttl), each
# with EDE 15; and log (monitor only): answers unchanged, the decision logged.
. "$FG_SRCDIR/tests/integration/lib.sh"

# run_action ACTION: restart the stack with that action and flag bot.
run_action() {
    local action=$1
    shift
    fg_start_flux_stack "action: $action" "$@"
    fg_flag_bot
    sleep 1
}

expect_status() { # NAME TYPE STATUS
    local out
    out=$(fg_ask "$1" "$2")
    [ "$(echo "$out" | fg_status_of)" = "$3" ] || fg_fail "$ACTION: $1 $2: expected $3: $out"
    if [ "$3" != NOERROR ] || [ "$ACTION" = nodata ] || [ "$ACTION" = redirect ]; then
        echo "$out" | grep -q 'EDE: 15 (Blocked): (fluxguard: flux score' ||
            fg_fail "$ACTION: $1 $2: no EDE 15: $out"
    fi
}

stop_stack() {
    fg_stop_unbound
    for pid in "${FG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    FG_PIDS=()
    fg_unlink_segment
    unset FLUXGUARD_CONF FG_UNBOUND_PORT FG_CONTROL_PORT
    mv "$FG_WORK/unbound.log" "$FG_WORK/unbound-$ACTION.log.old"
}

ACTION=nxdomain
run_action nxdomain
expect_status bot.flux.test A NXDOMAIN
expect_status alias.flux.test A NXDOMAIN
fg_unbound_control list_local_zones | grep -q '^bot\.flux\.test\. always_nxdomain$' || fg_fail "no always_nxdomain zone"
stop_stack

ACTION=nodata
run_action nodata
expect_status bot.flux.test A NOERROR
[ -z "$(fg_ask bot.flux.test A +short)" ] || fg_fail "nodata: bot A has records"
[ -z "$(fg_ask bot.flux.test AAAA +short)" ] || fg_fail "nodata: bot AAAA has records"
stop_stack

ACTION=redirect
run_action redirect "redirect-address: 192.0.2.66" "redirect-address: 2001:db8::66" "redirect-ttl: 42"
expect_status bot.flux.test A NOERROR
out=$(fg_ask bot.flux.test A +noall +answer)
echo "$out" | grep -Eq '^bot\.flux\.test\.[[:space:]]+42[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.66$' ||
    fg_fail "redirect: bot A is not the sinkhole with TTL 42: $out"
[ "$(fg_ask bot.flux.test AAAA +short)" = 2001:db8::66 ] || fg_fail "redirect: bot AAAA"
out=$(fg_ask alias.flux.test A +short)
echo "$out" | grep -qx 192.0.2.66 || fg_fail "redirect: alias A: $out"
echo "$out" | grep -q '^45\.' && fg_fail "redirect: alias still carries real addresses: $out"
stop_stack

ACTION=log
run_action log
for t in A AAAA; do
    out=$(fg_ask bot.flux.test $t)
    [ "$(echo "$out" | fg_status_of)" = NOERROR ] || fg_fail "log: bot $t changed: $out"
    echo "$out" | grep -q 'EDE' && fg_fail "log: EDE on an unchanged answer: $out"
done
[ -n "$(fg_ask bot.flux.test A +short)" ] || fg_fail "log: bot A lost its records"
fg_wait_for "the monitor-mode decision in the log" fg_unbound_log_has "would block bot.flux.test."
fg_unbound_control list_local_zones | grep -q '^bot\.flux\.test\.' && fg_fail "log: a local zone was added"
# ... and counted: the bot AAAA answer that flagged it and the bot A queries
n=$("$FG_BUILDDIR/tools/fluxguard-control" -s "$FG_SEGMENT" stats_noreset | sed -n 's/^fluxguard\.action\.log=//p')
[ "${n:-0}" -ge 2 ] || fg_fail "log: action.log counted '$n'"
fg_log "nxdomain, nodata, redirect and log behave"
