#!/usr/bin/env bash
# Usage: build_apps.sh SOURCE_DIR OUT_DIR [musl MUSL_LIB_DIR]
# Builds the end-to-end apps (Demo, Workload, Shapes, Signals, Async; Bundle, RefStructs, Unload and VbApp for net10 only)
# with the machine's .NET SDK:
#   OUT_DIR/net10/<App>.dll  framework-dependent, runs on the SDK's runtime
#   OUT_DIR/net8/<App>       self-contained; the .NET 8 runtime comes from NuGet
# or, with `musl`, for the musl bundle, self-contained on NuGet's linux-musl-x64 runtime:
#   OUT_DIR/net10-musl/<App>, OUT_DIR/net8-musl/<App>
# with MUSL_LIB_DIR's libstdc++.so.6 and libgcc_s.so.1 (scripts/setup-musl-runtime.sh)
# copied in, and the runtime's libraries pointed at them ($ORIGIN).
# The profiler is never attached to the SDK: every CORECLR_*/NRP_* variable is
# cleared for these commands.
set -euo pipefail
src=$(cd "$1" && pwd) out=$2 flavour=${3:-glibc} musl_lib=${4:-}
for v in $(env | sed -n 's/^\(CORECLR_[A-Z_0-9]*\|NRP_[A-Z_0-9]*\|DOTNET_EnableDiagnostics\)=.*/\1/p'); do unset "$v"; done
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

rm -rf "$out"
mkdir -p "$out/src"
cp -r "$src/apps/." "$out/src/"   # together: Demo references ShopLib

# musl_fixup DIR: the C++ runtime next to the app, found through each library's RUNPATH, so nothing
# (no LD_LIBRARY_PATH) reaches the glibc programs the tests also start.
musl_fixup() {
    local dir=$1 f needs
    cp "$musl_lib/libstdc++.so.6" "$musl_lib/libgcc_s.so.1" "$dir/"
    for f in "$dir"/*; do
        [[ -f $f && ! -L $f ]] || continue
        needs=$(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p') || continue
        [[ $needs == *libstdc++.so* || $needs == *libgcc_s.so* ]] || continue
        patchelf --set-rpath '$ORIGIN' "$f"
    done
    # The apphost and the runtime are C++: without these RUNPATHs nothing would start.
    [[ $(readelf -d "$dir/libcoreclr.so") == *'Library runpath: [$ORIGIN]'* ]] ||
        { echo "build_apps.sh: libcoreclr.so in $dir was not pointed at the musl libstdc++" >&2; exit 1; }
}

if [[ $flavour == musl ]]; then
    [[ -f $musl_lib/libstdc++.so.6 && -f $musl_lib/libgcc_s.so.1 ]] ||
        { echo "skipped: no musl libstdc++.so.6 and libgcc_s.so.1 in '$musl_lib' for the musl runtime (scripts/setup-musl-runtime.sh)"; exit 77; }
    # The version NuGet serves of .NET 8's musl runtime pack (newer than the patch this SDK knows).
    net8_version=${NRP_MUSL_NET8_VERSION:-8.0.34}
    # Restore covers every target framework of a project: name one, and no other framework's packs are asked for.
    musl=(-c Release -r linux-musl-x64 --self-contained -nologo -v quiet -p:DisableTransitiveFrameworkReferenceDownloads=true)
    for app in Demo Workload Shapes Signals Async Bundle RefStructs Unload VbApp; do
        project=$(echo "$out/src/$app/$app".*proj)
        dotnet publish "$project" "${musl[@]}" -p:TargetFrameworks=net10.0 -f net10.0 -o "$out/net10-musl"
        test -x "$out/net10-musl/$app"
    done
    dotnet build "$out/src/UnloadImpl/UnloadImpl.csproj" -c Release -p:TargetFrameworks=net10.0 -f net10.0 \
        -o "$out/net10-musl/unload-plugins" -nologo -v quiet
    test -f "$out/net10-musl/unload-plugins/Unload.Impl.dll"
    apphost=$(sed -n '/includedFrameworks/,/]/s/.*"version": "\(.*\)".*/\1/p' "$out/net10-musl/Demo.runtimeconfig.json")
    for app in Demo Workload Shapes Signals Async; do
        dotnet publish "$out/src/$app/$app.csproj" "${musl[@]}" -p:TargetFrameworks=net8.0 -f net8.0 -o "$out/net8-musl" \
            -p:CustomAfterMicrosoftCommonTargets="$src/musl-net8.targets" -p:NrpMuslRuntimeVersion="$net8_version" \
            -p:NrpMuslAppHostVersion="$apphost"
        test -x "$out/net8-musl/$app"
    done
    musl_fixup "$out/net10-musl"
    musl_fixup "$out/net8-musl"
    echo "built Demo, Workload, Shapes, Signals and Async for linux-musl-x64 on .NET $apphost and $net8_version, and Bundle," \
         "RefStructs, Unload and VbApp on .NET $apphost, self-contained, in $out"
    exit 0
fi

for app in Demo Workload Shapes Signals Async; do
    project="$out/src/$app/$app.csproj"
    dotnet build "$project" -c Release -f net10.0 -o "$out/net10" -nologo -v quiet
    dotnet publish "$project" -c Release -f net8.0 -r linux-x64 --self-contained -o "$out/net8" -nologo -v quiet
    test -f "$out/net10/$app.dll" && test -x "$out/net8/$app"
done
# Bundle (ASP.NET Core, Microsoft.Data.Sqlite from NuGet), RefStructs
# (C# 13's `allows ref struct`) and VbApp (Visual Basic): net10.0 only.
for app in Bundle RefStructs Unload VbApp; do
    project=$(echo "$out/src/$app/$app".*proj)
    dotnet build "$project" -c Release -f net10.0 -o "$out/net10" -nologo -v quiet
    test -f "$out/net10/$app.dll"
done
# Unload's plugin, in a folder of its own: only its collectible contexts load it.
dotnet build "$out/src/UnloadImpl/UnloadImpl.csproj" -c Release -f net10.0 -o "$out/net10/unload-plugins" -nologo -v quiet
test -f "$out/net10/unload-plugins/Unload.Impl.dll" && test -f "$out/net10/unload-plugins/Unload.Core.dll"
echo "built Demo, Workload, Shapes, Signals and Async for net10.0 and net8.0 (self-contained), and Bundle, RefStructs, Unload and VbApp for net10.0, in $out"
