# Builds the glibc flavour and runs every test on Debian 12 with the .NET SDK,
# through the same script CI runs (scripts/test.sh installs the packages).
#   docker build -f docker/debian.Dockerfile .
FROM mcr.microsoft.com/dotnet/sdk:10.0-bookworm-slim
WORKDIR /src
COPY . .
RUN scripts/test.sh
