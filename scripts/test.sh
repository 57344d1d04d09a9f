#!/usr/bin/env bash
# Sets up and builds (scripts/setup.sh), then runs every test: cmocka unit
# tests, symbol and install checks, and the end-to-end tests that run real
# .NET 10 and .NET 8 apps under the profiler. Then the same build and the
# unit, CLI, symbol and schema tests for musl (scripts/setup-musl.sh, CMake
# preset `musl`); musl has no .NET runtime here to run end-to-end tests in.
set -euo pipefail
# The profiler refuses files others can write (StrictModes): build and test
# with the usual umask whatever the caller has.
umask 022
cd "$(dirname "$0")/.."
scripts/setup.sh
ctest --preset default "$@"
echo "== musl"
scripts/setup-musl.sh
ctest --preset musl "$@"
