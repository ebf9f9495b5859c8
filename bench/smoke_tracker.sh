#!/bin/sh
# Smoke run of the tracker micro-benchmark, so it cannot rot.
exec "${FG_BUILDDIR:-.}/bench/bench_tracker" --smoke
