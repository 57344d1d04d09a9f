#!/usr/bin/env bash
# Sets up and builds (scripts/setup.sh), then runs every test: cmocka unit
# tests, symbol and install checks, and the end-to-end tests that run real
# .NET 10 and .NET 8 apps under the profiler. Then, built with ASan and
# UBSan (CMake preset `asan`, build-asan/), the unit and CLI tests and the
# Shapes app's end-to-end tests with the sanitizers preloaded into dotnet.
# Then the same build and every test for musl (scripts/setup-musl.sh, CMake
# preset `musl`), the end-to-end cases in NuGet's musl .NET 10 and .NET 8
# runtimes (scripts/setup-musl-runtime.sh builds the musl libstdc++ they
# need, about 10 minutes on 2 cores the first time, then cached).
set -euo pipefail
# The profiler refuses files others can write (StrictModes): build and test
# with the usual umask whatever the caller has.
umask 022
cd "$(dirname "$0")/.."
stage() { echo "== $1 ($((SECONDS - started)) s after the start)"; }
started=$SECONDS
stage glibc
scripts/setup.sh
ctest --preset default "$@"
stage asan
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan "$@"
stage musl
scripts/setup-musl.sh
scripts/setup-musl-runtime.sh
ctest --preset musl "$@"
stage "done"
