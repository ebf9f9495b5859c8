#!/usr/bin/env bash
# fluxguard-replay on dnstap files and pcap/pcapng captures: the same answers
# written in every format by tests/fixtures/make-captures.py (UDP over IPv4
# and IPv6, TCP split across segments with a retransmission, referrals with
# glue, a CNAME) replay to the same rows as the text trace, in the domain
# table and per answer, from files and from a pipe; damaged files (truncated,
# corrupt framing, a damaged frame amid good ones, the wrong content type,
# garbage) give one clear error naming the file and the frame or offset, and
# exit status 2, never a crash.
. "$FG_SRCDIR/tests/integration/lib.sh"

REPLAY=$FG_BUILDDIR/tools/fluxguard-replay
MAKE=$FG_SRCDIR/tests/fixtures/make-captures.py
fg_require "$REPLAY" "$MAKE"

python3 "$MAKE" "$FG_WORK/caps" --answers 300 --damaged || fg_fail "make-captures failed"
cd "$FG_WORK/caps" || fg_fail "no captures"

for mode in "" "--answers" "--format json"; do
    # shellcheck disable=SC2086
    "$REPLAY" $mode trace.txt >"text.out" 2>text.err || fg_fail "text replay ($mode) exited $?"
    grep -Eq 'flagged|	log	' text.out || fg_fail "the text trace flagged nothing ($mode)"
    for f in trace.dnstap trace.pcap trace.pcapng; do
        # shellcheck disable=SC2086
        "$REPLAY" $mode "$f" >"$f.out" 2>"$f.err" || fg_fail "$f ($mode) exited $?: $(cat "$f.err")"
        [ -s "$f.err" ] && fg_fail "$f ($mode): stderr not empty: $(cat "$f.err")"
        cmp -s text.out "$f.out" || fg_fail "$f ($mode) replays differently from the text trace:
$(diff text.out "$f.out" | head -20)"
        # the same through a pipe: the format is told from the first octets
        # shellcheck disable=SC2086
        cat "$f" | "$REPLAY" $mode - >"$f.pipe" 2>"$f.err" || fg_fail "$f from a pipe ($mode) exited $?"
        cmp -s text.out "$f.pipe" || fg_fail "$f from a pipe ($mode) differs"
        # shellcheck disable=SC2086
        "$REPLAY" $mode - <"$f" >"$f.stdin" 2>"$f.err" || fg_fail "$f on stdin ($mode) exited $?"
        cmp -s text.out "$f.stdin" || fg_fail "$f on stdin ($mode) differs"
    done
    fg_log "dnstap, pcap and pcapng replay as the text trace${mode:+ ($mode)}"
done
"$REPLAY" trace.dnstap | grep -q '^flux0.fg-flux.test.	[0-9.]*	flagged	' ||
    fg_fail "flux0 not flagged"
"$REPLAY" trace.pcap | grep -q '^www0.fg-benign.test.	0.0	clean	' || fg_fail "www0 not clean"

# another DNS port: the capture's responses are not from it
out=$("$REPLAY" --dns-port 5353 trace.pcap) || fg_fail "--dns-port run exited $?"
[ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fg_fail "--dns-port 5353 still read responses: $out"

# damaged files: one clear error each (file, where, what), exit 2
check_damaged() { # file, pattern of the error
    local f=$1 pat=$2 rc
    "$REPLAY" "$f" >"$f.out" 2>"$f.err"
    rc=$?
    [ "$rc" -eq 2 ] || fg_fail "$f: exit $rc, expected 2; stderr: $(cat "$f.err")"
    grep -Eq "^$f: $pat" "$f.err" || fg_fail "$f: no error matching '$pat': $(cat "$f.err")"
    grep -qi 'sanitizer\|core dumped' "$f.err" && fg_fail "$f: crashed: $(cat "$f.err")"
    fg_log "$f: $(head -n 1 "$f.err")"
}
check_damaged truncated.dnstap 'frame 12 \(offset [0-9]+\): truncated: the file ends inside the frame'
check_damaged corrupt-length.dnstap 'frame 13 \(offset [0-9]+\): corrupt: frame length 2147483647 exceeds'
check_damaged damaged-frame.dnstap 'frame 7 \(offset [0-9]+\): not a dnstap protobuf message'
grep -q 'frame 8 (offset [0-9]*): DNS message shorter than' damaged-frame.dnstap.err ||
    fg_fail "the second damaged frame was not reported"
# the good frames around the damaged ones are all read: the same rows as
# the 12 answers the file holds, as a text trace
python3 "$MAKE" good12 --answers 12 --formats text || fg_fail "make-captures failed"
"$REPLAY" good12/trace.txt | cmp -s - damaged-frame.dnstap.out ||
    fg_fail "damaged-frame.dnstap: the good frames were not all read: $(cat damaged-frame.dnstap.out)"
check_damaged wrong-type.dnstap 'offset 0: wrong format: Frame Streams of content type "protobuf:other.Thing"'
check_damaged truncated.pcap 'packet [0-9]+ \(offset [0-9]+\): truncated dump file'
check_damaged truncated-header.pcap 'offset 0: not a readable capture: truncated dump file'
check_damaged corrupt.pcap 'packet 1 \(offset 24\): invalid packet capture length'
check_damaged garbage.bin 'offset 0: wrong format: not a text trace, dnstap file or pcap/pcapng capture'
# an empty file is an empty text trace
: >empty
"$REPLAY" empty >/dev/null 2>&1 || fg_fail "an empty file exited $?"
fg_log "damaged inputs reported, exit 2"
