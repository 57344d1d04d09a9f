#!/usr/bin/env bash
# Usage: check_exports.sh BUNDLE_DIR [glibc|musl]
# Every shared object of the bundle exports exactly its documented entry
# points, and the host needs nothing at run time but the C library. A musl
# build references no glibc-versioned symbol; for a glibc build the newest
# GLIBC_ version it needs is printed (the floor users' systems must meet).
set -euo pipefail
bundle=$1 flavour=${2:-glibc}
fail=0

# musl's crti.o/crtn.o define _init and _fini as global symbols in every
# shared object: the C runtime's, not ours.
exports() { nm -D --defined-only --format=posix "$1" | awk '$1 != "_init" && $1 != "_fini" {print $1}' | sort; }

expect_exports() { # file, expected symbols...
    local file=$1; shift
    local want got
    want=$(printf '%s\n' "$@" | sort)
    got=$(exports "$file")
    if [[ "$got" != "$want" ]]; then
        echo "FAIL: $file exports:"; echo "$got" | sed 's/^/    /'
        echo "  expected:"; echo "$want" | sed 's/^/    /'
        fail=1
    else
        echo "ok: $(basename "$file") exports only: $*"
    fi
}

expect_exports "$bundle/libNewRelicProfiler.so" DllGetClassObject
shopt -s nullglob
plugins=("$bundle"/plugins/*.so)
if (( ${#plugins[@]} == 0 )); then echo "FAIL: no plugin in $bundle/plugins"; fail=1; fi
for p in "${plugins[@]}"; do expect_exports "$p" nrp_plugin_entry; done

for so in "$bundle/libNewRelicProfiler.so" "${plugins[@]}"; do
    needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
    for lib in $needed; do
        case $lib in
            libc.so*|ld-linux*|ld-musl*) ;;
            *) echo "FAIL: $(basename "$so") needs $lib (the bundle must need only libc)"; fail=1 ;;
        esac
    done
    echo "ok: $(basename "$so") needs: ${needed:-nothing}"
done

for so in "$bundle/libNewRelicProfiler.so" "${plugins[@]}" "$bundle/bin/nrprof"; do
    newest=$(objdump -T "$so" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -1 || true)
    if [[ $flavour == musl ]]; then
        if [[ -n $newest ]]; then echo "FAIL: $(basename "$so") (musl) references $newest"; fail=1
        else echo "ok: $(basename "$so") references no GLIBC_ symbol version"; fi
    else
        echo "ok: $(basename "$so") needs glibc ${newest#GLIBC_}"
    fi
done
exit $fail
