#!/usr/bin/env bash
# Fetches an older glibc for the tests that run the glibc bundle, nrprof and
# .NET on it (tests/glibc_floor): Debian 11's libc6 (glibc 2.31, older than
# the 2.34 that moved dlopen and pthread_create into libc), with the
# libstdc++ and libgcc .NET needs, unpacked into build/old-glibc/root. Also
# installs patchelf, which points copies of programs at that root's dynamic
# loader. The packages come from the system's own Debian mirror, checked by
# apt against the archive keyring. Nothing is installed system-wide but
# patchelf. Safe to re-run: skipped when the root is there.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
dir=$PWD/build/old-glibc
suite=bullseye
packages=(libc6 libstdc++6 libgcc-s1)

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
if ! command -v patchelf >/dev/null || [[ ! -f /usr/share/keyrings/debian-archive-keyring.gpg ]]; then
    echo "setup-old-glibc: installing patchelf"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends patchelf debian-archive-keyring >/dev/null
fi
loader=$dir/root/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
[[ -e $loader ]] && exit 0

# The system's Debian mirror (deb822 or one-line sources), else Debian's CDN.
mirror=$(sed -n 's/^URIs: *\([^ ]*debian\/\?\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[[ -n $mirror ]] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\?\(http[^ ]*\/debian\/\?\) .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
[[ -n $mirror ]] || mirror=http://deb.debian.org/debian

# A private apt state: the system's sources, lists and status are untouched.
# When Debian retires the release from its mirrors it moves to
# archive.debian.org, which is tried next.
fetch() { # MIRROR
    rm -rf "$dir" && mkdir -p "$dir/apt/empty" "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" \
        "$dir/debs" "$dir/root"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $1 $suite main" >"$dir/apt/sources.list"
    : >"$dir/apt/status"
    local apt_private=(-o "Dir::Etc::SourceList=$dir/apt/sources.list" -o "Dir::Etc::SourceParts=$dir/apt/empty"
                       -o "Dir::State::Lists=$dir/apt/lists" -o "Dir::State::Status=$dir/apt/status"
                       -o "Dir::Cache=$dir/apt/cache" -o "Dir::Etc::Preferences=$dir/apt/none"
                       -o "Dir::Etc::PreferencesParts=$dir/apt/empty" -o APT::Sandbox::User=root)
    echo "setup-old-glibc: fetching ${packages[*]} from $1 $suite"
    apt-get "${apt_private[@]}" update -qq &&
        (cd "$dir/debs" && apt-get "${apt_private[@]}" download -qq "${packages[@]}")
}
tried=()
for source in "$mirror" http://archive.debian.org/debian; do
    tried+=("$source")
    fetch "$source" && break
    rm -rf "$dir"
done
if [[ ! -d $dir/debs ]]; then
    echo "setup-old-glibc: no mirror served Debian $suite's ${packages[*]} (tried ${tried[*]});" \
         "the glibc floor tests (tests/glibc_floor) need them" >&2
    exit 1
fi
for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$dir/root"; done
lib=$dir/root/lib/x86_64-linux-gnu
echo "setup-old-glibc: $("$loader" --library-path "$lib" "$lib/libc.so.6" | head -1) in $dir/root"
