#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package xlb needs to build, test, benchmark and demo.
# Idempotent: packages already present are left alone, and apt is only asked
# when something is missing. The Makefile runs this whenever a tool or header
# it needs is absent, so a fresh Debian 12 machine needs nothing by hand.
set -euo pipefail

PACKAGES=(
	# build
	make gcc clang llvm pkg-config libc6-dev linux-libc-dev
	libbpf-dev libxdp-dev libelf-dev zlib1g-dev
	libmnl-dev libconfig-dev libjansson-dev libsystemd-dev libpcap-dev
	bpftool xdp-tools
	# checks (make asan: gcc's sanitizer runtimes)
	clang-format shellcheck libasan8 libubsan1
	# tests and demo
	iproute2 iputils-ping ethtool socat iperf3 curl procps psmisc util-linux
	python3 jq tcpdump nftables
	python3-prometheus-client
	systemd # systemd-analyze verifies configs/xlbd.service
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	echo "deps.sh: run as root (or with sudo) to install them" >&2
	exit 1
fi

echo "deps.sh: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
