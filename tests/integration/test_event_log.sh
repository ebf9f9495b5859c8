#!/usr/bin/env bash
# event-log: what a SOC needs to find the infected hosts.
# 1. Every blocked query (not only a name's first) is one JSON line with the
#    client's address and port, the query type, the resolver's identity
#    (Unbound's identity:), the action, the deciding name and its real score
#    (a list decision: the list, score null), on the module path and on the
#    local-zone (cache) path alike; the flag is one line with the score's
#    explanation. An alias names its target and carries the target's score,
#    in the event and in the EDE, and `fluxguard-control show ALIAS` says
#    what it follows, and that it no longer blocks it once unflagged.
# 2. Rotation: after `mv` and `unbound-control log_reopen`, and after `mv`
#    and SIGHUP (a reload in Unbound), events go to a new file at the path.
# 3. event-rate: beyond it block events are left out, counted
#    (events.suppressed) and summed up in suppressed lines.
# 4. Monitor mode (action log) writes would-block, never block.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
events=$FG_WORK/events.jsonl
FG_UNBOUND_EXTRA='identity: "fg-soc-resolver"' \
    fg_start_flux_stack "event-log: \"$events\"" "event-rate: 1000" "deny: other.test"
conf=$FLUXGUARD_CONF

# ask NAME TYPE PORT: dig from 127.0.0.1 port PORT, so the event can be matched
ask_from() { fg_ask "$1" "$2" -b "127.0.0.1#$3"; }
# lines FILE: how many lines FILE has (0 if it does not exist)
lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
# wait_lines FILE N: until FILE has at least N lines
wait_lines() { fg_wait_for "$2 lines in $1" sh -c "[ \$(wc -l < '$1' 2>/dev/null || echo 0) -ge $2 ]"; }
reload() {
    local n
    n=$(grep -c "fluxguard: initialised" "$FG_WORK/unbound.log")
    "$@" >/dev/null || fg_fail "$*"
    fg_wait_for "fluxguard initialised again" sh -c \
        "[ \$(grep -c 'fluxguard: initialised' '$FG_WORK/unbound.log') -gt $n ]"
    fg_wait_for "Unbound back after the reload" fg_unbound_up
}
ede_of() { sed -n 's/.*EDE: 15 (Blocked): (\(.*\)).*/\1/p' | head -n 1; }

# --- 1. every blocked query, with client, type, identity, action, score ----
fg_flag_bot
p1=$(fg_free_port); p2=$(fg_free_port); p3=$(fg_free_port); p4=$(fg_free_port)
p5=$(fg_free_port); p6=$(fg_free_port); p7=$(fg_free_port)
[ "$(ask_from bot.flux.test A "$p1" | fg_status_of)" = REFUSED ] || fg_fail "bot A not refused"
[ "$(ask_from bot.flux.test A "$p2" | fg_status_of)" = REFUSED ] || fg_fail "bot A again not refused"
# the alias's first query after the flag goes through the module (its cached
# answer went with bot's RRsets); afterwards its own local zone answers
[ "$(ask_from alias.flux.test A "$p3" | fg_status_of)" = REFUSED ] || fg_fail "alias A not refused"
[ "$(ask_from www.other.test A "$p4" | fg_status_of)" = REFUSED ] || fg_fail "denied name not refused"
[ "$(ask_from deep.bot.flux.test TXT "$p5" | fg_status_of)" = REFUSED ] || fg_fail "name below bot not refused"
# the local-zone path for both, one right after the other: the same score
bot_out=$(ask_from bot.flux.test A "$p6")
alias_out=$(ask_from alias.flux.test A "$p7")
bot_ede=$(echo "$bot_out" | ede_of)
alias_ede=$(echo "$alias_out" | ede_of)
case "$bot_ede" in "fluxguard: flux score "*) ;; *) fg_fail "bot's EDE: $bot_out" ;; esac
[ "$alias_ede" = "$bot_ede" ] || fg_fail "the alias's EDE ($alias_ede) differs from its target's ($bot_ede)"
show_bot=$("$CONTROL" -s "$FG_SEGMENT" show bot.flux.test) || fg_fail "show bot: $show_bot"
bot_score=$(echo "$show_bot" | sed -n 's/^score: //p')
show_alias=$("$CONTROL" -s "$FG_SEGMENT" show alias.flux.test 2>&1) || fg_fail "show alias: $show_alias"
echo "$show_alias" | grep -qx 'follows: bot\.flux\.test\.' || fg_fail "show alias does not say what it follows: $show_alias"
echo "$show_alias" | grep -qx "follows-verdict: flagged, score $bot_score (blocked as an alias of it: its CNAME chain ends there)" ||
    fg_fail "show alias does not explain its block with bot's score $bot_score: $show_alias"
