#!/usr/bin/env bash
# Installs the Debian packages distlab builds and tests with, if any are missing.
# As root it runs apt-get; otherwise it prints the exact command to run and stops.
# Extra packages can be asked for: scripts/setup-deps.sh chromium
set -euo pipefail

packages=(
  cmake g++ make ninja-build pkg-config          # toolchain
  libfmt-dev libcli11-dev nlohmann-json3-dev      # formatting, flags, JSON
  libasio-dev libtomlplusplus-dev libsodium-dev   # UDP runtime, cluster files, sealed frames
  libgtest-dev libgmock-dev librapidcheck-dev     # unit and property tests
  libbenchmark-dev                                # micro-benchmarks
  libnetfilter-log-dev                            # launch --netns: the drops its nftables rules log
  iproute2 iputils-ping nftables python3          # real-run tests: test hosts (ip netns), a lossy link (nft), the seed's programs
  time                                            # bench/growth_table.py: each run's peak memory
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "distlab needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with:  sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
