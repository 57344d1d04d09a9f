# The musl flavour, checked inside a real musl .NET runtime (Alpine).
#   docker build -f docker/alpine.Dockerfile .
#
# Stage 1 builds and tests it exactly as CI does, on Debian: scripts/setup.sh,
# then scripts/setup-musl.sh (musl-gcc, with libyaml and cmocka built for musl
# from Debian's source packages) and scripts/setup-musl-runtime.sh (a musl
# libstdc++ and libgcc_s built from Debian's gcc-12-source), then every musl
# test, the end-to-end cases in NuGet's musl .NET 10 and .NET 8 runtimes.
FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN scripts/setup.sh >/dev/null && scripts/setup-musl.sh && scripts/setup-musl-runtime.sh && ctest --preset musl

# Stage 2 runs the same end-to-end cases on Alpine, whose own libstdc++ and
# libgcc_s scripts/setup-musl-runtime.sh takes instead of building them: the
# same apps, published for linux-musl-x64, under the same musl bundle.
FROM mcr.microsoft.com/dotnet/sdk:10.0-alpine
RUN apk add --no-cache bash python3 binutils cmake patchelf coreutils findutils
WORKDIR /src
COPY --from=build /src /src
RUN umask 022 && scripts/setup-musl-runtime.sh && ctest --preset musl -L e2e
