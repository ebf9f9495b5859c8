#!/bin/sh
# Generate configure and Makefile.in (never committed).
set -e
cd "$(dirname "$0")"
mkdir -p m4
autoreconf --install --force >/dev/null
