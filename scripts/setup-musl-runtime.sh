#!/usr/bin/env bash
# Makes the musl .NET runtime runnable on this Debian machine, for the
# end-to-end tests of the musl bundle (CMake preset `musl`, tests/e2e).
#
# The runtime itself comes from NuGet when the test apps are published for
# linux-musl-x64 (tests/e2e/build_apps.sh). Its native parts (the apphost,
# libcoreclr, libclrjit, libhostfxr, ...) are C++ and need a musl-built
# libstdc++.so.6 and libgcc_s.so.1, which Debian does not package. Debian
# does give musl itself (libc and the loader /lib/ld-musl-x86_64.so.1) and
# gcc's own sources (gcc-12-source), so this script builds a gcc that targets
# x86_64-linux-musl, C and C++ only, with --disable-symvers as Alpine's, and
# keeps its libstdc++ and libgcc_s in build/musl-runtime/lib. The tests copy
# them next to each app and point the app's libraries at them ($ORIGIN), so
# no LD_LIBRARY_PATH reaches the glibc programs a test also runs.
#
# The compiler takes about 10 minutes on 2 cores, so the installed toolchain
# is kept in a cache (NRP_CACHE_DIR, default ~/.cache/nrprof) keyed on the
# versions of gcc-12-source and musl-dev and on this recipe; later runs unpack
# it in seconds. On Alpine (docker/alpine.Dockerfile) the system has these
# libraries and nothing is built. Safe to re-run.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
out=$PWD/build/musl-runtime
recipe=1   # raise when the build below changes: the cached toolchain is then rebuilt

say() { echo "setup-musl-runtime: $*"; }

if [[ -f /etc/alpine-release ]]; then
    mkdir -p "$out/lib"
    for lib in libstdc++.so.6 libgcc_s.so.1; do
        cp -L "$(find /usr/lib /lib -maxdepth 1 -name "$lib" | head -1)" "$out/lib/"
    done
    say "Alpine's own libstdc++ and libgcc_s in $out/lib"
    exit 0
fi

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
packages=(musl musl-dev musl-tools gcc-12-source libgmp-dev libmpfr-dev libmpc-dev patchelf xz-utils make binutils)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} )); then
    say "installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

key="gcc-$(dpkg-query -W -f='${Version}' gcc-12-source)-musl-$(dpkg-query -W -f='${Version}' musl-dev)-r$recipe"
if [[ -f $out/key && $(cat "$out/key") == "$key" && -f $out/lib/libstdc++.so.6 && -f $out/lib/libgcc_s.so.1 ]]; then
    exit 0
fi
cache=${NRP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/nrprof}
tarball=$cache/x86_64-linux-musl-$key.tar.xz
target=x86_64-linux-musl
prefix=$out/toolchain

rm -rf "$out" && mkdir -p "$out/lib"
if [[ -f $tarball ]]; then
    say "unpacking the cached toolchain $tarball"
    mkdir -p "$prefix" && tar -xJf "$tarball" -C "$prefix"
