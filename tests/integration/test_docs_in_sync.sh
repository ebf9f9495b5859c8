#!/usr/bin/env bash
# The man page, the example config and README.md's option and counter tables
# are generated from the options table and the counter list (tools/fg-gen-docs)
# and committed. Regenerate both and fail if the committed
# copies differ, so the docs cannot drift from the table. Fix: make regen-docs.
# The hand-written pages of fluxguard-replay and fluxguard-accuracy must
# describe exactly the options their --help lists; every page renders cleanly.
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
check_one publish-man "$FG_SRCDIR/doc/fluxguard-publish.8"
# and the page describes every option of fluxguard-publish --help
"$FG_BUILDDIR/tools/fluxguard-publish" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u >"$FG_WORK/publish.help-opts"
for o in $(cat "$FG_WORK/publish.help-opts"); do
    grep -qF -- "$(echo "$o" | sed 's/-/\\-/g')" "$FG_SRCDIR/doc/fluxguard-publish.8" ||
        fg_fail "doc/fluxguard-publish.8 does not describe $o of --help"
done

# fluxguard-replay(1), fluxguard-accuracy(1) and fluxguard-sensor(8) are
# written by hand: every
# option --help lists is described under OPTIONS, and nothing else is.
for tool in fluxguard-replay fluxguard-accuracy fluxguard-sensor; do
    page=$(ls "$FG_SRCDIR"/doc/"$tool".[18])
    "$FG_BUILDDIR/tools/$tool" --help >"$FG_WORK/$tool.help" || fg_fail "$tool --help failed"
    grep -oE -- '--[a-z][a-z-]*' "$FG_WORK/$tool.help" | sort -u >"$FG_WORK/$tool.help-opts"
    awk '/^\.SH OPTIONS/ { o = 1; next } /^\.SH / { o = 0 } o && tag { print; tag = 0 }
        o && /^\.TP/ { tag = 1 }' "$page" | sed 's/\\-/-/g' |
        grep -oE -- '--[a-z][a-z-]*' | sort -u >"$FG_WORK/$tool.man-opts"
    [ -s "$FG_WORK/$tool.help-opts" ] || fg_fail "no options in $tool --help"
    diff -u "$FG_WORK/$tool.help-opts" "$FG_WORK/$tool.man-opts" >&2 ||
        fg_fail "$page and $tool --help list different options (- only in --help, + only in the page)"
    fg_log "$(basename "$page") describes every option of --help"
done
# every man page renders without a warning
for page in "$FG_SRCDIR"/doc/*.[158]; do
    warnings=$(groff -man -ww -z "$page" 2>&1)
    [ -z "$warnings" ] || fg_fail "$page: $warnings"
done

# README.md's option and counter tables, between their markers.
for part in readme-options readme-counters readme-publish-counters; do
    "$gen" "$part" | sh "$FG_SRCDIR/scripts/splice-docs.sh" "$FG_SRCDIR/README.md" "$part" \
        >"$FG_WORK/README.$part" || fg_fail "splicing $part into README.md failed"
    if ! diff -u "$FG_SRCDIR/README.md" "$FG_WORK/README.$part" >"$FG_WORK/$part.diff"; then
        cat "$FG_WORK/$part.diff" >&2
        fg_fail "README.md's $part table is out of date: run 'make regen-docs' and commit the result"
    fi
    fg_log "README.md's $part table matches"
done
