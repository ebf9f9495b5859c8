#!/usr/bin/env bash
# Build the Unbound that fluxguard plugs into: Debian's own source package of
# unbound, configured with Debian's flags plus --with-dynlibmodule, installed into
# a prefix inside the build tree. The module is compiled against this configured
# tree (config.h, util/module.h), because struct layouts depend on it.
#
# Usage: scripts/build-unbound.sh [BUILD_DIR]     (default: <checkout>/build/unbound)
# Prints nothing but errors and progress; a second run reuses the finished build.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/build/unbound}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
prefix=$dir/prefix
stamp=$dir/.built

if [ -f "$stamp" ] && [ -x "$prefix/sbin/unbound" ] && [ -f "$(cat "$stamp")/config.h" ]; then
    echo "build-unbound: reusing $(cat "$stamp")"
    exit 0
fi

die() { echo "build-unbound: $*" >&2; exit 1; }

# apt-get source needs a deb-src entry. Derive it from the machine's own deb822
# sources file (same mirror, suites and keyring), changing only Types:, so no
# mirror name is ever written down here.
ensure_deb_src() {
    if apt-get source --print-uris unbound >/dev/null 2>&1; then
        return 0
    fi
    local src=/etc/apt/sources.list.d/debian.sources
    [ -f "$src" ] || die "no deb-src entry and no $src to derive one from"
    [ "$(id -u)" = 0 ] || die "need root to add a deb-src entry (or add one yourself)"
    sed 's/^Types:.*/Types: deb-src/' "$src" > /etc/apt/sources.list.d/fluxguard-deb-src.sources
    apt-get update -qq
}

fetch_source() {
    local srcdir
    srcdir=$(find "$dir/src" -maxdepth 1 -type d -name 'unbound-[0-9]*' 2>/dev/null | head -n 1)
    if [ -z "$srcdir" ]; then
        ensure_deb_src
        rm -rf "$dir/src"
        mkdir -p "$dir/src"
        (cd "$dir/src" && apt-get source -qq unbound >/dev/null 2>"$dir/src/apt-source.log") \
            || die "apt-get source unbound failed; see $dir/src/apt-source.log"
        srcdir=$(find "$dir/src" -maxdepth 1 -type d -name 'unbound-[0-9]*' | head -n 1)
        [ -n "$srcdir" ] || die "apt-get source produced no unbound-* directory in $dir/src"
    fi
    echo "$srcdir"
}

srcdir=$(fetch_source)
echo "build-unbound: building $srcdir into $prefix"
cd "$srcdir"

# Debian's flags from debian/rules (first build), minus the Python module (it
# needs swig and the interpreter's headers and fluxguard has no use for it), plus
# dynlib. Paths point into the prefix so nothing outside the build tree is touched.
./configure -q \
    --prefix="$prefix" \
    --with-dynlibmodule \
    --disable-rpath \
    --with-libevent \
    --enable-tfo-client \
    --enable-tfo-server \
    --enable-subnet \
    --enable-dnstap \
    --enable-systemd \
    --with-libnghttp2 \
    --with-chroot-dir="" \
    --with-username="" \
    --with-pidfile="$prefix/var/run/unbound.pid" \
    --with-rootkey-file="$prefix/etc/unbound/root.key" \
    --with-dnstap-socket-path="$prefix/var/run/dnstap.sock" \
    >"$dir/configure.log" 2>&1 || die "configure failed; see $dir/configure.log"

grep -q '^#define WITH_DYNLIBMODULE 1' config.h || die "configure did not enable dynlib"
make -j"$(nproc)" >"$dir/make.log" 2>&1 || die "make failed; see $dir/make.log"
make install >"$dir/install.log" 2>&1 || die "make install failed; see $dir/install.log"
mkdir -p "$prefix/var/run"
echo "$srcdir" > "$stamp"
echo "build-unbound: done: $prefix/sbin/unbound"
