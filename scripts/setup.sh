#!/usr/bin/env bash
# Installs what hyops and its lab need on a fresh Debian 12 machine, only what is missing.
# Idempotent; safe to run before every test or demo run.
set -euo pipefail

packages=(
  postgresql-15 postgresql-client-15   # PostgreSQL 15 servers for the lab sites
  postgresql-15-pglogical               # pglogical, which Database Migration Service needs on a gcp DR source
  patroni python3-etcd python3-psycopg2 # Patroni with its etcd DCS backend
  python3-idna                          # urllib3 needs it for Patroni to reach an https etcd (the lab DR site's)
  etcd-server etcd-client               # the DCS
  pgbackrest                            # backups + WAL archive (baseline lane)
  pdns-server pdns-backend-sqlite3      # DNS authority for endpoint publication
  dnsutils sqlite3                      # dig to verify DNS answers; sqlite3 loads the pdns schema
  util-linux procps                     # setpriv/setsid/runuser, ps
  openssh-server openssh-client iproute2 # lab hosts run their own sshd; the host executor is the ssh client
  tini sudo                             # lab hosts: pid 1 that reaps orphans; become via sudo -n
  clang zlib1g-dev                      # Native AOT link of the release binary (scripts/package.sh)
  hyperfine                             # bench/cli/run.sh timings (it falls back to a loop without it)
  chromium                              # drill report screenshot test: renders report.html headless (--no-sandbox as root)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  # Never let package scripts start system services: the lab starts its own servers, by pid.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${sudo_cmd[@]}" chmod +x /usr/sbin/policy-rc.d
    trap '"${sudo_cmd[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq >&2 || true
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The lab's object-store site (`hyops lab up --object-stores`): Azurite (Azure Blob) and s3rver (S3),
# pinned, from the npm registry, under /opt/hyops-lab (HYOPS_LAB_NODE_PREFIX overrides; the lab reads
# HYOPS_LAB_NODE_MODULES). Installed only when a pinned version is missing.
npm_prefix="${HYOPS_LAB_NODE_PREFIX:-/opt/hyops-lab}"
npm_want=(azurite@3.37.0 s3rver@3.7.1)
npm_missing=()
for p in "${npm_want[@]}"; do
  name=${p%@*}; version=${p#*@}
  have=$(node -p "require('$npm_prefix/node_modules/$name/package.json').version" 2>/dev/null || true)
  [ "$have" = "$version" ] || npm_missing+=("$p")
done
if [ ${#npm_missing[@]} -gt 0 ]; then
  command -v npm >/dev/null 2>&1 || { echo "setup: npm (Node.js 20) is needed for the lab's object stores" >&2; exit 2; }
  echo "setup: installing ${npm_missing[*]} under $npm_prefix" >&2
  mkdir -p "$npm_prefix"
  npm install --no-audit --no-fund --silent --prefix "$npm_prefix" "${npm_want[@]}" >&2
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "setup: the .NET 10 SDK (dotnet) is required and was not found on PATH" >&2
  exit 2
fi

id postgres >/dev/null 2>&1 || { echo "setup: the postgres OS user is missing (postgresql-common creates it)" >&2; exit 2; }
echo "setup: ok ($(dotnet --version), $(/usr/lib/postgresql/15/bin/postgres --version), patroni $(patroni --version | awk '{print $2}'), $(etcd --version | head -1), $(pgbackrest version))" >&2
