#!/usr/bin/env bash
# fluxguard-control list on a segment of 151 domains that fluxguard-replay
# leaves behind (no resolver needed): a plain list stops at 100 rows and says
# how many more there are, --top N and --all change that; every time is shown
# as epoch seconds and as ISO 8601 UTC; --json parses, carries every domain
# (or --top N of them) with the same times, and honours --flagged.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
REPLAY=$FG_BUILDDIR/tools/fluxguard-replay
fg_require "$CONTROL" "$REPLAY"
SEG=$FG_WORK/list.seg

# 150 names with one answer each, and one fast-flux name with two answers of
# five addresses in five networks each, all within the last ten minutes
now=$(date +%s)
{
    for i in $(seq 1 150); do
        echo "$((now - 600 + i)) d$i.list.test. 300 IN A 198.18.$((i / 250)).$((i % 250 + 1))"
    done
    for a in 31.16.1.1 45.32.2.2 77.48.3.3 89.64.4.4 109.80.5.5; do
        echo "$((now - 300)) flux.list.test. 60 IN A $a"
    done
    for a in 151.96.6.6 178.112.7.7 188.128.8.8 190.144.9.9 201.160.10.10; do
        echo "$((now - 200)) flux.list.test. 60 IN A $a"
    done
} >"$FG_WORK/trace.txt"
"$REPLAY" --segment "$SEG" "$FG_WORK/trace.txt" >"$FG_WORK/replay.out" || fg_fail "replay failed"
ctl() { "$CONTROL" -s "$SEG" "$@"; }

out=$(ctl list) || fg_fail "list failed: $out"
[ "$(echo "$out" | wc -l)" = 102 ] || fg_fail "plain list: expected a header, 100 rows and a closing line, got $(echo "$out" | wc -l) lines"
[ "$(echo "$out" | tail -n 1)" = "(51 more domains not shown: --top N or --all shows them)" ] ||
    fg_fail "plain list closing line: $(echo "$out" | tail -n 1)"
echo "$out" | head -n 1 | grep -Eq '^domain +score verdict +answers addresses +last-seen last-seen-utc$' ||
    fg_fail "list header: $(echo "$out" | head -n 1)"
echo "$out" | sed -n 2p | grep -Eq '^flux\.list\.test\. +[0-9.]+ flagged ' || fg_fail "flux name not first: $out"
# every row's last-seen is epoch seconds and the same instant in UTC
echo "$out" | sed '1d;$d' | python3 -c '
import sys, datetime
for line in sys.stdin:
    f = line.split()
    utc = datetime.datetime.fromtimestamp(int(f[5]), datetime.timezone.utc)
    assert f[6] == utc.strftime("%Y-%m-%dT%H:%M:%SZ"), line
' || fg_fail "list times: $out"
[ "$(ctl list --all | wc -l)" = 152 ] || fg_fail "list --all: $(ctl list --all | wc -l) lines"
[ "$(ctl list --top 5 | wc -l)" = 6 ] || fg_fail "list --top 5: $(ctl list --top 5)"
[ "$(ctl list --flagged | wc -l)" = 2 ] || fg_fail "list --flagged: $(ctl list --flagged)"

json=$(ctl list --json) || fg_fail "list --json failed"
echo "$json" | python3 -c '
import sys, json, datetime
def utc(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
d = json.load(sys.stdin)
assert d["version"] == 1 and d["segment"] == sys.argv[1], d["segment"]
assert d["time_utc"] == utc(d["time"])
assert d["total"] == 151 and d["shown"] == 151 and len(d["domains"]) == 151, (d["total"], d["shown"])
top = d["domains"][0]
assert top["domain"] == "flux.list.test." and top["verdict"] == "flagged", top
assert top["flagged_at_utc"] == utc(top["flagged_at"]), top
for e in d["domains"]:
    assert set(e) == {"domain", "score", "verdict", "answers", "addresses", "first_seen",
                      "first_seen_utc", "last_seen", "last_seen_utc", "flagged_at",
                      "flagged_at_utc"}, e
    for k in ("first_seen", "last_seen"):
        assert e[k + "_utc"] == utc(e[k]), e
    if e["verdict"] != "flagged":
        assert e["flagged_at"] is None and e["flagged_at_utc"] is None, e
' "$SEG" || fg_fail "list --json: $json"
ctl list --json --top 3 | python3 -c '
import sys, json
d = json.load(sys.stdin)
assert d["total"] == 151 and d["shown"] == 3 and len(d["domains"]) == 3, d
' || fg_fail "list --json --top 3"
ctl list --json --flagged | python3 -c '
import sys, json
d = json.load(sys.stdin)
assert d["total"] == 1 and [e["domain"] for e in d["domains"]] == ["flux.list.test."], d
' || fg_fail "list --json --flagged"
# stats --json carries its time in UTC too
ctl stats_noreset --json | python3 -c '
import sys, json, datetime
d = json.load(sys.stdin)
assert d["time_utc"] == datetime.datetime.fromtimestamp(d["time"], datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
' || fg_fail "stats --json time_utc"

set +e
err=$(ctl list --top 5 --all 2>&1); rc=$?
set -e
[ $rc = 1 ] && [ "$err" = "fluxguard-control: list: --top N and --all do not go together" ] ||
    fg_fail "--top with --all: exit $rc, $err"
fg_log "list limits, times and JSON as documented"