# the flag, the AAAA block that came with it, and the seven queries above
wait_lines "$events" 9
sleep 0.5
python3 - "$events" "$bot_score" "$p1" "$p2" "$p3" "$p4" "$p5" "$p6" "$p7" <<'PY' || fg_fail "event log content wrong: $(cat "$events")"
import json, sys
path, bot_score = sys.argv[1], float(sys.argv[2])
ports = [int(p) for p in sys.argv[3:]]
ev = [json.loads(l) for l in open(path).read().splitlines()]   # one JSON object per line
keys = ["time", "event", "identity", "client", "client_port", "domain", "qtype",
        "score", "action", "list", "decided_by", "reason"]
for e in ev:
    assert list(e)[:len(keys)] == keys, e                    # one schema
    assert e["identity"] == "fg-soc-resolver", e
flags = [e for e in ev if e["event"] == "flag"]
assert len(flags) == 1, flags
f = flags[0]
assert f["domain"] == "bot.flux.test." and f["score"] >= 55, f
assert f["action"] == "refuse" and f["list"] is None and f["client"] is None, f
assert "asns" in f["explain"]["features"], f
blocks = [e for e in ev if e["event"] == "block"]
assert not [e for e in ev if e["event"] == "would-block"], ev
by_port = {e["client_port"]: e for e in blocks}
# every query made from a known port has its own event
for p in ports:
    assert p in by_port, (p, blocks)
    e = by_port[p]
    assert e["client"] == "127.0.0.1" and e["action"] == "refuse", e
    assert isinstance(e["time"], int), e
want = {  # port: (domain, qtype, decided_by)
    ports[0]: ("bot.flux.test.", "A", "bot.flux.test."),
    ports[1]: ("bot.flux.test.", "A", "bot.flux.test."),
    ports[2]: ("alias.flux.test.", "A", "bot.flux.test."),
    ports[3]: ("www.other.test.", "A", "www.other.test."),
    ports[4]: ("deep.bot.flux.test.", "TXT", "bot.flux.test."),
    ports[5]: ("bot.flux.test.", "A", "bot.flux.test."),
    ports[6]: ("alias.flux.test.", "A", "bot.flux.test."),
}
for p, (domain, qtype, by) in want.items():
    e = by_port[p]
    assert (e["domain"], e["qtype"], e["decided_by"]) == (domain, qtype, by), e
# a block by score carries the real score, the one its reason gives
for e in blocks:
    if e["list"] is None:
        assert e["score"] is not None and e["score"] >= 55, e
        assert e["reason"] == "flux score %.1f" % e["score"], e
deny = by_port[ports[3]]
assert deny["list"] == "deny" and deny["score"] is None and deny["reason"] == "deny list", deny
# the AAAA query that flagged bot was blocked too (module path)
assert [e for e in blocks if e["qtype"] == "AAAA" and e["domain"] == "bot.flux.test."], blocks
# the alias carries its target's score: on the local-zone path right after
# bot's, the same score, and the one the tracker holds
last_bot, last_alias = by_port[ports[5]], by_port[ports[6]]
assert last_alias["score"] == last_bot["score"] == round(bot_score, 1), (last_bot, last_alias, bot_score)
PY
fg_log "$(wc -l < "$events") events: every blocked query with client, type, identity and the real score"

