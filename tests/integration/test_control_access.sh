#!/usr/bin/env bash
# fluxguard-control refuses segments it should not trust or cannot use, each
# with one clear line and exit 1: one that its group or others may write (its
# contents could be forged), one owned by another unprivileged user; and lets
# root read any segment, an operators' group read a 0640 one (but not write
# it), and the owner use it. Also: bad command lines fail in one line.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
command -v setpriv >/dev/null || fg_fail "setpriv (util-linux) is needed"
id nobody >/dev/null 2>&1 && id daemon >/dev/null 2>&1 || fg_fail "users nobody and daemon are needed"
[ "$(id -u)" = 0 ] || fg_fail "this test changes owners and users: run it as root"
fg_start_flux_stack
fg_flag_bot

# A copy of the live segment, as a POSIX shared-memory object of its own, whose
# owner and mode the test changes. Nothing else uses it.
COPY=/fg-it-$$-access-copy
fg_on_exit "rm -f /dev/shm/${COPY#/}"
cp "/dev/shm/${FG_SEGMENT#/}" "/dev/shm/${COPY#/}"

# as_user USER GROUP ARGS...: run the tool as USER with only GROUP, with no
# config file (the test's own is in a private directory); sets rc, out, err.
as_user() {
    local user=$1 group=$2
    shift 2
    set +e
    out=$(env -u FLUXGUARD_CONF setpriv --reuid="$user" --regid="$group" --clear-groups \
        "$CONTROL" "$@" 2>"$FG_WORK/err"); rc=$?
    set -e
    err=$(cat "$FG_WORK/err")
}
as_root() {
    set +e
    out=$("$CONTROL" "$@" 2>"$FG_WORK/err"); rc=$?
    set -e
    err=$(cat "$FG_WORK/err")
}
expect() { # RC WHAT: the last run exited RC, and a failure said so in one line
    [ "$rc" = "$1" ] || fg_fail "$2: exit $rc, expected $1 (stderr: $err)"
    [ "$1" = 0 ] || [ "$(echo "$err" | wc -l)" = 1 ] || fg_fail "$2: error not one line: $err"
}

# root reads the copy while it is root's
as_root -s "$COPY" status
expect 0 "root reading root's copy"
echo "$out" | grep -qx "segment: $COPY" || fg_fail "status of the copy: $out"
as_root -s "$COPY" list --flagged
echo "$out" | grep -q '^bot\.flux\.test\. .* flagged ' || fg_fail "list of the copy: $out"
chown nobody:nogroup "/dev/shm/${COPY#/}"
chmod 0600 "/dev/shm/${COPY#/}"

# writable by others or by the group: refused, root included
chmod 0666 "/dev/shm/${COPY#/}"
as_root -s "$COPY" status
expect 1 "world-writable segment"
[ "$err" = "fluxguard-control: segment $COPY: writable by everyone (mode 0666, owner user nobody): its contents could be forged, refusing it (fluxguard creates segments 0600 or 0640)" ] ||
    fg_fail "world-writable message: $err"
chmod 0660 "/dev/shm/${COPY#/}"
as_root -s "$COPY" stats_noreset
expect 1 "group-writable segment"
echo "$err" | grep -q "writable by its group (mode 0660" || fg_fail "group-writable message: $err"

# another unprivileged user's segment, even world-readable: refused
chmod 0644 "/dev/shm/${COPY#/}"
as_user daemon daemon -s "$COPY" status
expect 1 "daemon reading nobody's segment"
[ "$err" = "fluxguard-control: segment $COPY: owned by user nobody (mode 0644), not by you or root: run as that user or root, or let an operators' group read it (segment-mode: 0640, segment-group:)" ] ||
    fg_fail "other user's segment message: $err"
# its owner reads it
as_user nobody nogroup -s "$COPY" status
expect 0 "nobody reading its own segment"
echo "$out" | grep -q '^format-version: ' || fg_fail "owner's status: $out"

# the operators' group of segment-mode 0640 reads, but does not write
chown nobody:daemon "/dev/shm/${COPY#/}"
chmod 0640 "/dev/shm/${COPY#/}"
as_user daemon daemon -s "$COPY" stats_noreset
expect 0 "the group reading a 0640 segment"
echo "$out" | grep -q '^fluxguard\.domains\.flagged=1$' || fg_fail "the group's stats_noreset: $out"
as_user daemon daemon -s "$COPY" show bot.flux.test
expect 0 "the group's show"
for cmd in "allow bot.flux.test" "flush" "stats"; do
    # shellcheck disable=SC2086
    as_user daemon daemon -s "$COPY" $cmd
    expect 1 "the group's $cmd"
    echo "$err" | grep -q "owned by user nobody (mode 0640), not by you or root: writing commands need that user or root" ||
        fg_fail "the group's $cmd message: $err"
