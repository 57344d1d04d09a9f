#!/usr/bin/env bash
# Prepares the musl build (CMake preset `musl`): installs musl-tools, and
# builds libyaml and cmocka for musl, statically, from Debian's own source
# packages (fetched with apt's source download; nothing third-party lives in
# this repository). Then configures and builds with the preset. Safe to
# re-run: each step is skipped when its result is already there.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
deps=$PWD/build/musl-deps
prefix=$deps/prefix

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
missing=()
for p in musl-tools dpkg-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# apt's source download needs deb-src lines: the same archives as the
# system's own deb lines.
src_list=/etc/apt/sources.list.d/nrp-deb-src.sources
need_update=0
if [[ ! -f $src_list ]] && ! grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | $sudo tee "$src_list" >/dev/null
    else
        sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | $sudo tee /etc/apt/sources.list.d/nrp-deb-src.list >/dev/null
    fi
    need_update=1
fi
if (( ${#missing[@]} || need_update )); then
    echo "setup-musl: installing ${missing[*]:-nothing}, enabling source packages"
    $sudo apt-get update -qq
    (( ${#missing[@]} )) && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian's libyaml and cmocka sources, built static and position-independent
# (the profiler and its plugins are shared objects) with musl-gcc.
build_dep() { # SOURCE-PACKAGE DIR CMAKE-OPTIONS...
    local pkg=$1 dir=$2; shift 2
    mkdir -p "$deps/src"
    if [[ ! -d $deps/src/$dir ]]; then
        # apt checks the files against the archive's signed index as it
        # downloads them, so dpkg-source need not look for a keyring.
        (cd "$deps/src" && apt-get source --download-only "$pkg" >/dev/null 2>&1 &&
            dpkg-source --no-check -x "$(ls "${pkg}"_*.dsc | head -1)" "$dir" >/dev/null 2>&1)
    fi
    cmake -S "$deps/src/$dir" -B "$deps/build/$dir" -DCMAKE_C_COMPILER=musl-gcc -DCMAKE_BUILD_TYPE=Release \
          -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$prefix" "$@" >/dev/null
    cmake --build "$deps/build/$dir" -j2 >/dev/null
    cmake --install "$deps/build/$dir" >/dev/null
}
[[ -f $prefix/lib/libyaml.a ]] || build_dep libyaml yaml -DBUILD_SHARED_LIBS=OFF -DBUILD_TESTING=OFF
[[ -f $prefix/lib/libcmocka-static.a ]] ||
    build_dep cmocka cmocka -DWITH_STATIC_LIB=ON -DUNIT_TESTING=OFF -DWITH_EXAMPLES=OFF
echo "setup-musl: libyaml and cmocka for musl in $prefix"

cmake --preset musl >/dev/null
cmake --build --preset musl
