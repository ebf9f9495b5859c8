#!/usr/bin/env bash
# fluxguard-control stats, stats_noreset, --prometheus (checked with promtool),
# --json and --with-unbound against a live Unbound: counters move by exactly
# the right amounts after known queries; stats resets, stats_noreset does not.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
command -v promtool >/dev/null || fg_fail "promtool (Debian package prometheus) is not installed"
fg_start_flux_stack
ctl() { "$CONTROL" -s "$FG_SEGMENT" "$@"; }
val() { echo "$1" | sed -n "s/^fluxguard\.$2=//p"; }

out=$(ctl stats_noreset) || fg_fail "stats_noreset failed: $out"
[ "$(val "$out" answers.recorded)" = 0 ] || fg_fail "fresh segment: answers.recorded not 0: $out"
fg_flag_bot                                   # 2 address answers, 1 flag, 1 block (module path)
[ "$(fg_ask bot.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "bot A"   # 1 block (zone path)
[ "$(fg_ask static.flux.test A +short)" = 198.51.100.1 ] || fg_fail "static"  # 1 more answer

out=$(ctl stats_noreset)
for want in answers.recorded=3 domains.newly_flagged=1 action.refuse=2 zones.added=1 \
    action.nxdomain=0 errors=0 domains.flagged=1 domains.tracked=2 segment.capacity=4096; do
    echo "$out" | grep -qx "fluxguard.$want" || fg_fail "expected fluxguard.$want in: $out"
done
echo "$out" | grep -Eq '^fluxguard\.time\.up=[0-9]+\.[0-9]{6}$' || fg_fail "time.up format: $out"
echo "$out" | grep -Eq '^fluxguard\.segment\.fill=0\.000488$' || fg_fail "segment.fill: $out"
# every line is name=value, unbound-control style
echo "$out" | grep -vEq '^fluxguard\.[a-z_.]+=[0-9.]+$' && fg_fail "malformed stats line: $out"

prom=$(ctl stats_noreset --prometheus) || fg_fail "--prometheus failed"
echo "$prom" | promtool check metrics || fg_fail "promtool rejects the exposition: $prom"
echo "$prom" | grep -qx 'fluxguard_action_refuse_total 2' || fg_fail "prometheus refuse counter: $prom"
echo "$prom" | grep -qx '# TYPE fluxguard_domains_flagged gauge' || fg_fail "gauge TYPE line"

json=$(ctl stats_noreset --json) || fg_fail "--json failed"
echo "$json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["version"] == 1 and d["segment"] == sys.argv[1], d
assert d["counters"]["fluxguard.action.refuse"] == 2
assert d["gauges"]["fluxguard.domains.flagged"] == 1
assert "unbound" not in d
' "$FG_SEGMENT" || fg_fail "json: $json"
# the text, Prometheus and JSON outputs carry the same counters and gauges
[ "$(echo "$out" | wc -l)" = "$(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["counters"])+len(d["gauges"]))')" ] ||
    fg_fail "text and JSON differ in number"
[ "$(echo "$out" | wc -l)" = "$(echo "$prom" | grep -c '^fluxguard_')" ] || fg_fail "text and Prometheus differ in number"

both=$(ctl stats_noreset --with-unbound --unbound-control "$FG_UNBOUND_CONTROL" \
    --unbound-config "$FG_WORK/unbound.conf") || fg_fail "--with-unbound failed"
echo "$both" | grep -q '^total\.num\.queries=' || fg_fail "no Unbound stats in: $both"
echo "$both" | grep -q '^mem\.mod\.dynlibmod=' || fg_fail "no mem.mod.dynlibmod in: $both"
echo "$both" | grep -qx 'fluxguard.action.refuse=2' || fg_fail "no fluxguard stats after Unbound's"
bothp=$(ctl stats_noreset --prometheus --with-unbound --unbound-control "$FG_UNBOUND_CONTROL" \
    --unbound-config "$FG_WORK/unbound.conf")
echo "$bothp" | promtool check metrics || fg_fail "promtool rejects the combined exposition"
echo "$bothp" | grep -q '^unbound_total_num_queries [0-9]' || fg_fail "no unbound_total_num_queries"
echo "$bothp" | grep -q '^unbound_histogram' && fg_fail "histogram lines in the exposition"
# -u is --with-unbound; --json puts Unbound's numbers in an "unbound" object
both=$(ctl stats_noreset -u --unbound-control "$FG_UNBOUND_CONTROL" --unbound-config "$FG_WORK/unbound.conf")
echo "$both" | grep -q '^total\.num\.queries=' || fg_fail "-u: no Unbound stats in: $both"
json=$(ctl stats_noreset --json -u --unbound-control "$FG_UNBOUND_CONTROL" \
    --unbound-config "$FG_WORK/unbound.conf") || fg_fail "--json --with-unbound failed"
echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["version"]==1; assert d["unbound"]["total.num.queries"]>=3; assert d["counters"]["fluxguard.action.refuse"]==2' ||
    fg_fail "json with unbound: $json"
# an unbound-control that fails: one line of ours, exit 1
set +e
err=$(ctl stats_noreset -u --unbound-control /nonexistent/unbound-control 2>&1 >/dev/null); rc=$?
set -e
[ $rc = 1 ] && [ "$err" = "fluxguard-control: cannot run /nonexistent/unbound-control: No such file or directory" ] ||
    fg_fail "a missing unbound-control: exit $rc, $err"

# stats resets the resettable counters, as unbound-control stats does
out=$(ctl stats) || fg_fail "stats failed"
echo "$out" | grep -qx 'fluxguard.action.refuse=2' || fg_fail "stats did not print before resetting"
out=$(ctl stats_noreset)
echo "$out" | grep -qx 'fluxguard.action.refuse=0' || fg_fail "stats did not reset: $out"
echo "$out" | grep -qx 'fluxguard.domains.flagged=1' || fg_fail "a gauge was reset: $out"
fg_log "counters exact, promtool and JSON happy, reset works"
