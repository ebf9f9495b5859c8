#!/usr/bin/env bash
# 500 reloads under load cost no more memory than they cost Unbound with a
# pass-through module, and lose no verdict. Two Unbound instances on one
# fg-testauthd, the same config but the dynlib: A with fluxguard (a flagged
# name, an operator deny and an operator allow in the segment), B with the
# do-nothing module (bench/passthrough.c). dnsperf keeps a steady mix of
# queries on both while each gets `unbound-control reload` FG_RELOADS times
# (default 500). Anonymous resident memory (RssAnon: the shared segment is
# left out) is sampled after the first 50 reloads and at the end; A's growth
# must stay within B's plus 1 MiB, the noise of Unbound's own allocator.
# Afterwards the flag, the deny and the allow all hold in A.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
PASSTHROUGH=$FG_BUILDDIR/bench/.libs/passthrough.so
fg_require "$CONTROL" "$PASSTHROUGH"
command -v dnsperf >/dev/null || fg_fail "dnsperf is not installed (scripts/install-deps.sh installs it)"
reloads=${FG_RELOADS:-500}
warm=50
[ "$reloads" -gt $warm ] || fg_fail "FG_RELOADS must be more than $warm"

fg_start_flux_stack "action: refuse" "decisions-file: \"$FG_WORK/decisions\""
ctl() { "$CONTROL" -s "$FG_SEGMENT" "$@"; }
fg_flag_bot
ctl deny evil.flux.test >/dev/null || fg_fail "deny failed"
ctl allow allowedbot.flux.test >/dev/null || fg_fail "allow failed"

# B: the same config, its own ports and files, the pass-through module
b_port=$(fg_free_port)
b_cport=$(fg_free_port)
sed -e "s/port: $FG_UNBOUND_PORT\$/port: $b_port/" \
    -e "s/control-port: $FG_CONTROL_PORT\$/control-port: $b_cport/" \
    -e "s|$FG_WORK/unbound.log|$FG_WORK/unbound-b.log|" \
    -e "s|$FG_WORK/unbound.pid|$FG_WORK/unbound-b.pid|" \
    -e "s|dynlib-file: .*|dynlib-file: \"$PASSTHROUGH\"|" \
    "$FG_WORK/unbound.conf" > "$FG_WORK/unbound-b.conf"
"$FG_UNBOUND" -d -c "$FG_WORK/unbound-b.conf" >>"$FG_WORK/unbound-b-stderr.log" 2>&1 &
b_pid=$!
FG_PIDS+=($b_pid)
fg_wait_for "Unbound B to start" "$FG_UNBOUND_CONTROL" -c "$FG_WORK/unbound-b.conf" status

# the load: clean names, the flux name, its alias, a CDN-like name, local data
printf '%s\n' "static.flux.test A" "cdn.flux.test A" "bot.flux.test A" "alias.flux.test A" \
    "data.flux.test A" "www.other.test A" "allowedbot.flux.test A" "nx$RANDOM.flux.test A" \
    > "$FG_WORK/load.q"
for p in "$FG_UNBOUND_PORT" "$b_port"; do
    dnsperf -s 127.0.0.1 -p "$p" -d "$FG_WORK/load.q" -l 3600 -Q 200 -t 2 \
        >"$FG_WORK/dnsperf-$p.log" 2>&1 &
    FG_PIDS+=($!)
done

rss_anon() { awk '/^RssAnon:/ { print $2 }' "/proc/$1/status"; }
# reload CONF: until the control channel takes the command (it is down
# while the previous reload runs)
reload() {
    local _
    for _ in $(seq 200); do
        "$FG_UNBOUND_CONTROL" -c "$1" reload >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    fg_fail "unbound-control -c $1 reload not taken for 10 s"
}
start=$(date +%s)
for i in $(seq "$reloads"); do
    reload "$FG_WORK/unbound.conf"
    reload "$FG_WORK/unbound-b.conf"
    kill -0 "$FG_UNBOUND_PID" 2>/dev/null || fg_fail "Unbound A died at reload $i"
    kill -0 "$b_pid" 2>/dev/null || fg_fail "Unbound B died at reload $i"
    if [ "$i" = $warm ]; then
        fg_wait_for "A back" fg_unbound_up
        a0=$(rss_anon "$FG_UNBOUND_PID"); b0=$(rss_anon "$b_pid")
    fi
done
fg_wait_for "A back after the last reload" fg_unbound_up
fg_wait_for "B back after the last reload" "$FG_UNBOUND_CONTROL" -c "$FG_WORK/unbound-b.conf" status
sleep 2 # a moment of load on the last generation
a1=$(rss_anon "$FG_UNBOUND_PID"); b1=$(rss_anon "$b_pid")
da=$((a1 - a0)); db=$((b1 - b0))
fg_log "$reloads reloads each in $(( $(date +%s) - start )) s; RssAnon after $warm and after $reloads reloads: fluxguard $a0 -> $a1 KiB ($da), pass-through $b0 -> $b1 KiB ($db)"
[ "$da" -le $((db > 0 ? db + 1024 : 1024)) ] ||
    fg_fail "fluxguard's Unbound grew by $da KiB over $((reloads - warm)) reloads, the pass-through's by $db KiB"

inits=$(grep -c "fluxguard: initialised" "$FG_WORK/unbound.log")
[ "$inits" -gt "$reloads" ] || fg_fail "fluxguard was initialised $inits times for $reloads reloads"
answered=$(fg_unbound_control stats_noreset | sed -n 's/^total\.num\.queries=//p')
[ "${answered:-0}" -gt 0 ] || fg_fail "no load reached the last generation"
# no verdict lost
[ "$(fg_ask bot.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "the flagged name is no longer blocked"
[ "$(fg_ask alias.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "its alias is no longer blocked"
[ "$(fg_ask evil.flux.test A | fg_status_of)" = REFUSED ] || fg_fail "the denied name is no longer blocked"
fg_ask allowedbot.flux.test A +short | grep -q '^45\.' || fg_fail "the allowed name is blocked"
ctl show bot.flux.test | grep -q '^verdict: flagged' || fg_fail "bot.flux.test lost its flag: $(ctl show bot.flux.test)"
grep -q "could not\|error" "$FG_WORK/unbound.log" && fg_fail "errors in A's log: $(grep 'could not\|error' "$FG_WORK/unbound.log" | sort | uniq -c | head)"
fg_log "no verdict lost; memory within the pass-through module's"