done
# outside the group: the mode stops it, and the message says how to get in
as_user daemon nogroup -s "$COPY" status
expect 1 "outside the group"
echo "$err" | grep -q "segment-mode: 0640, segment-group:" || fg_fail "outside the group message: $err"

# root and a segment another user owns, which no resolver of that user
# writes (the writer it names runs as root): refused, its text unread
chown nobody:nogroup "/dev/shm/${COPY#/}"
chmod 0600 "/dev/shm/${COPY#/}"
as_root -s "$COPY" status
expect 1 "root reading a segment no resolver of its owner writes"
echo "$err" | grep -q "owned by user nobody, but no resolver runs fluxguard as that user" ||
    fg_fail "root's refusal of a planted segment: $err"

# a root-owned 0600 segment and an unprivileged user: the kernel refuses, the
# message says whose it is
chown root:root "/dev/shm/${COPY#/}"
chmod 0600 "/dev/shm/${COPY#/}"
as_user nobody nogroup -s "$COPY" status
expect 1 "nobody reading root's 0600 segment"
echo "$err" | grep -q "^fluxguard-control: segment $COPY: Permission denied (owner user root, mode 0600: " ||
    fg_fail "root's segment message: $err"

# text out of the segment is printed with control characters replaced: a
# terminal escape planted in the published config does not reach the terminal
cp "/dev/shm/${FG_SEGMENT#/}" "/dev/shm/${COPY#/}"
python3 - "/dev/shm/${COPY#/}" <<'PY' || fg_fail "no published config in the segment to tamper with"
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
at = data.find(b"fluxguard:\n")
assert at > 0
data[at:at + 3] = b"\x1b]0"
# an 8-bit CSI (C1 0x9b), its UTF-8 form (U+009B), a stray continuation
# octet, and a real UTF-8 letter that must survive
at = data.find(b"fluxguard configuration in effect")
assert at > 0
data[at:at + 9] = b"\x9b\xc2\x9b\x80\xc3\xa9uar"
open(path, "wb").write(data)
PY
as_root -s "$COPY" status
expect 0 "status of a segment with a planted escape"
printf '%s' "$out" | LC_ALL=C grep -q $'\x1b' && fg_fail "an escape from the segment reached the output"
echo "$out" | grep -qx '?]0xguard:' || fg_fail "the planted escape is not shown as '?': $out"
printf '%s' "$out" | LC_ALL=C grep -q $'\x9b' && fg_fail "a C1 control from the segment reached the output"
echo "$out" | grep -q '^# ???éuar configuration in effect' || fg_fail "C1 controls not shown as '?', or UTF-8 mangled: $out"

# a segment truncated under the tool raises SIGBUS on the next read: one
# line and exit 1, not a crash (the tool waits here on a FIFO for its config,
# and gets the signal as a shrinking segment would give it)
mkfifo "$FG_WORK/conf.fifo"
"$CONTROL" -c "$FG_WORK/conf.fifo" status >"$FG_WORK/bus.out" 2>"$FG_WORK/bus.err" &
bus_pid=$!
sleep 0.5
kill -BUS "$bus_pid"
set +e
wait "$bus_pid"; rc=$?
set -e
[ $rc = 1 ] || fg_fail "SIGBUS: exit $rc, expected 1: $(cat "$FG_WORK/bus.err")"
grep -qx "fluxguard-control: the segment shrank while it was being read (truncated by another process?); nothing more was read" \
    "$FG_WORK/bus.err" || fg_fail "SIGBUS message: $(cat "$FG_WORK/bus.err")"

# bad command lines: one line, exit 1
for args in "--bogus status" "-x status" "status --top" "status --prometheus" "status --json" \
    "show --flagged x.test" "status -v" "stats extra" "list --sort size" "list --top 0" ""; do
    # shellcheck disable=SC2086
    as_root -s "$FG_SEGMENT" $args
    expect 1 "fluxguard-control $args"
done
fg_log "untrusted and foreign segments refused, group read-only, root reads all"
