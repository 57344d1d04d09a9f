#!/usr/bin/env bash
# Sets up and builds (scripts/setup.sh), then runs every test: cmocka unit
# tests, symbol and install checks, and the end-to-end tests that run real
# .NET 10 and .NET 8 apps under the profiler. Then, built with ASan and
# UBSan (CMake preset `asan`, build-asan/), the unit and CLI tests and the
# Shapes app's end-to-end tests with the sanitizers preloaded into dotnet.
# Then the same build and the unit, CLI, symbol and schema tests for musl
# (scripts/setup-musl.sh, CMake preset `musl`); musl has no .NET runtime
# here to run end-to-end tests in.
set -euo pipefail
# The profiler refuses files others can write (StrictModes): build and test
# with the usual umask whatever the caller has.
umask 022
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --preset default "$@"
echo "== asan"
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan "$@"
echo "== musl"
scripts/setup-musl.sh
ctest --preset musl "$@"
