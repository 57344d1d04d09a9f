#!/usr/bin/env bash
# Usage: check_exports.sh BUNDLE_DIR [glibc|musl] [GLIBC_FLOOR|none]
# Every shared object of the bundle exports exactly its documented entry
# points, and the host needs nothing at run time but the C library. A musl
# build references no glibc-versioned symbol. A glibc build needs no GLIBC_
# version newer than GLIBC_FLOOR (2.17 unless given; `none` where the build
# does not pin versions: other CPUs than x86-64, NRP_GLIBC_PINNING=OFF); the newest each file needs
# is printed, which is the oldest glibc it runs on.
set -euo pipefail
bundle=$1 flavour=${2:-glibc} floor=${3:-2.17}
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

# DllGetClassObject for the runtime; include/nrp/api.h for the agent.
expect_exports "$bundle/libNewRelicProfiler.so" DllGetClassObject nrp_api_apply_rules nrp_api_remove_rules nrp_api_version
shopt -s nullglob
plugins=("$bundle"/plugins/*.so)
if (( ${#plugins[@]} == 0 )); then echo "FAIL: no plugin in $bundle/plugins"; fail=1; fi
for p in "${plugins[@]}"; do expect_exports "$p" nrp_plugin_entry; done

for so in "$bundle/libNewRelicProfiler.so" "${plugins[@]}"; do
    needed=$(readelf -d "$so" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
    for lib in $needed; do
        case $flavour:$lib in
            *:libc.so*|*:ld-linux*|*:ld-musl*) ;;
            # Where dlopen and pthread_create live before glibc 2.34
            # (cmake/GlibcFloor.cmake); part of every glibc.
            glibc:libdl.so.2|glibc:libpthread.so.0) ;;
            *) echo "FAIL: $(basename "$so") needs $lib (the bundle must need only libc)"; fail=1 ;;
        esac
    done
    echo "ok: $(basename "$so") needs: ${needed:-nothing}"
done

newest_of() { printf '%s\n' "$@" | sort -V | tail -1; }
overall=
for so in "$bundle/libNewRelicProfiler.so" "${plugins[@]}" "$bundle/bin/nrprof"; do
    newest=$(objdump -T "$so" | grep -o 'GLIBC_[0-9][0-9.]*' | sort -uV | tail -1 || true)
    if [[ $flavour == musl ]]; then
        if [[ -n $newest ]]; then echo "FAIL: $(basename "$so") (musl) references $newest"; fail=1
        else echo "ok: $(basename "$so") references no GLIBC_ symbol version"; fi
        continue
    fi
    newest=${newest#GLIBC_}
    overall=$(newest_of "$overall" "$newest")
    if [[ $floor == none ]]; then
        echo "ok: $(basename "$so") needs glibc $newest (not pinned: no floor checked)"
    elif [[ $(newest_of "$floor" "$newest") != "$floor" ]]; then
        echo "FAIL: $(basename "$so") needs glibc $newest, newer than the floor $floor; symbols of newer versions:"
        objdump -T "$so" | grep -o 'GLIBC_[0-9][0-9.]*)\? *[A-Za-z_0-9]*$' | sed 's/GLIBC_//; s/)//' |
            while read -r v sym; do
                [[ $(newest_of "$floor" "$v") == "$floor" ]] || echo "    $sym@GLIBC_$v"
            done
        echo "  (bind it to an older version in host/compat/glibc_floor.h)"
        fail=1
    else
        echo "ok: $(basename "$so") needs glibc $newest (floor $floor)"
    fi
done
[[ $flavour == musl ]] || echo "glibc floor of the bundle: $overall (checked against $floor)"
exit $fail
