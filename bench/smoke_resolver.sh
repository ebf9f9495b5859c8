#!/bin/sh
# Smoke run of the resolver benchmark (a few seconds), so it cannot rot: every
# step runs and every instance answers; no figures are judged.
exec "$FG_SRCDIR/bench/run-resolver-bench.sh" --smoke
