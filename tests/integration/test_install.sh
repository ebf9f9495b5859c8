#!/usr/bin/env bash
# make install DESTDIR=... lays fluxguard out as Unbound lays itself out:
# fluxguard-control and fluxguard-sensor in sbin beside unbound-control, the offline tools
# (fluxguard-replay, fluxguard-accuracy) in bin, the module in $(pkglibdir);
# a man page for every installed tool and for fluxguard.conf; the installed
# tools run and answer --version. The example unbound.conf names the paths the
# README names, and make uninstall takes everything away again.
. "$FG_SRCDIR/tests/integration/lib.sh"

DEST=$FG_WORK/dest
# a make of its own, not a job of the make check that runs this test
fg_make() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$FG_BUILDDIR" "$@"; }
# a variable of the build's Makefile, with every ${prefix} expanded
fg_make_var() {
    printf 'fg-print-var:\n\t@echo $(%s)\n' "$1" | fg_make -s -f Makefile -f - fg-print-var
}
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$FG_BUILDDIR/fg-config.h")
bindir=$(fg_make_var bindir)
sbindir=$(fg_make_var sbindir)
pkglibdir=$(fg_make_var pkglibdir)
mandir=$(fg_make_var mandir)
[ -n "$bindir" ] && [ -n "$sbindir" ] && [ -n "$pkglibdir" ] && [ -n "$mandir" ] && [ -n "$version" ] ||
    fg_fail "could not read the install directories from the Makefile"

fg_make install DESTDIR="$DEST" >"$FG_WORK/install.log" 2>&1 || {
    tail -n 20 "$FG_WORK/install.log" >&2
    fg_fail "make install DESTDIR=$DEST failed"
}
for tool in fluxguard-control fluxguard-sensor; do
    [ -x "$DEST$sbindir/$tool" ] || fg_fail "$tool not in sbin: $(find "$DEST" -name 'fluxguard-*')"
done
[ -e "$DEST$bindir/fluxguard-control" ] && fg_fail "fluxguard-control also in bin"
for tool in fluxguard-replay fluxguard-accuracy; do
    [ -x "$DEST$bindir/$tool" ] || fg_fail "$tool not in bin: $(find "$DEST" -name 'fluxguard-*')"
done
[ -f "$DEST$pkglibdir/fluxguard.so" ] || fg_fail "fluxguard.so not in $pkglibdir"
for page in man8/fluxguard-control.8 man8/fluxguard-sensor.8 man1/fluxguard-replay.1 man1/fluxguard-accuracy.1 man5/fluxguard.conf.5; do
    [ -f "$DEST$mandir/$page" ] || fg_fail "man page $page not installed"
done
# every installed program has a man page of its name, and answers --version
for prog in "$DEST$bindir"/* "$DEST$sbindir"/*; do
    name=$(basename "$prog")
    ls "$DEST$mandir"/man*/"$name".* >/dev/null 2>&1 || fg_fail "no man page for the installed $name"
    out=$("$prog" --version) || fg_fail "installed $name --version failed"
    [ "$(echo "$out" | head -n 1)" = "$name (fluxguard) $version" ] || fg_fail "installed $name --version: $out"
done

# the example unbound.conf names the module where make install puts it with
# the default prefix, and the README says the same
ex=$(sed -n 's/^[[:space:]]*dynlib-file: "\(.*\)"$/\1/p' "$FG_SRCDIR/unbound-conf-examples/unbound.conf")
[ "$ex" = /usr/local/lib/fluxguard/fluxguard.so ] || fg_fail "example dynlib-file: $ex"
grep -qF "dynlib-file: \"$ex\"" "$FG_SRCDIR/README.md" || fg_fail "README does not load the module from $ex"
if [ "$(fg_make_var prefix)" = /usr/local ]; then
    [ "$ex" = "$pkglibdir/fluxguard.so" ] || fg_fail "example dynlib-file $ex, make install puts it in $pkglibdir"
fi

fg_make uninstall DESTDIR="$DEST" >>"$FG_WORK/install.log" 2>&1 || fg_fail "make uninstall failed"
left=$(find "$DEST" -type f)
[ -z "$left" ] || fg_fail "make uninstall left: $left"
fg_log "sbin/fluxguard-control and fluxguard-sensor, bin/fluxguard-replay and fluxguard-accuracy, the module and five man pages"