# --- 2. rotation: mv + log_reopen, mv + SIGHUP -----------------------------
mv "$events" "$events.1"
fg_unbound_control log_reopen >/dev/null || fg_fail "unbound-control log_reopen"
# the writer looks once a second; what comes before goes to the moved file,
# as with any log a daemon reopens on a signal
fg_wait_for "a new event log at the path" test -f "$events"
before=$(lines "$events.1")
pr=$(fg_free_port)
[ "$(ask_from bot.flux.test AAAA "$pr" | fg_status_of)" = REFUSED ] || fg_fail "bot AAAA after the move"
wait_lines "$events" 1
grep -q "\"client_port\":$pr," "$events" || fg_fail "the event after mv + log_reopen is not in the new file: $(cat "$events")"
[ "$(lines "$events.1")" = "$before" ] || fg_fail "events still go to the moved file"
fg_unbound_log_has "event-log $events: the file was moved or removed" || fg_fail "the switch is not logged"
mv "$events" "$events.2"
reload kill -HUP "$FG_UNBOUND_PID"
pr=$(fg_free_port)
[ "$(ask_from bot.flux.test A "$pr" | fg_status_of)" = REFUSED ] || fg_fail "bot A after SIGHUP"
wait_lines "$events" 1
grep -q "\"client_port\":$pr," "$events" || fg_fail "the event after mv + SIGHUP is not in the new file: $(cat "$events")"
grep -q "\"client_port\":$pr," "$events.2" && fg_fail "the event after SIGHUP went to the moved file"
fg_log "mv + log_reopen and mv + SIGHUP continue in a new file"

