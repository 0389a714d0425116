#!/usr/bin/env bash
# Installs TermBrain's build and test dependencies from Debian's packages.
# Usage: scripts/deps.sh [--test] [--ship] [--container] [--arm64]   (--test adds what the
# test suite needs, --ship what scripts/ship-test needs, --container what
# scripts/container-test needs, --arm64 what scripts/cross-arm64 needs)
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
pkgs=(cmake ninja-build g++ pkg-config
      librocksdb-dev libflatbuffers-dev flatbuffers-compiler
      libboost-program-options-dev libspdlog-dev libfmt-dev libzstd-dev
      libtomlplusplus-dev nlohmann-json3-dev libre2-dev libsqlite3-dev libncurses-dev
      libxxhash-dev libsimdjson-dev libutf8proc-dev libhowardhinnant-date-dev
      libsodium-dev libcpp-httplib-dev libsystemd-dev libnats-dev)
for flag in "$@"; do
  case $flag in
    --test)
      pkgs+=(libgtest-dev libgmock-dev googletest libbenchmark-dev gcovr tmux sqlite3 zsh fish
            clang-format prometheus systemd clang libclang-rt-14-dev lld nats-server graphviz man-db groff-base
            doxygen) ;;
    --ship)
      pkgs+=(dpkg-dev lintian debootstrap systemd yamllint python3-yaml python3-jsonschema)
      # kubectl kustomize: Debian's kubernetes-client, unless a kubectl is there.
      command -v kubectl >/dev/null || pkgs+=(kubernetes-client) ;;
    --container) pkgs+=(debootstrap buildah) ;;
    --arm64) pkgs+=(crossbuild-essential-arm64 qemu-user-static debootstrap file) ;;
    *) echo "usage: scripts/deps.sh [--test] [--ship] [--container] [--arm64]" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