else
    started=$SECONDS
    work=$out/work
    sysroot=$prefix/$target/sysroot
    mkdir -p "$work" "$sysroot/usr/include" "$sysroot/usr/lib" "$prefix/bin"

    # The sysroot: musl's headers, the kernel's (which libstdc++ reaches
    # through <linux/...>) and musl's start files and libraries.
    cp -r /usr/include/$target/. "$sysroot/usr/include/"
    cp -r /usr/include/linux /usr/include/asm-generic "$sysroot/usr/include/"
    cp -r /usr/include/x86_64-linux-gnu/asm "$sysroot/usr/include/"
    cp -P /usr/lib/$target/*.o /usr/lib/$target/*.a /usr/lib/$target/libc.so "$sysroot/usr/lib/"
    # The host's binutils, under the names a cross gcc looks for.
    for tool in as ld ar nm ranlib strip objcopy objdump readelf; do
        ln -sf "$(command -v "$tool")" "$prefix/bin/$target-$tool"
    done
    export PATH=$prefix/bin:$PATH

    say "unpacking gcc's sources ($(dpkg-query -W -f='${Version}' gcc-12-source))"
    tar -xJf /usr/src/gcc-12/gcc-*.tar.xz -C "$work"
    src=$(find "$work" -maxdepth 1 -type d -name 'gcc-*' | head -1)
    mkdir -p "$work/build"
    cd "$work/build"
    # The sysroot inside the prefix keeps the toolchain relocatable (it is
    # cached and unpacked elsewhere). Only what libstdc++ and libgcc_s need.
    "$src/configure" --target=$target --prefix="$prefix" --with-sysroot="$sysroot" \
        --enable-languages=c,c++ --disable-multilib --disable-bootstrap --disable-nls --disable-werror \
        --disable-symvers --enable-shared --enable-threads=posix --enable-tls --enable-__cxa_atexit \
        --disable-libsanitizer --disable-libssp --disable-libquadmath --disable-libgomp --disable-libitm \
        --disable-libvtv --disable-libatomic --disable-lto --disable-plugin >"$work/configure.log" 2>&1 ||
        { tail -30 "$work/configure.log"; exit 1; }
    say "building the compiler (about 9 minutes on 2 cores)"
    make -j"$(nproc)" all-gcc >"$work/gcc.log" 2>&1 || { tail -40 "$work/gcc.log"; exit 1; }
    # Debian's source leaves out the manuals; the check that the hooks are
    # documented in them would fail the install.
    touch gcc/s-tm-texi
    make install-gcc >>"$work/gcc.log" 2>&1 || { tail -40 "$work/gcc.log"; exit 1; }
    say "building libgcc and libstdc++"
    make -j"$(nproc)" all-target-libgcc >"$work/libgcc.log" 2>&1 || { tail -40 "$work/libgcc.log"; exit 1; }
    make install-target-libgcc >>"$work/libgcc.log" 2>&1 || { tail -40 "$work/libgcc.log"; exit 1; }
    make -j"$(nproc)" all-target-libstdc++-v3 >"$work/libstdc++.log" 2>&1 || { tail -40 "$work/libstdc++.log"; exit 1; }
    make install-target-libstdc++-v3 >>"$work/libstdc++.log" 2>&1 || { tail -40 "$work/libstdc++.log"; exit 1; }
    cd - >/dev/null
    rm -rf "$work"
    # The binutils links point at this machine's; they are made again after unpacking.
    find "$prefix/bin" -type l -name "$target-*" -delete
    # Without debugging information the toolchain packs to a tenth of its size.
    find "$prefix/bin" "$prefix/libexec" -type f -perm -u+x -exec sh -c 'head -c 4 "$1" | grep -q ELF && strip "$1"' _ {} \;
    find "$prefix/$target" "$prefix/lib" -type f \( -name '*.so*' -o -name '*.a' -o -name '*.o' \) \
        -exec sh -c 'head -c 4 "$1" | grep -q ELF\|! && strip --strip-debug "$1"' _ {} \;
    mkdir -p "$cache"
    tar -cf - -C "$prefix" . | xz -T0 -3 >"$tarball.part" && mv "$tarball.part" "$tarball"
    say "built the toolchain in $((SECONDS - started)) s; cached as $tarball"
fi
for tool in as ld ar nm ranlib strip objcopy objdump readelf; do
    ln -sf "$(command -v "$tool")" "$prefix/bin/$target-$tool"
done

for lib in libstdc++.so.6 libgcc_s.so.1; do
    cp -L "$prefix/$target/lib64/$lib" "$out/lib/" 2>/dev/null || cp -L "$prefix/$target/lib/$lib" "$out/lib/"
done
# Built for musl: they must need musl's libc and nothing of glibc.
for lib in "$out"/lib/*; do
    if readelf -V "$lib" | grep -q GLIBC_ || ! readelf -d "$lib" | grep -q 'Shared library: \[libc.so\]'; then
        say "$lib is not a musl library"; exit 1
    fi
done
echo "$key" >"$out/key"
say "musl libstdc++ and libgcc_s in $out/lib"
