#!/usr/bin/env bash
# Creates the files compose.yaml hands to the containers as secrets, once: ./secrets/ (mode 0700)
# with the credentials key ring, the JWT secret and the PostgreSQL password. Existing files are
# kept: a new credentials key would make every stored mailbox password unreadable.
#
# The files are 0644 inside the 0700 directory: Compose bind-mounts file secrets with their host
# permissions, and the services run as uid 10001, not as the owner of these files; the directory
# keeps other host users out.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-secrets}
umask 077
mkdir -p "$dir"
chmod 700 "$dir"

create() {
  local path="$dir/$1"
  if [ -s "$path" ]; then
    echo "kept    $path"
    return
  fi
  local tmp
  tmp=$(mktemp "$dir/.tmp.XXXXXX")
  "$2" > "$tmp"
  chmod 644 "$tmp"
  mv "$tmp" "$path"
  echo "created $path"
}

random() { head -c "$1" /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }
credentials_key() { printf 'k1:%s\n' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')"; }
jwt_secret() { random 48; echo; }
postgres_password() { random 24; echo; }

create credentials_key credentials_key
create jwt_secret jwt_secret
create postgres_password postgres_password
