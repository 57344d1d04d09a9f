#!/usr/bin/env bash
# Usage: check_install.sh BUILD_DIR PREFIX
# Installs into PREFIX and checks the bundle layout users depend on.
set -euo pipefail
build=$1 prefix=$2
rm -rf "$prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
want="bin/nrprof
include/nrp/api.h
include/nrp/emit.h
include/nrp/il.h
include/nrp/log.h
include/nrp/metrics.h
include/nrp/opcodes.h
include/nrp/plugin.h
include/nrp/result.h
instrumentation.d/README.md
instrumentation.yaml
lib/cmake/NrpPlugin/NrpPluginConfig.cmake
lib/cmake/NrpPlugin/NrpPluginConfigVersion.cmake
lib/pkgconfig/nrp-plugin.pc
libNewRelicProfiler.so
plugins/libnrp_identity.so
plugins/libnrp_timing.so
plugins/libnrp_tracer.so
schemas/instrumentation.schema.json"
got=$(cd "$prefix" && find . -type f | sed 's|^\./||' | sort)
if [[ "$got" != "$want" ]]; then
    echo "FAIL: installed files:"; echo "$got" | sed 's/^/    /'
    echo "expected:"; echo "$want" | sed 's/^/    /'
    exit 1
fi
echo "ok: $prefix holds:"; echo "$got" | sed 's/^/    /'
