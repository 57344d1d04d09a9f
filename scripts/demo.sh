#!/usr/bin/env bash
# Sets up and builds, then runs the demo app (tests/e2e/apps/Demo) under the
# profiler with the demo's own rules (tests/e2e/apps/Demo/rules.yaml: its
# calculator and Enumerable.Range) and prints what the profiler measured.
set -euo pipefail
# The profiler refuses files others can write (StrictModes): build and test
# with the usual umask whatever the caller has.
umask 022
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null

bundle=$PWD/build/bundle
out=$PWD/build/demo
rm -rf "$out" && mkdir -p "$out"
echo "== Building the demo app (.NET $(dotnet --version))"
for v in $(env | sed -n 's/^\(CORECLR_[A-Z_0-9]*\)=.*/\1/p'); do unset "$v"; done
mkdir -p "$out/src" && cp -r tests/e2e/apps/. "$out/src/"
dotnet build "$out/src/Demo/Demo.csproj" -c Release -f net10.0 -o "$out/app" -nologo -v quiet >/dev/null

echo "== Running it under the profiler ($bundle)"
# nrprof run sets CORECLR_* (and NRP_CONFIG) for this one command.
NRP_METRICS_FILE="$out/metrics.prom" \
NRP_LOG_FILE="$out/profiler.log" \
    "$bundle/bin/nrprof" run --config "$PWD/tests/e2e/apps/Demo/rules.yaml" -- dotnet "$out/app/Demo.dll"

echo "== Profiler log ($out/profiler.log)"
cat "$out/profiler.log"
echo "== Measured ($out/metrics.prom, as nrprof report shows it)"
"$bundle/bin/nrprof" report "$out/metrics.prom"
