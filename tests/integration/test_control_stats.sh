#!/usr/bin/env bash
# fluxguard-control stats, stats_noreset, --prometheus (checked with promtool:
# labels, _total counters, units, HELP and TYPE once per metric), --json and
# --with-unbound against a live Unbound: counters move by exactly the right
# amounts after known queries; stats resets, stats_noreset and a Prometheus
# scrape through either do not; --textfile replaces its file atomically; -u
# finds unbound-control with PATH empty.
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
# one metric per meaning, its values told apart by a label; units in the names
for want in 'fluxguard_actions_total{action="refuse"} 2' 'fluxguard_actions_total{action="nxdomain"} 0' \
    'fluxguard_answers_total{result="recorded"} 3' 'fluxguard_list_hits_total{list="deny"} 0' \
    'fluxguard_domains{verdict="flagged"} 1' 'fluxguard_domains_flagged_total 1' \
    'fluxguard_segment_capacity 4096' '# TYPE fluxguard_actions_total counter' \
    '# TYPE fluxguard_domains gauge' '# TYPE fluxguard_tracker_evictions_total counter' \
    '# TYPE fluxguard_segment_size_bytes gauge' '# TYPE fluxguard_segment_age_seconds gauge' \
    '# TYPE fluxguard_segment_fill_ratio gauge'; do
    echo "$prom" | grep -qxF "$want" || fg_fail "expected '$want' in: $prom"
done
echo "$prom" | grep -q '^fluxguard_action_' && fg_fail "a metric per action is left: $prom"
# every metric has one HELP and one TYPE line, counters and only they end in _total
[ "$(echo "$prom" | grep -c '^# TYPE fluxguard_actions_total ')" = 1 ] || fg_fail "actions TYPE not once"
echo "$prom" | awk '/^# TYPE / { if (($4 == "counter") != ($3 ~ /_total$/)) bad = 1; t[$3]++ }
    /^# HELP / { h[$3]++ } END { for (m in t) if (t[m] != 1 || h[m] != 1) bad = 1; exit bad }' ||
    fg_fail "HELP/TYPE lines or _total suffixes wrong: $prom"

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
# -u without unbound-control on PATH (cron, systemd units): it is looked for
# beside fluxguard-control first, then in the configured Unbound prefix's sbin
out=$(PATH='' "$CONTROL" -s "$FG_SEGMENT" stats_noreset -u --unbound-config "$FG_WORK/unbound.conf") ||
    fg_fail "-u with PATH empty failed: $out"
echo "$out" | grep -q '^total\.num\.queries=' || fg_fail "-u with PATH empty: no Unbound stats in: $out"
mkdir "$FG_WORK/sbin"
cp "$CONTROL" "$FG_WORK/sbin/fluxguard-control"
printf '#!/bin/sh\necho total.num.queries=4242\n' >"$FG_WORK/sbin/unbound-control"
chmod +x "$FG_WORK/sbin/unbound-control"
out=$(PATH='' "$FG_WORK/sbin/fluxguard-control" -s "$FG_SEGMENT" stats_noreset -u) || fg_fail "-u beside: $out"
echo "$out" | grep -qx 'total.num.queries=4242' || fg_fail "-u did not run the unbound-control beside fluxguard-control: $out"
# found nowhere: one line naming every place tried
set +e
err=$(PATH='' "$CONTROL" -s "$FG_SEGMENT" stats_noreset -u --unbound-control fg-no-such-control 2>&1 >/dev/null); rc=$?
set -e
want="fluxguard-control: fg-no-such-control not found: tried $(readlink -f "$FG_BUILDDIR/tools")/fg-no-such-control,"
want="$want $FG_UNBOUND_PREFIX/sbin/fg-no-such-control and the directories of PATH (empty); name it with --unbound-control PATH"
[ $rc = 1 ] && [ "$err" = "$want" ] || fg_fail "unbound-control found nowhere: exit $rc, $err"

# a scrape never resets, even through stats: two scrapes with one recorded
# answer between see the counters grow by exactly that
p1=$(ctl stats --prometheus) || fg_fail "stats --prometheus failed"
echo "$p1" | grep -qx 'fluxguard_answers_total{result="recorded"} 3' || fg_fail "first scrape: $p1"
[ "$(fg_ask www.other.test A +short)" = 198.51.100.7 ] || fg_fail "www.other.test"   # 1 more answer
p2=$(ctl stats --prometheus) || fg_fail "second stats --prometheus failed"
echo "$p2" | grep -qx 'fluxguard_answers_total{result="recorded"} 4' || fg_fail "a scrape reset the counters: $p2"
echo "$p2" | grep -qx 'fluxguard_actions_total{action="refuse"} 2' || fg_fail "a scrape reset the actions: $p2"
ctl stats_noreset | grep -qx 'fluxguard.action.refuse=2' || fg_fail "counters reset after two scrapes"

# --textfile: the exposition for node_exporter's textfile collector, written
# to a temporary file and renamed over the old one, so that a reader never sees
# half a file; nothing on stdout, nothing left beside it, readable by others
tfdir=$FG_WORK/textfile
mkdir "$tfdir"
out=$(umask 022 && ctl stats --textfile "$tfdir/fluxguard.prom") || fg_fail "--textfile failed: $out"
[ -z "$out" ] || fg_fail "--textfile printed: $out"
promtool check metrics <"$tfdir/fluxguard.prom" || fg_fail "promtool rejects the textfile"
grep -qx 'fluxguard_actions_total{action="refuse"} 2' "$tfdir/fluxguard.prom" || fg_fail "textfile content"
[ "$(stat -c %a "$tfdir/fluxguard.prom")" = 644 ] || fg_fail "textfile mode $(stat -c %a "$tfdir/fluxguard.prom")"
ino=$(stat -c %i "$tfdir/fluxguard.prom")
exec 3<"$tfdir/fluxguard.prom"              # a collector in the middle of reading the old file
ctl stats --textfile "$tfdir/fluxguard.prom" || fg_fail "second --textfile failed"
[ "$(stat -c %i "$tfdir/fluxguard.prom")" != "$ino" ] || fg_fail "the textfile was rewritten in place, not renamed over"
promtool check metrics <&3 || fg_fail "the reader of the old file saw it change"
exec 3<&-
[ "$(ls -A "$tfdir")" = fluxguard.prom ] || fg_fail "left beside the textfile: $(ls -A "$tfdir")"
ctl stats_noreset | grep -qx 'fluxguard.action.refuse=2' || fg_fail "stats --textfile reset the counters"
set +e
err=$(ctl stats --textfile "$FG_WORK/no-such-dir/fluxguard.prom" 2>&1); rc=$?
set -e
[ $rc = 1 ] && [ "$(echo "$err" | wc -l)" = 1 ] && echo "$err" | grep -q "^fluxguard-control: --textfile $FG_WORK/no-such-dir/fluxguard.prom: " ||
    fg_fail "--textfile into a missing directory: exit $rc, $err"

# stats resets the resettable counters, as unbound-control stats does
out=$(ctl stats) || fg_fail "stats failed"
echo "$out" | grep -qx 'fluxguard.action.refuse=2' || fg_fail "stats did not print before resetting"
out=$(ctl stats_noreset)
echo "$out" | grep -qx 'fluxguard.action.refuse=0' || fg_fail "stats did not reset: $out"
echo "$out" | grep -qx 'fluxguard.domains.flagged=1' || fg_fail "a gauge was reset: $out"
fg_log "counters exact, promtool and JSON happy, scrapes leave counters alone, reset works"
