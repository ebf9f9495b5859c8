#!/usr/bin/env bash
# Every installed tool answers --version with configure's version of
# fluxguard (PACKAGE_VERSION in fg-config.h), exit 0; fluxguard-control also
# with the segment format version, the same one status reads out of a segment
# this build made, and the Unbound prefix it looks for unbound-control in.
. "$FG_SRCDIR/tests/integration/lib.sh"

CONTROL=$FG_BUILDDIR/tools/fluxguard-control
REPLAY=$FG_BUILDDIR/tools/fluxguard-replay
ACCURACY=$FG_BUILDDIR/tools/fluxguard-accuracy
fg_require "$CONTROL" "$REPLAY" "$ACCURACY" "$FG_BUILDDIR/fg-config.h"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$FG_BUILDDIR/fg-config.h")
[ -n "$version" ] || fg_fail "no PACKAGE_VERSION in fg-config.h"

for tool in "$REPLAY" "$ACCURACY"; do
    name=$(basename "$tool")
    out=$("$tool" --version) || fg_fail "$name --version: exit $?"
    [ "$out" = "$name (fluxguard) $version" ] || fg_fail "$name --version: $out"
done

out=$("$CONTROL" --version) || fg_fail "fluxguard-control --version: exit $?"
[ "$(echo "$out" | sed -n 1p)" = "fluxguard-control (fluxguard) $version" ] ||
    fg_fail "fluxguard-control --version: $out"
[ "$(echo "$out" | sed -n 3p)" = "unbound prefix: $FG_UNBOUND_PREFIX" ] ||
    fg_fail "fluxguard-control --version, unbound prefix: $out"
printf '1700000000 v.test. 60 IN A 198.18.0.1\n' >"$FG_WORK/trace.txt"
"$REPLAY" --segment "$FG_WORK/v.seg" "$FG_WORK/trace.txt" >/dev/null || fg_fail "replay failed"
format=$("$CONTROL" -s "$FG_WORK/v.seg" status | sed -n 's/^format-version: //p')
[ -n "$format" ] && [ "$(echo "$out" | sed -n 2p)" = "segment format: $format" ] ||
    fg_fail "fluxguard-control --version, segment format (status says $format): $out"
fg_log "fluxguard $version, segment format $format"
