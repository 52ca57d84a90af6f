#!/usr/bin/env bash
# setup.sh: installs the Debian 12 packages jwtbatch builds with, when they are missing.
# Uses apt-get as root, or sudo; says clearly what to do when neither works.
set -euo pipefail

# chromium: the audit test opens the HTML report headless (tests/e2e/audit_test.cpp). libssl-dev,
# pkgconf, python3: the embedding tests (an OpenSSL-linked host, the installed package, ctypes).
# nginx, nginx-dev: the nginx module is built against nginx-dev and tested in a real nginx.
# python3-dev, pybind11-dev: the Python binding; python3-dask, python3-distributed: the distributed
# audit (tools/jwtbatch-dask) and its test on a local cluster.
packages=(cmake g++ make android-libboringssl-dev libsimdjson-dev libtbb-dev libbenchmark-dev libgtest-dev
          chromium libssl-dev pkgconf python3 nginx nginx-dev python3-dev pybind11-dev python3-dask
          python3-distributed)
if [ "$#" -gt 0 ]; then packages+=("$@"); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo -n)
else
  echo "jwtbatch setup: missing packages: ${missing[*]}" >&2
  echo "jwtbatch setup: run as root (or with sudo): apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "jwtbatch setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
