#!/usr/bin/env bash
# Installs the Debian packages asr needs to build and test. Idempotent: installs only what is
# missing, so it is fast on a machine that already has everything.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config python3
  g++ clang libclang-rt-14-dev clang-format clang-tidy
  nlohmann-json3-dev libsimdjson-dev libcli11-dev libyaml-cpp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev libcurl4-openssl-dev libpugixml-dev
  libsqlite3-dev libcpp-httplib-dev
  jq
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
