#!/usr/bin/env bash
# The man page, the example config and README.md's option and counter tables
# are generated from the options table and the counter list (tools/fg-gen-docs)
# and committed. Regenerate both and fail if the committed
# copies differ, so the docs cannot drift from the table. Fix: make regen-docs.
. "$FG_SRCDIR/tests/integration/lib.sh"
gen=$FG_BUILDDIR/tools/fg-gen-docs
fg_require "$gen"

check_one() {
    local kind=$1 committed=$2
    "$gen" "$kind" >"$FG_WORK/$kind.out" || fg_fail "fg-gen-docs $kind failed"
    if ! diff -u "$committed" "$FG_WORK/$kind.out" >"$FG_WORK/$kind.diff"; then
        cat "$FG_WORK/$kind.diff" >&2
        fg_fail "$committed is out of date with the options table: run 'make regen-docs' and commit the result"
    fi
    fg_log "$committed matches the options table"
}

check_one man "$FG_SRCDIR/doc/fluxguard.conf.5"
# fluxguard-control(8) from the tool's command, option, counter and gauge tables
"$FG_BUILDDIR/tools/fluxguard-control" --man >"$FG_WORK/control.8" || fg_fail "fluxguard-control --man failed"
diff -u "$FG_SRCDIR/doc/fluxguard-control.8" "$FG_WORK/control.8" >&2 ||
    fg_fail "doc/fluxguard-control.8 is out of date with the tool's tables: run 'make regen-docs' and commit the result"
check_one example "$FG_SRCDIR/unbound-conf-examples/fluxguard.conf"

# README.md's option and counter tables, between their markers.
for part in readme-options readme-counters; do
    "$gen" "$part" | sh "$FG_SRCDIR/scripts/splice-docs.sh" "$FG_SRCDIR/README.md" "$part" \
        >"$FG_WORK/README.$part" || fg_fail "splicing $part into README.md failed"
    if ! diff -u "$FG_SRCDIR/README.md" "$FG_WORK/README.$part" >"$FG_WORK/$part.diff"; then
        cat "$FG_WORK/$part.diff" >&2
        fg_fail "README.md's $part table is out of date: run 'make regen-docs' and commit the result"
    fi
    fg_log "README.md's $part table matches"
done
