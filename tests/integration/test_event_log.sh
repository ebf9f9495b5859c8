#!/usr/bin/env bash
# event-log: each flag and block is appended once as one JSON object per line,
# with time, domain, score, the features that drove it, action and list.
. "$FG_SRCDIR/tests/integration/lib.sh"

events=$FG_WORK/events.jsonl
fg_start_flux_stack "event-log: \"$events\"" "deny: other.test"
fg_flag_bot
[ "$(fg_ask bot.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "bot not refused"
[ "$(fg_ask www.other.test A | fg_status_of)" = REFUSED ] || fg_fail "denied name not refused"
fg_wait_for "three events" sh -c "[ \$(wc -l < '$events') -ge 3 ]"
sleep 0.5
python3 - "$events" <<'PY' || fg_fail "event log content wrong: $(cat "$events")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
ev = [json.loads(l) for l in lines]          # every line is one JSON object
flags = [e for e in ev if e["event"] == "flag"]
blocks = [e for e in ev if e["event"] == "block"]
assert len(flags) == 1, flags
f = flags[0]
assert f["domain"] == "bot.flux.test.", f
assert f["score"] >= 55 and f["action"] == "refuse" and f["list"] is None, f
assert "asns" in f["explain"]["features"], f
assert isinstance(f["time"], int), f
names = sorted(e["domain"] for e in blocks)
assert names == ["bot.flux.test.", "www.other.test."], names
deny = [e for e in blocks if e["domain"] == "www.other.test."][0]
assert deny["list"] == "deny" and deny["action"] == "refuse", deny
PY
fg_log "$(wc -l < "$events") events, valid JSON"
