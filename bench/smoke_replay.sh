#!/bin/sh
# Smoke run of the replay benchmark (10 000 answers), so it cannot rot:
# the files are written, both replays run and flag, the sensor takes the
# dnstap stream; no figures are judged.
exec "$FG_SRCDIR/bench/run-replay-bench.sh" --smoke --sensor
