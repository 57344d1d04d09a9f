#!/usr/bin/env bash
# Usage: check_sdk.sh BUILD_DIR SOURCE_DIR WORK_DIR
# Installs the plugin SDK into WORK_DIR/sdk and builds the template plugin
# (plugins/template) out of tree against it, the CMake way and the
# pkg-config way, with $CC (cc if unset; CMake reads it too), with the
# warnings a strict plugin project turns on (NRP_PLUGIN_DEFINE must not trip
# -Wmissing-prototypes). Leaves WORK_DIR/libnrp_hello.so for the end-to-end
# case. Warnings fail it when NRP_TEST_WERROR is -Werror: CMake passes that
# with NRP_WERROR=ON and an empty value without; unset (a run by hand),
# -Werror. The template's own CMakeLists.txt never adds -Werror: plugin
# authors choose.
set -euo pipefail
build=$1 src=$2 work=$3
werror=${NRP_TEST_WERROR--Werror}
strict="-Wall -Wextra -Wmissing-prototypes -Wstrict-prototypes $werror"
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --component sdk --prefix "$work/sdk" >/dev/null
echo "ok: SDK installed: $(cd "$work/sdk" && find . -type f | sort | tr '\n' ' ')"

# 0. The installed headers stand alone, as strict C11 and as C++11.
headers=$(cd "$work/sdk/include" && find nrp -name '*.h' | sort)
{ for h in $headers; do echo "#include <$h>"; done; echo "int nrp_sdk_probe(void);"; echo "int nrp_sdk_probe(void) { return NRP_ABI_MAJOR; }"; } >"$work/headers.c"
"${CC:-cc}" -std=c11 -pedantic $strict -fsyntax-only -I"$work/sdk/include" "$work/headers.c"
c++ -std=c++11 -pedantic -Wall -Wextra $werror -fsyntax-only -x c++ -I"$work/sdk/include" "$work/headers.c"
echo "ok: headers compile as C11 and C++11 with -pedantic $strict: $(echo $headers)"

# 1. CMake: find_package(NrpPlugin) -> Nrp::plugin
cp -r "$src/plugins/template" "$work/template"
cmake -S "$work/template" -B "$work/template/build" -DCMAKE_PREFIX_PATH="$work/sdk" \
      -DCMAKE_C_FLAGS="$strict" >/dev/null
cmake --build "$work/template/build" >/dev/null
so="$work/template/build/libnrp_hello.so"
test -f "$so"
echo "ok: template built with find_package(NrpPlugin) and $strict"

# 2. pkg-config: nrp-plugin
cflags=$(PKG_CONFIG_PATH="$(dirname "$(find "$work/sdk" -name nrp-plugin.pc)")" pkg-config --cflags nrp-plugin)
"${CC:-cc}" $cflags $strict -shared -o "$work/libnrp_hello_pc.so" "$work/template/hello.c"
echo "ok: template built with pkg-config (cflags: $cflags)"

# Both export only the entry point (and, built with musl, the _init and _fini
# that musl's crti.o and crtn.o make global, as tests/symbols/check_exports.sh says).
for lib in "$so" "$work/libnrp_hello_pc.so"; do
    exports=$(nm -D --defined-only --format=posix "$lib" | awk '$1 != "_init" && $1 != "_fini" {print $1}' | tr '\n' ' ')
    if [[ "$exports" != "nrp_plugin_entry " ]]; then echo "FAIL: $lib exports: $exports"; exit 1; fi
done
echo "ok: both builds export only nrp_plugin_entry"
cp "$so" "$work/libnrp_hello.so"