# --- 3. event-rate: left out, counted, summed up -----------------------------
sed -i 's/event-rate: 1000/event-rate: 2/' "$conf"
reload fg_unbound_control reload
suppressed_before=$("$CONTROL" -s "$FG_SEGMENT" stats_noreset | sed -n 's/^fluxguard\.events\.suppressed=//p')
: > "$events"
t0=$(date +%s)
for i in $(seq 20); do
    [ "$(fg_ask bot.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "burst query $i not refused"
done
t1=$(date +%s)
fg_wait_for "a suppressed line" grep -q '"event":"suppressed"' "$events"
sleep 1.5
n=$(python3 - "$events" "$((t1 - t0 + 1))" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
seconds = int(sys.argv[2])
blocks = [e for e in ev if e["event"] == "block"]
sup = [e for e in ev if e["event"] == "suppressed"]
n = sum(e["count"] for e in sup)
# every query is either written or counted, and at most 2 a second written
assert len(blocks) + n == 20, (len(blocks), n, ev)
assert 2 <= len(blocks) <= 2 * seconds and n >= 1, (len(blocks), n, seconds)
for e in sup:
    assert e["identity"] == "fg-soc-resolver" and e["since"] <= e["time"], e
    assert e["reason"] == "event-rate: more than 2 block events in a second", e
print(n)
PY
) || fg_fail "rate-limited event log wrong: $(cat "$events")"
suppressed=$("$CONTROL" -s "$FG_SEGMENT" stats_noreset | sed -n 's/^fluxguard\.events\.suppressed=//p')
[ "$((suppressed - ${suppressed_before:-0}))" = "$n" ] ||
    fg_fail "events.suppressed grew by $((suppressed - ${suppressed_before:-0})), the suppressed lines say $n"
fg_log "event-rate 2: $n of 20 block events left out, counted and summed up"

# --- 4. monitor mode: would-block -------------------------------------------
sed -i -e 's/event-rate: 2/event-rate: 1000/' -e 's/action: refuse/action: log/' "$conf"
reload fg_unbound_control reload
: > "$events"
pm=$(fg_free_port)
[ "$(ask_from bot.flux.test A "$pm" | fg_status_of)" = NOERROR ] || fg_fail "monitor mode changed bot's answer"
[ "$(fg_ask www.other.test A | fg_status_of)" = REFUSED ] || fg_fail "deny list not refused in monitor mode"
wait_lines "$events" 2
sleep 0.5
python3 - "$events" "$pm" <<'PY' || fg_fail "monitor-mode event log wrong: $(cat "$events")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
port = int(sys.argv[2])
wb = [e for e in ev if e["event"] == "would-block"]
assert [e for e in wb if e["client_port"] == port and e["domain"] == "bot.flux.test."], ev
for e in wb:
    assert e["action"] == "log" and e["score"] >= 55, e
# blocks here are the deny list's, which blocks in monitor mode too
for e in ev:
    if e["event"] == "block":
        assert e["list"] == "deny" and e["action"] == "refuse", e
PY
fg_log "monitor mode writes would-block"

# ... for cache hits too: nothing stands in front of the cache in monitor
# mode, so the reply-cache callback reports them
pc=$(fg_free_port)
asked=$(lines "$FG_WORK/authd-queries.log")
[ "$(ask_from bot.flux.test A "$pc" | fg_status_of)" = NOERROR ] || fg_fail "monitor mode changed bot's cached answer"
[ "$(lines "$FG_WORK/authd-queries.log")" = "$asked" ] || fg_fail "bot's second answer was no cache hit"
fg_wait_for "a would-block line for the cache hit" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
sys.exit(0 if [e for e in ev if e["event"] == "would-block" and e["client_port"] == int(sys.argv[2])] else 1)' "$events" "$pc"
python3 - "$events" "$pc" <<'PY' || fg_fail "monitor-mode cache-hit event wrong: $(cat "$events")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
port = int(sys.argv[2])
hits = [e for e in ev if e.get("client_port") == port]
assert len(hits) == 1, hits
e = hits[0]
assert e["event"] == "would-block" and e["domain"] == "bot.flux.test." and e["action"] == "log", e
assert e["decided_by"] == "bot.flux.test." and e["score"] >= 55, e
PY
fg_log "monitor mode writes would-block for cache hits too"

# ... and for a cached alias with no entry of its own (max-blocked-aliases:
# 0 keeps none): the names of its cached chain decide, as on the module path
echo "    max-blocked-aliases: 0" >> "$conf"
reload fg_unbound_control reload
[ "$(fg_ask bot.flux.test A | fg_status_of)" = NOERROR ] || fg_fail "monitor mode: bot not answered"
pa1=$(fg_free_port)
[ "$(ask_from alias.flux.test A "$pa1" | fg_status_of)" = NOERROR ] || fg_fail "monitor mode: alias not answered"
asked=$(lines "$FG_WORK/authd-queries.log")
pa2=$(fg_free_port)
[ "$(ask_from alias.flux.test A "$pa2" | fg_status_of)" = NOERROR ] || fg_fail "monitor mode: alias's cached answer not answered"
[ "$(lines "$FG_WORK/authd-queries.log")" = "$asked" ] || fg_fail "alias's second answer was no cache hit"
fg_wait_for "a would-block line for the alias's cache hit" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
sys.exit(0 if [e for e in ev if e.get("client_port") == int(sys.argv[2])] else 1)' "$events" "$pa2"
python3 - "$events" "$pa1" "$pa2" <<'PY' || fg_fail "monitor-mode alias events wrong: $(cat "$events")"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
for port in (int(sys.argv[2]), int(sys.argv[3])):
    hits = [e for e in ev if e.get("client_port") == port]
    assert len(hits) == 1, (port, hits)
    e = hits[0]
    assert e["event"] == "would-block" and e["domain"] == "alias.flux.test.", e
    assert e["decided_by"] == "bot.flux.test." and e["action"] == "log", e
PY
fg_log "monitor mode: a cached alias's would-block comes from its chain"

# --- show ALIAS once its target is unflagged ---------------------------------
"$CONTROL" -s "$FG_SEGMENT" unflag bot.flux.test >/dev/null || fg_fail "unflag bot"
out=$("$CONTROL" -s "$FG_SEGMENT" show alias.flux.test 2>&1) || fg_fail "show alias: $out"
echo "$out" | grep -q '^follows-verdict: clean, score [0-9.]* (no longer blocked because of it' ||
    fg_fail "show alias after the unflag: $out"
fg_log "show ALIAS explains what it follows"
