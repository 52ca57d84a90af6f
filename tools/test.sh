#!/usr/bin/env bash
# test.sh: installs what is missing, builds Release into build/, runs every test (ctest).
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DJWTBATCH_BUILD_TESTS=ON -DJWTBATCH_BUILD_BENCH=ON >/dev/null
cmake --build build -j"$jobs"
cd build
ctest --output-on-failure -j"$jobs"
