#!/usr/bin/env bash
# Installs everything Ariadne needs to build and test on Debian 12: compilers and C++ libraries
# from Debian's archive, then the npm packages of the UI and of the test clients from their
# lockfiles. Idempotent: when everything is present it only checks, in about a second.
# Runs as root, or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache git curl ca-certificates
  clang-14 libclang-rt-14-dev clang-format clang-tidy
  # C++ libraries (docs/architecture.md#dependencies)
  libboost-dev libsimdjson-dev libzstd-dev liblz4-dev zlib1g-dev libcurl4-openssl-dev libssl-dev
  libyaml-cpp-dev libxxhash-dev libcli11-dev
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libgtest-dev libgmock-dev libbenchmark-dev
  # independent implementations used only by tests (differential oracles)
  thrift-compiler libthrift-dev
  # UI build, e2e tests and interop clients
  nodejs chromium python3
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs from another origin may provide npm itself; Debian's splits it out.
command -v npm >/dev/null 2>&1 || missing+=(npm)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: missing packages (${missing[*]}) and not root; rerun as root" >&2
    [ ${#missing[@]} -eq 0 ] || exit 1
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${#missing[*]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all ${#APT_PACKAGES[@]} Debian packages present"
fi

# npm packages, from each lockfile in the tree (UI and test clients). `npm ci` only when the
# lockfile changed since the last install.
while IFS= read -r lock; do
  dir=$(dirname "$lock")
  stamp="$dir/node_modules/.ariadne-lock-stamp"
  if [ -f "$stamp" ] && cmp -s "$lock" "$stamp"; then
    echo "install-deps: npm packages of $dir up to date"
    continue
  fi
  echo "install-deps: npm ci in $dir"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$lock" "$stamp"
done < <(git ls-files '*package-lock.json' 2>/dev/null || true)
