#!/usr/bin/env bash
# Installs what building and testing need on Debian 12 (or Ubuntu), then
# configures and builds with the default CMake preset. Safe to re-run: apt is
# only called for packages that are missing.
set -euo pipefail
# The profiler refuses files others can write (StrictModes): build and test
# with the usual umask whatever the caller has.
umask 022
cd "$(dirname "$0")/.."

packages=(gcc g++ make cmake pkg-config binutils libyaml-dev libcmocka-dev python3 python3-jsonschema python3-yaml clang libclang-rt-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
    sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    echo "setup: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ! command -v dotnet >/dev/null; then
    echo "setup: the .NET SDK (dotnet, 8.0 or later) is required for the demo and the end-to-end tests" >&2
    exit 1
fi

# An older glibc for the tests that run the glibc bundle on it (tests/glibc_floor).
scripts/setup-old-glibc.sh

cmake --preset default >/dev/null
cmake --build --preset default
