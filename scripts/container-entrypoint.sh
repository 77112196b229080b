#!/bin/sh
# Entrypoint of every mailferry image. Compose (and Swarm/Kubernetes) hand secrets over as files
# under /run/secrets; a file named like an environment variable (MIGRATION_JWT_SECRET,
# PGPASSWORD) becomes that variable for the service. So no secret is written in compose.yaml's
# environment, shown by `docker inspect`, or passed on a command line. A variable that is already
# set wins; other files (credentials_key, read through MIGRATION_CREDENTIALS_KEY_FILE) stay files.
set -eu
secrets_dir=${MAILFERRY_SECRETS_DIR:-/run/secrets}
if [ -d "$secrets_dir" ]; then
  for file in "$secrets_dir"/*; do
    [ -f "$file" ] || continue
    name=${file##*/}
    case "$name" in
      *[!A-Za-z0-9_]*) continue ;;
      MIGRATION_*|PGPASSWORD) ;;
      *) continue ;;
    esac
    if [ -z "$(printenv "$name" || true)" ]; then
      value=$(cat "$file")
      export "$name=$value"
    fi
  done
fi
exec "$@"
