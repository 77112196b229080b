#!/usr/bin/env bash
# Prepares a machine for `./mailferry demo` and `./mailferry test`, idempotently: the Debian 12
# packages the tests drive for real, uv, and the locked Python environment (.venv).
# On a machine that has everything it takes well under a second and prints nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
# Servers and tools the tests run for real, the browser for the UI tests, and Python itself
# (python3-venv only to install uv). Every locked Python package ships a wheel for Debian 12's
# glibc, so no compiler is needed.
APT_PACKAGES=(postgresql dovecot-imapd pst-utils openssh-server chromium chromium-driver
              fonts-dejavu-core python3 python3-venv ca-certificates)

POLICY_RC=/usr/sbin/policy-rc.d

log() { printf 'bootstrap: %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" -eq 0 ]; }

missing_packages() {
  local installed
  installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${APT_PACKAGES[@]}" 2>/dev/null \
              | awk '$1 == "ii" { print $2 }' || true)
  for pkg in "${APT_PACKAGES[@]}"; do
    grep -qx "$pkg" <<<"$installed" || printf '%s\n' "$pkg"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  [ ${#missing[@]} -eq 0 ] && return
  if ! is_root; then
    log "missing Debian packages: ${missing[*]}; run this script as root once, or install them"
    exit 1
  fi
  log "installing ${missing[*]}"
  # apt starts every daemon it installs (PostgreSQL's main cluster on 5432, Dovecot on 143,
  # sshd on 22) unless policy-rc.d forbids it; the tests start their own private servers on
  # free ports, so forbid it for this install unless the machine already has a policy.
  if [ ! -e "$POLICY_RC" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$POLICY_RC"
    chmod 755 "$POLICY_RC"
    trap 'rm -f "$POLICY_RC"' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

prepare_runtime_dirs() {
  # sshd refuses to start without its privilege separation directory, which lives on the
  # /run tmpfs (gone after every reboot) and is normally made by systemd, absent in containers.
  if is_root && [ ! -d /run/sshd ]; then
    install -d -m 755 /run/sshd
  fi
}

install_uv() {
  command -v uv >/dev/null 2>&1 && return
  # Debian's pip refuses to touch the system Python (PEP 668) and the standalone installer
  # needs GitHub, so uv goes into a virtualenv of its own, from PyPI.
  local prefix bindir
  if is_root; then prefix=/opt/mailferry-uv bindir=/usr/local/bin
  else prefix="${XDG_DATA_HOME:-$HOME/.local/share}/mailferry-uv" bindir="$HOME/.local/bin"
  fi
  log "installing uv $UV_VERSION into $prefix"
  python3 -m venv "$prefix"
  "$prefix/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
  mkdir -p "$bindir"
  ln -sf "$prefix/bin/uv" "$bindir/uv"
  export PATH="$bindir:$PATH"
}

install_packages
prepare_runtime_dirs
install_uv
# The system's Python 3.11, never a downloaded one.
UV_PYTHON_DOWNLOADS=never uv sync --frozen --python 3.11 --quiet
