# The musl flavour, checked inside a real musl .NET runtime (Alpine).
#   docker build -f docker/alpine.Dockerfile .
#
# Stage 1 builds it exactly as CI does, on Debian: scripts/setup.sh, then
# scripts/setup-musl.sh (musl-gcc, with libyaml and cmocka built for musl from
# Debian's source packages), then the musl unit, CLI and symbol tests.
FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN scripts/setup.sh >/dev/null && scripts/setup-musl.sh && ctest --preset musl

# Stage 2 runs the end-to-end cases on Alpine's own .NET 10, whose runtime is
# built for musl: the one place the musl libNewRelicProfiler.so really runs.
# The cases that need test-only plugins (built with the end-to-end tests,
# which the musl preset leaves out) or glibc's ldd, and the .NET 8 ones (a
# glibc self-contained app), are left to Debian.
FROM mcr.microsoft.com/dotnet/sdk:10.0-alpine
RUN apk add --no-cache bash python3 binutils
WORKDIR /src
COPY --from=build /src /src
RUN set -e; umask 022; \
    tests/e2e/build_apps.sh tests/e2e /tmp/apps; \
    for c in counts custom-config bad-config shapes-timing shapes-tracer shapes-tracer-options metrics-settings \
             default-rules fidelity-timing fidelity-tracer refstructs-tracer refstructs-timing unload; do \
        tests/e2e/run_case.sh "$c" net10 /src/build-musl/bundle /tmp/apps "/tmp/work/$c"; \
    done
