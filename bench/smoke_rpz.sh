#!/bin/sh
# Smoke run of the fleet benchmark (a few seconds), so it cannot rot: every
# step runs and every flag is blocked on the consumer; no figures are judged.
exec "$FG_SRCDIR/bench/rpz-latency.sh" --smoke
