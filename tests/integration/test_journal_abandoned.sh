#!/usr/bin/env bash
# A writer that dies between reserving a journal entry and completing it
# does not stall the resolvers that follow the journal: after a moment they
# give the entry up (re-checking their blocked names) and apply what comes
# after it. Here the abandoned entry is planted in the segment, then an
# operator's deny of a cached name must still reach the cache path.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
fg_require "$CONTROL"
fg_start_flux_stack
[ "$(fg_ask static.flux.test A +short)" = 198.51.100.1 ] || fg_fail "static before"
python3 - "/dev/shm/${FG_SEGMENT#/}" <<'PY' || fg_fail "could not plant the abandoned entry"
import struct, sys
ENTRIES, ENTRY_SIZE, WRITING = 256, 272, 1 << 63
with open(sys.argv[1], "r+b") as f:
    f.seek(144)
    journal_off, head = struct.unpack("<QQ", f.read(16))
    seq = head + 1
    f.seek(152)
    f.write(struct.pack("<Q", seq))           # reserved...
    f.seek(journal_off + ((seq - 1) % ENTRIES) * ENTRY_SIZE)
    f.write(struct.pack("<Q", seq | WRITING))  # ...and never completed
PY
"$CONTROL" -s "$FG_SEGMENT" deny static.flux.test >/dev/null || fg_fail "deny"
blocked() { [ "$(fg_ask static.flux.test A | fg_status_of)" = REFUSED ]; }
fg_wait_for "the deny past the abandoned entry" blocked
fg_unbound_log_has "was never completed (its writer died?)" || fg_fail "the abandoned entry was not reported"
fg_log "an abandoned journal entry is given up; later entries apply"
