#!/usr/bin/env bash
# Usage: build_apps.sh SOURCE_DIR OUT_DIR
# Builds the end-to-end apps (Demo, Workload, Shapes, Signals; Bundle, RefStructs and Unload for net10 only)
# with the machine's .NET SDK:
#   OUT_DIR/net10/<App>.dll  framework-dependent, runs on the SDK's runtime
#   OUT_DIR/net8/<App>       self-contained; the .NET 8 runtime comes from NuGet
# The profiler is never attached to the SDK: every CORECLR_*/NRP_* variable is
# cleared for these commands.
set -euo pipefail
src=$1 out=$2
for v in $(env | sed -n 's/^\(CORECLR_[A-Z_0-9]*\|NRP_[A-Z_0-9]*\|DOTNET_EnableDiagnostics\)=.*/\1/p'); do unset "$v"; done
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

rm -rf "$out"
mkdir -p "$out/src"
cp -r "$src/apps/." "$out/src/"   # together: Demo references ShopLib
for app in Demo Workload Shapes Signals; do
    project="$out/src/$app/$app.csproj"
    dotnet build "$project" -c Release -f net10.0 -o "$out/net10" -nologo -v quiet
    dotnet publish "$project" -c Release -f net8.0 -r linux-x64 --self-contained -o "$out/net8" -nologo -v quiet
    test -f "$out/net10/$app.dll" && test -x "$out/net8/$app"
done
# Bundle (ASP.NET Core, Microsoft.Data.Sqlite from NuGet) and RefStructs
# (C# 13's `allows ref struct`): net10.0 only.
for app in Bundle RefStructs Unload; do
    dotnet build "$out/src/$app/$app.csproj" -c Release -f net10.0 -o "$out/net10" -nologo -v quiet
    test -f "$out/net10/$app.dll"
done
# Unload's plugin, in a folder of its own: only its collectible contexts load it.
dotnet build "$out/src/UnloadImpl/UnloadImpl.csproj" -c Release -f net10.0 -o "$out/net10/unload-plugins" -nologo -v quiet
test -f "$out/net10/unload-plugins/Unload.Impl.dll" && test -f "$out/net10/unload-plugins/Unload.Core.dll"
echo "built Demo, Workload, Shapes and Signals for net10.0 and net8.0 (self-contained), and Bundle, RefStructs and Unload for net10.0, in $out"
