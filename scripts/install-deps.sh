#!/usr/bin/env bash
# Installs every Debian package that trawl's build, tests and benchmarks need. Idempotent: packages already
# present are not touched, and `apt-get update` runs only when something is missing.
set -euo pipefail

build=(build-essential cmake ninja-build pkg-config libsimdjson-dev libtomlplusplus-dev
       libpcap-dev libcli11-dev nlohmann-json3-dev libfmt-dev libabsl-dev libxxhash-dev
       libzstd-dev zlib1g-dev libssl-dev libre2-dev libgtest-dev libgmock-dev)
# tshark, capinfos, editcap and mergecap are the reference the golden tests compare against.
tests=(tshark tcpdump)
# bench/ also races the article's scapy script and measures peak memory.
bench=(python3-scapy time libndpi-bin)

want=("${build[@]}" "${tests[@]}")
case "${1:-}" in
  --bench) want+=("${bench[@]}") ;;
  --build-only) want=("${build[@]}") ;;
  "") ;;
  *) echo "usage: $0 [--bench|--build-only]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
((${#missing[@]})) || exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
