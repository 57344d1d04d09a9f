#!/usr/bin/env bash
# Rebuilds tests/unit/data/Meta.Sample.dll from MetaSample/ with the .NET SDK.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for v in $(env | sed -n 's/^\(CORECLR_[A-Z_0-9]*\|NRP_[A-Z_0-9]*\)=.*/\1/p'); do unset "$v"; done
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
cp -r "$here/MetaSample" "$out/src"
dotnet build "$out/src/MetaSample.csproj" -c Release -o "$out/bin" -nologo -v quiet
cp "$out/bin/Meta.Sample.dll" "$here/Meta.Sample.dll"
echo "wrote $here/Meta.Sample.dll ($(wc -c <"$here/Meta.Sample.dll") bytes)"
