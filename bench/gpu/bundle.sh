#!/usr/bin/env bash
# Gathers, as Debian packages, what the GPU machine lacks to build Topiary: yaml-cpp,
# HDF5 (C/C++ and the libraries they load), OpenMPI (CMake requires it and every binary links
# libmpi, even though the gpu tests and the bench never start MPI), GoogleTest, CLI11,
# nlohmann-json, fmt, SentencePiece, ICU (the WordPiece tokenizer's Unicode data; about 20 MB of
# the bundle), zlib headers and pkgconf. Runs HERE (apt-get download
# needs the package index, not root); the files land in the ignored folder .bundle/ at the
# repository root, which travels with the working tree; bench/gpu/run.sh unpacks them with
# `dpkg -x`. Prints the total size: the whole tree sent must stay well under 64 MiB.
#
#   bench/gpu/bundle.sh            # env: BUNDLE (default <repo>/.bundle)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUNDLE=${BUNDLE:-$SRC/.bundle}

# An explicit list, not apt's dependency closure: libopenmpi-dev alone drags in gfortran, flang
# and LLVM (~600 MiB) through alternatives. These are what CMake's find_package /
# pkg_check_modules read (headers, CMake configs, .pc files, wrappers) and the DT_NEEDED closure
# of the libraries Topiary links (readelf -d): libmpi -> open-rte, open-pal, hwloc, libevent;
# libhdf5 -> libsz/libaec, libcurl (+ its TLS/auth libraries), libcrypto (OpenSSL 3, which
# Topiary also links for SHA-256: libssl-dev has its headers).
# MPI's transports (libfabric, UCX, PSM) are plugins loaded only by MPI_Init, which the gpu tests
# and the bench never call, so they stay out. libc, libstdc++ and libgcc are assumed present.
packages=(
  libyaml-cpp-dev libyaml-cpp0.7
  libhdf5-dev libhdf5-103-1 libhdf5-cpp-103-1 libhdf5-hl-100 libhdf5-hl-cpp-100 libsz2 libaec0
  libaec-dev
  libopenmpi-dev libopenmpi3 openmpi-common openmpi-bin libhwloc15 libhwloc-dev libevent-core-2.1-7
  libevent-pthreads-2.1-7 libevent-dev libpmix2 libpmix-dev libltdl7 libnuma1 libudev1
  libgtest-dev libcli11-dev nlohmann-json3-dev libfmt-dev libfmt9
  libsentencepiece-dev libsentencepiece0 libicu-dev libicu72 zlib1g-dev pkgconf pkgconf-bin
  libpkgconf3
  libssl-dev libssl3 libcurl4 libnghttp2-14 libidn2-0 libunistring2 librtmp1 libssh2-1 libpsl5 libbrotli1
  libldap-2.5-0 libsasl2-2 libsasl2-modules-db libgssapi-krb5-2 libkrb5-3 libk5crypto3
  libkrb5support0 libkeyutils1 libzstd1 libgnutls30 libhogweed6 libnettle8 libtasn1-6
  libp11-kit0 libffi8 libgmp10 libcom-err2
)
mkdir -p "$BUNDLE"
cd "$BUNDLE"
rm -f ./*.deb
echo "bundle: ${#packages[@]} packages: ${packages[*]}"
apt-get download -q "${packages[@]}" >/dev/null
# Record what is in the bundle (run.sh prints it) and the size.
ls -1 ./*.deb | sed 's|^\./||' > MANIFEST
bytes=$(du -cb ./*.deb | tail -1 | cut -f1)
echo "bundle: $(wc -l < MANIFEST) .deb files, $((bytes / 1024 / 1024)) MiB ($bytes bytes) in $BUNDLE"
if [ "$bytes" -gt $((40 * 1024 * 1024)) ]; then
  echo "bundle: WARNING: over 40 MiB; the tree sent to the GPU machine must stay under 64 MiB" >&2
fi
