#!/usr/bin/env bash
# Installs the Debian packages the e2e tests need, if missing:
#   chromium        headless browser for the UI tests (/usr/bin/chromium)
#   fonts-noto-cjk  so zh-CN text renders in screenshots instead of boxes
#   ca-certificates the go command's HTTPS to the module proxy (building podium-lab)
# The lab itself is pure Go (e2e/lab) and needs no system package.
set -euo pipefail

pkgs=(chromium fonts-noto-cjk ca-certificates)

missing=()
for p in "${pkgs[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps: ${pkgs[*]} already installed"
  exit 0
fi

cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [[ "$(id -u)" -ne 0 ]]; then
  echo "deps: missing packages: ${missing[*]}" >&2
  echo "deps: run as root:  sudo sh -c '$cmd'" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
