#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, bring the embedded lab up,
# assess the on-prem source cluster through the module and blueprint runtime, show status, and
# stop everything again (by pid). Pass --keep to leave the lab running afterwards.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
keep=0; [ "${1:-}" = "--keep" ] && keep=1

bash scripts/setup.sh
root="${HYOPS_RUNTIME_ROOT:-$here/.lab/runtime}"
mkdir -p "$root"
hyops() { "$here/hyops" --root "$root" "$@"; }

cleanup() { [ "$keep" = 1 ] || hyops lab down || true; }
trap cleanup EXIT

echo "== lab up"; hyops lab up
echo "== module deploy platform/onprem/postgresql-ha (assess)"; hyops module deploy --module platform/onprem/postgresql-ha
echo "== blueprint deploy onprem/postgresql-ha-assess@v1"; hyops blueprint deploy --ref onprem/postgresql-ha-assess@v1
echo "== module status"; hyops module status --module platform/onprem/postgresql-ha
echo "== lab status"; hyops lab status
echo "runtime root: $root (state/, logs/)"
