#!/usr/bin/env bash
# Installs what `make run` / `make test` / `make bundle` need and is missing, quickly when
# everything is present. Usage: scripts/prerequisites.sh [build|test|bench]
set -euo pipefail
cd "$(dirname "$0")/.."

build_packages=(libwebkit2gtk-4.1-dev build-essential libssl-dev libayatana-appindicator3-dev libdbus-1-dev
  librsvg2-dev libxdo-dev file pkg-config)
# libglib2.0-bin: `gio open`, the system's opener of links where xdg-utils is not installed
# (the biometrics link handed to the mail client or WhatsApp).
test_packages=(xvfb xauth webkit2gtk-driver dbus-x11 gnome-keyring libsecret-tools imagemagick
  x11-utils xdotool rpm curl time python3 python3-venv libglib2.0-bin)

# `make bench` compares the app with Debian's Chromium showing the same page, on a desktop
# with an accessibility bus.
bench_packages=(chromium at-spi2-core)

mode="${1:-build}"
wanted=("${build_packages[@]}")
[[ "$mode" == test || "$mode" == bench ]] && wanted+=("${test_packages[@]}")
[[ "$mode" == bench ]] && wanted+=("${bench_packages[@]}")

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "Installing system packages: ${missing[*]}"
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "Need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

command -v cargo >/dev/null || { echo "Rust is missing: install it from https://rustup.rs" >&2; exit 1; }
command -v npm >/dev/null || { echo "Node.js and npm are missing: install them (apt-get install nodejs npm)" >&2; exit 1; }

# The Tauri CLI (for bundles), pinned in package-lock.json.
if [[ ! -x node_modules/.bin/tauri ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

if [[ "$mode" == test || "$mode" == bench ]]; then
  rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
  if ! command -v tauri-driver >/dev/null && [[ ! -x "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver" ]]; then
    echo "Installing tauri-driver"
    cargo install --locked tauri-driver --version "^2"
  fi
fi

# Dinie's official Python SDK and schemathesis, pinned, in .venv: the sandbox's conformance tests
# run them (crates/dinie-sandbox/tests/python_sdk.rs, schemathesis.rs).
if [[ "$mode" == test || "$mode" == bench ]]; then
  requirements=crates/dinie-sandbox/tests/sdk/requirements.txt
  if ! cmp -s "$requirements" .venv/.installed-requirements 2>/dev/null; then
    echo "Preparing .venv (Dinie's Python SDK, schemathesis)"
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" .venv/.installed-requirements
  fi
fi
