#!/usr/bin/env bash
# fluxguard.so exports Unbound's six dynlib entry points and nothing else of ours
# (Unbound dlopens plugins RTLD_GLOBAL: a stray global could collide).
. "$FG_SRCDIR/tests/integration/lib.sh"
fg_require "$FG_MODULE"

exports=$(nm -D --defined-only "$FG_MODULE" | awk '{print $NF}' | sort | tr '\n' ' ')
expected="clear deinit get_mem inform_super init operate "
[ "$exports" = "$expected" ] || fg_fail "exports are '$exports', expected '$expected'"

# And the core library's functions are inside, just not exported.
nm "$FG_MODULE" | grep -q ' t fg_name_from_str$' || fg_fail "core library not linked into the module"
fg_log "exports: $exports"
