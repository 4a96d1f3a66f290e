#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, bring the lab up as namespaced
# hosts reached only over SSH (on-prem etcd + pg1-pg3, DNS, the DR site's dr-etcd + dr1-dr3, the
# managed host, and the object-store host with an S3 server), and run a full baseline-lane DR drill:
#   backups into the S3 object store (dr/postgresql-ha-backup-gcp@v1) -> the whole on-prem site powered off under a write load ->
#   failover drill (dr/postgresql-ha-failover-gcp@v1: fence, drain, restore on the GCP site, endpoint
#   publication, then the DR lineage's backups) -> writes on the DR cluster -> the on-prem hosts come back
#   -> controlled failback drill (dr/postgresql-ha-failback-onprem@v1: gate, fence DR, final backup,
#   on-prem rebuilt from the DR lineage, cutback). Each drill prints RTO, RPO and per-phase times and
#   writes report.{json,md,html}. Then everything is stopped and the lab's data dir deleted (drill
#   reports stay in the runtime root). --keep leaves the lab running.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
keep=0
for arg in "$@"; do
  case "$arg" in
    --keep) keep=1 ;;
    *) echo "usage: scripts/main.sh [--keep]" >&2; exit 2 ;;
  esac
done

bash scripts/setup.sh
root="${HYOPS_RUNTIME_ROOT:-$here/.lab/runtime}"
# A lab left by an earlier run of this job (its data dirs hold the passwords of the vault deleted
# below) is stopped and deleted first: this job always starts from nothing.
[ -d "$root" ] && { "$here/hyops" --root "$root" lab down --purge >/dev/null 2>&1 || true; }
rm -rf "$root"; mkdir -p "$root"
work="$root/inputs"; mkdir -p "$work"
hyops() { "$here/hyops" --root "$root" "$@"; }

cleanup() { [ "$keep" = 1 ] || hyops lab down --purge || true; }
trap cleanup EXIT

step() { echo; echo "== $*"; }

step "lab up: namespaced hosts on 169.254.250.16/28, reached over ssh only, with the object-store host"
hyops --output json lab up --object-stores > "$work/lab.json"
# Inputs from what the lab published: the S3 store as the repository (key NAMES only; the keys are in
# the lab vault), and the DR site's VMs for org/gcp/dr-hosts (provider hosts).
/usr/bin/python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
lab = json.load(open(f"{work}/lab.json"))
json.dump({"object_repo": lab["object_stores"]["s3"]}, open(f"{work}/backup.json", "w"), indent=1)
failover = {"fence_onprem": {"fence_confirm": "hyops-onprem"}, "restore_dr": {"restore_confirm": "gcp-dr-pg"},
            "dr_hosts": lab["dr_site"]}
json.dump(failover, open(f"{work}/failover.json", "w"), indent=1)
PY
step "baseline backups into the S3 object store: dr/postgresql-ha-backup-gcp@v1"
hyops blueprint deploy --ref dr/postgresql-ha-backup-gcp@v1 --inputs "$work/backup.json"

step "failover drill: the on-prem site dies under load, then dr/postgresql-ha-failover-gcp@v1"
hyops blueprint drill --ref dr/postgresql-ha-failover-gcp@v1 --inputs "$work/failover.json" --disaster onprem-site --settle-s 25

step "writes on the DR cluster through the published endpoint"; hyops lab load --duration 5
step "the on-prem hosts come back (etcd only; the old database is not resumed)"; hyops lab repair-site

step "failback gate: a per-run nonce"
cat > "$work/gate.yml" <<'YAML'
gate_id: failback-onprem
target_state_ref: platform/onprem/inventory
target_output_key: cluster_name
YAML
nonce=$(hyops module status --module core/shared/manual-gate --instance failback-onprem --inputs "$work/gate.yml" --output json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["outputs"]["nonce"])')
cat > "$work/failback.yml" <<YAML
maintenance_gate:
  confirm: true
  confirm_target: hyops-onprem
  confirm_nonce: $nonce
fence_dr:
  fence_confirm: gcp-dr-pg
rebuild_onprem:
  restore_confirm: hyops-onprem
  wipe_confirm: hyops-onprem
YAML
step "failback drill: dr/postgresql-ha-failback-onprem@v1 (controlled; RPO must be 0)"
hyops blueprint drill --ref dr/postgresql-ha-failback-onprem@v1 --inputs "$work/failback.yml"

step "status"; hyops blueprint status --ref dr/postgresql-ha-failback-onprem@v1
# The drill killed the lab's original on-prem members; lab status reports the rebuilt cluster
# (rebuild/...) as the site's cluster.
hyops lab status
step "drill history"; hyops drill history
step "DR options: objective, forecast vs last measured RTO, last drill, eligible (docs/decision.md)"; hyops dr status
step "evidence: every run record and drill report, chained across runs"; hyops evidence verify
echo
echo "runtime root: $root (state/, logs/, drills/)"
ls -1 "$root"/drills/*/*/report.md 2>/dev/null | sed 's/^/drill report: /'
