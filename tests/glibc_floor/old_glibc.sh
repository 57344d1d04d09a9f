# old_glibc.sh - sourced by the tests that run programs on the older glibc
# that scripts/setup-old-glibc.sh unpacks (NRP_OLD_GLIBC_ROOT).
#
# A program runs on that glibc when its dynamic loader is the root's and its
# libraries are searched in the root first: old_glibc_copy makes such a copy
# of a program with patchelf (interpreter, and DT_RPATH, which unlike
# RUNPATH also serves the libraries it loads and their dlopen calls). Only
# that program is affected; nothing is set in the environment.

old_glibc_init() { # ROOT: sets OLD_LOADER, OLD_LIBS, OLD_GLIBC_VERSION; fails unless ROOT holds a glibc older than 2.34
    local root=$1
    OLD_LOADER=$root/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
    OLD_LIBS=$root/lib/x86_64-linux-gnu:$root/usr/lib/x86_64-linux-gnu
    if [[ -z $root || ! -e $OLD_LOADER ]] || ! command -v patchelf >/dev/null; then
        echo "FAIL: no older glibc in '$root' (or no patchelf): run scripts/setup-old-glibc.sh"
        return 1
    fi
    OLD_GLIBC_VERSION=$("$OLD_LOADER" --library-path "$OLD_LIBS" "$root/lib/x86_64-linux-gnu/libc.so.6" |
                        sed -n '1s/.*release version \([0-9.]*[0-9]\).*/\1/p')
    # Anything else would run the tests on this machine's own glibc and prove nothing.
    if [[ -z $OLD_GLIBC_VERSION || $(printf '%s\n' "$OLD_GLIBC_VERSION" 2.33 | sort -V | tail -1) != 2.33 ]]; then
        echo "FAIL: the glibc in '$root' is '${OLD_GLIBC_VERSION:-unknown}', not older than 2.34"
        return 1
    fi
}

old_glibc_copy() { # PROGRAM DEST: DEST runs PROGRAM's code on the old glibc
    cp "$1" "$2"
    patchelf --set-interpreter "$(readlink -f "$OLD_LOADER")" --force-rpath --set-rpath "$OLD_LIBS" "$2"
}

old_glibc_dotnet() { # DIR: a dotnet muxer on the old glibc in DIR, next to links to the SDK's runtimes
    local real
    real=$(dirname "$(readlink -f "$(command -v dotnet)")")
    mkdir -p "$1"
    ln -sfn "$real/host" "$1/host"
    ln -sfn "$real/shared" "$1/shared"
    old_glibc_copy "$real/dotnet" "$1/dotnet"
}
