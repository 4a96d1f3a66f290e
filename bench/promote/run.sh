#!/usr/bin/env bash
# Premium promotion benchmark (see bench/README.md).
#
# On one real lab on hosts (every server on its own namespaced host, reached over ssh only): the
# managed standby on the lab's `managed` host (dr/postgresql-cloudsql-standby-gcp@v1, local provider
# with provider_host), then BENCH_RUNS times each, alternating which goes first, under a 20 writes/s
# load through the service record:
#   - hyops: `hyops blueprint drill --ref dr/postgresql-cloudsql-promote-gcp@v1`: RTO from the
#     blueprint start to the first write acknowledged through the endpoint, per-step times;
#   - bare:  bench/promote/bare.sh (fence pg_hba by hand, wait for lag 0, drop the subscription, set
#     sequences, lift the read-only default, update DNS; the on-prem leader's and the managed host's
#     shell commands over ssh, like hyops) under `hyops lab load`: the same RTO from its first command.
# Between runs the standby is re-established (unfence, DNS back on-prem, replica link and managed
# instance destroyed, the standby blueprint again). Writes acknowledged and missing on the promoted
# instance are counted for both. Prints a table and writes bench/results/promote-<date>.json and
# bench/results/promote.md.
#
#   bash bench/promote/run.sh
#
# Environment (all optional):
#   BENCH_RUNS=5              promotions of each kind (the table shows the median; fewer than 5 marks the results SMOKE)
#   BENCH_RATE=20             writes per second of the load
#   BENCH_BLOCK=1             the lab's /28 block of 169.254.250.0/24 (the test suite uses 2-14)
#   BENCH_RESULTS=<dir>       where results go (default bench/results next to this script)
#   BENCH_SKIP_SETUP=1        do not run scripts/setup.sh first
#   BENCH_KEEP=1              do not remove the temporary dir (the lab is still taken down)
#   BENCH_HYOPS_BASE=<path>   the `hyops` of another clone (e.g. the commit before a change): its drill
#                             runs as a third contender, "hyops (base)", in the same rotation
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
runs="${BENCH_RUNS:-5}"
rate="${BENCH_RATE:-20}"
block="${BENCH_BLOCK:-1}"
results="${BENCH_RESULTS:-$repo/bench/results}"
pgbin=/usr/lib/postgresql/15/bin
py=/usr/bin/python3
cluster=hyops-onprem
instance=hyops-dr-standby
fqdn=db.hyops.lab.

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[ "${BENCH_SKIP_SETUP:-0}" = 1 ] || bash "$repo/scripts/setup.sh"
for tool in "$pgbin/psql" /usr/bin/patroni /usr/bin/etcd /usr/sbin/pdns_server /usr/sbin/sshd ssh curl "$py"; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing; run scripts/setup.sh"
done
[ "$(id -u)" -eq 0 ] || die "run as root (the lab's hosts are Linux namespaces)"

tmp="$(mktemp -d /tmp/hyops-bench-promote-XXXXXX)"
chmod 755 "$tmp"   # the lab dir (the hosts' disks) sits below it; the secrets below are 0600
root="$tmp/root"
labdir="$tmp/lab"
hylog="$tmp/hyops.log"
lab_started=0
load_pid=""
secret() { $py -c 'import secrets; print(secrets.token_hex(12))'; }
# The bench knows the lab's secrets because it sets them (hyops resolves env before the vault); they
# reach psql and curl only through 0600 files, never argv.
export HYOPS_VAULT_PASSWORD="bench-$(secret)" HYOPS_LAB_PG_SUPERUSER_PASSWORD="su-$(secret)" \
  HYOPS_LAB_PG_REPLICATION_PASSWORD="re-$(secret)" HYOPS_DR_REPLICATION_PASSWORD="dr-$(secret)" HYOPS_LAB_PDNS_API_KEY="api-$(secret)"
(umask 077
 printf '*:*:*:postgres:%s\n' "$HYOPS_LAB_PG_SUPERUSER_PASSWORD" > "$tmp/pgpass"
 printf 'X-API-Key: %s\n' "$HYOPS_LAB_PDNS_API_KEY" > "$tmp/pdns-header")
export PGPASSFILE="$tmp/pgpass" PGCONNECT_TIMEOUT=3

hy() { "$repo/hyops" --root "$root" "$@"; }
hyj() { "$repo/hyops" --root "$root" --output json "$@" 2>>"$hylog"; }

stop_load() {
  if [ -n "$load_pid" ]; then
    kill -TERM "$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
    load_pid=""
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_load
  if [ "$lab_started" -eq 1 ]; then
    log "cleanup: lab down"
    hy lab down --lab-dir "$labdir" >>"$hylog" 2>&1 || { log "cleanup: lab down reported a problem"; rc=1; }
  fi
  # Nothing of ours may be left: no process that mentions the temp dir (the bare script's ssh
  # master connections included), no mount under it, no namespace of the lab's block.
  local left mounted=0
  left="$(ps -eo pid=,args= | grep -F "$tmp" | grep -v -F 'grep -F' || true)"
  if [ -n "$left" ]; then
    log "cleanup: processes still mention $tmp:"; printf '%s\n' "$left" >&2
    rc=1
  fi
  if grep -q -F "$tmp" /proc/mounts; then log "cleanup: mounts left under $tmp (not removing it)"; mounted=1; rc=1; fi
  if ip netns list 2>/dev/null | grep -q "^hyops-$block-"; then log "cleanup: namespaces of block $block left"; rc=1; fi
  if [ "$rc" -ne 0 ] && [ -f "$hylog" ]; then
    log "last lines of $hylog:"; tail -n 40 "$hylog" >&2 || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ] || [ "$mounted" = 1 ]; then log "cleanup: kept $tmp"; else rm -rf "$tmp"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
jget() { $py -c "import json,sys; d=json.load(open(sys.argv[1]) if sys.argv[1] != '-' else sys.stdin); print($2)" "$1"; }
write_inputs() { mkdir -p "$tmp/inputs"; printf '%s\n' "$2" > "$tmp/inputs/$1"; printf '%s' "$tmp/inputs/$1"; }
loadavg() { cut -d' ' -f1 /proc/loadavg; }

# --- 1. lab, load table, first standby
log "lab up on hosts, block $block (lab dir $labdir)"
lab_started=1
hyj lab up --lab-dir "$labdir" --block "$block" > "$tmp/lab-up.json" || die "lab up"
hyj lab status --lab-dir "$labdir" > "$tmp/lab-status.json" || die "lab status"
address_of() { jget "$tmp/lab-status.json" "[h['address'] for h in d['hosts'] if h['name'] == '$1'][0]"; }
name_of() { jget "$tmp/lab-status.json" "[h['name'] for h in d['hosts'] if h['address'] == '$1'][0]"; }
managed="$(jget "$tmp/lab-up.json" "d['managed_site']['provider_host']['host']")"
network="$(jget "$tmp/lab-up.json" "d['dr_site']['client_networks'][0]")"
dns_host="$(address_of dns)"
pg1_api="http://$(address_of pg1):8008"
leader_host() { curl -sf "$pg1_api/cluster" | jget - "[m['host'] for m in d['members'] if m['role'] == 'leader'][0]"; }
log "managed host $managed, DNS $dns_host, site network $network"

# The managed instance on the lab's managed host (provider local with provider_host, as the lab
# publishes it); the DR source admits the replication role from that host only; hyops and the load
# reach the instance from the site network.
jget "$tmp/lab-up.json" "json.dumps({'provider': d['managed_site']['provider'], 'provider_host': d['managed_site']['provider_host'], 'authorized_networks': ['$network']})" > "$tmp/managed-instance.json"
standby_inputs="$(write_inputs standby.json "$(jget "$tmp/lab-up.json" "json.dumps({'dr_source': {'allowed_consumer_cidrs': d['managed_site']['consumer_cidrs']}, 'managed_instance': json.load(open('$tmp/managed-instance.json'))})")")"
# The managed instance's destroy must be told where it lives (its provider_host), as the standby was.
destroy_managed_inputs="$(write_inputs destroy-managed.json "$(jget "$tmp/managed-instance.json" "json.dumps({'provider': d['provider'], 'provider_host': d['provider_host']})")")"
promote_inputs="$(write_inputs promote.yml "fence_onprem:
  fence_confirm: $cluster
promote:
  promote_confirm: $instance
publish_endpoint:
  publish_confirm: \"$fqdn\"")"
fence_inputs="$(write_inputs fence.yml "apply_mode: fence
cluster_state_ref: platform/onprem/postgresql-ha
keep_rules_state_ref: platform/onprem/postgresql-dr-source
fence_confirm: $cluster")"

standby() { # establishes the managed standby; prints its wall seconds
  local t0; t0="$(now)"
  hyj blueprint deploy --ref dr/postgresql-cloudsql-standby-gcp@v1 --inputs "$standby_inputs" > "$tmp/standby.json" || die "standby blueprint"
  $py -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 2))" "$t0" "$(now)"
}

# Back to "on-prem primary, managed standby": DNS on the on-prem leader, the replica link and the
# managed instance destroyed through hyops (the next standby blueprint creates both again).
reestablish() {
  local lhost; lhost="$(leader_host)"
  hyj module deploy --module platform/network/dns-routing -i "$(write_inputs back.yml "target_host: \"$lhost\"
desired: primary")" > /dev/null || die "DNS back on-prem"
  hyj module destroy --module org/gcp/cloudsql-external-replica > /dev/null || die "destroy the replica link"
  HYOPS_INPUT_DESTROY_CONFIRM="$instance" hyj module destroy --module org/gcp/cloudsql-postgresql --inputs "$destroy_managed_inputs" > /dev/null || die "destroy the managed instance"
  # Works around a hyops bug: the local provider's listing of <data_root>/instances on a host exits 1
  # when that dir exists and is empty (src/HybridOps.Providers/Local/InstanceHost.cs, `for d in */`), so
  # the next standby would fail with HYO0001. An absent dir lists as empty; rmdir removes only an empty one.
  ssh -F "$labdir/ssh/ssh_config" managed "rmdir /var/lib/postgresql/hyops-managed/instances 2>/dev/null || true"
  standby_s+=("$(standby)")
}

# The load's table must exist (with its primary key) before establish so it is replicated.
hyj lab load --duration 2 --out "$tmp/load-seed" > /dev/null || die "seed load"
standby_s=()
standby_s+=("$(standby)")
log "standby established in ${standby_s[0]}s"

hyops_run() { # k [tag hyops]: tag "hyops" (this clone) or "base" (BENCH_HYOPS_BASE)
  local tag="${2:-hyops}" bin="${3:-$repo/hyops}" out="$tmp/drill-${2:-hyops}-$1.json" la; la="$(loadavg)"
  "$bin" --root "$root" --output json blueprint drill --ref dr/postgresql-cloudsql-promote-gcp@v1 --inputs "$promote_inputs" --rate "$rate" > "$out" 2>>"$hylog" \
    || die "$tag promote drill $1 (see $out)"
  [ "$(jget "$out" "d['status']")" = ok ] || die "$tag promote drill $1 status is not ok"
  $py - "$out" "$la" >> "$tmp/$tag.jsonl" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ph = {p["name"]: p["duration_s"] for p in d["phases"]}
steps = {n[5:]: s for n, s in ph.items() if n.startswith("step ")}
print(json.dumps({"rto_s": d["rto"]["seconds"], "steps_s": steps, "blueprint_s": ph["blueprint deploy"], "recovery_wait_s": ph["recovery wait"],
                  "acknowledged": d["rpo"]["acknowledged"], "missing": d["rpo"]["missing_count"], "loadavg_before": float(sys.argv[2])}))
PY
  log "$tag run $1: RTO $(tail -1 "$tmp/$tag.jsonl" | jget - "d['rto_s']")s"
  HYOPS_INPUT_FENCE_CONFIRM="$cluster" hyj module destroy --module platform/onprem/postgresql-fence --instance onprem --inputs "$fence_inputs" > /dev/null || die "unfence"
  [ "$final" = 1 ] || reestablish
}

bare_run() { # k
  local k="$1" lhost leader api la loaddir="$tmp/bare-load-$1"
  lhost="$(leader_host)"; leader="$(name_of "$lhost")"; api="http://$lhost:8008"
  # The runbook, prepared before the clock starts: the fenced pg_hba (today's list without its client
  # lines, the DR consumer's lines kept, then reject all) and the names of the slot and subscription.
  curl -sf "$api/config" > "$tmp/config-before.json"
  jget "$tmp/config-before.json" "json.dumps({'postgresql': {'pg_hba': d['postgresql']['pg_hba']}})" > "$tmp/hba-before.json"
  jget "$tmp/config-before.json" "json.dumps({'postgresql': {'pg_hba': [l for l in d['postgresql']['pg_hba'] if l.split()[0] == 'local' or l.split()[1] == 'replication' or l.split()[2] == 'hyops_dr_repl'] + ['host all all 0.0.0.0/0 reject', 'host all all ::/0 reject']}})" > "$tmp/hba-fenced.json"
  local replica="$root/state/modules/org__gcp__cloudsql-external-replica/latest.json"
  # `./hyops` execs dotnet, so the pid is the load itself. It is stopped with SIGTERM (a background
  # job may have SIGINT ignored); every ack line is flushed before the next write, so none is lost.
  "$repo/hyops" --root "$root" lab load --rate "$rate" --duration 120 --out "$loaddir" >>"$hylog" 2>&1 &
  load_pid=$!
  # Steady: a second's worth of acks, the last one fresh.
  local deadline=$((SECONDS + 30))
  until [ -f "$loaddir/acks.jsonl" ] && [ "$(wc -l < "$loaddir/acks.jsonl")" -ge "$rate" ] \
      && $py -c "import json,sys,datetime as t; a=json.loads(open(sys.argv[1]).readlines()[-1]); sys.exit(0 if (t.datetime.now(t.timezone.utc) - t.datetime.fromisoformat(a['acked_at'])).total_seconds() < 0.5 else 1)" "$loaddir/acks.jsonl"; do
    [ "$SECONDS" -lt "$deadline" ] || die "bare run $k: the load is not steady"
    sleep 0.1
  done
  sleep 2
  la="$(loadavg)"
  local target_state="$root/state/modules/org__gcp__cloudsql-postgresql/latest.json"
  BARE_SSH_CONFIG="$labdir/ssh/ssh_config" BARE_SSH_CONTROL="$tmp/ssh-bare-%h" \
  BARE_PATRONI="$api" BARE_FENCED_HBA="$tmp/hba-fenced.json" BARE_SOURCE_HOST="$leader" BARE_SOCK=/var/run/postgresql BARE_DB=postgres \
  BARE_SLOT="$(jget "$replica" "d['outputs']['slots'][0]")" BARE_SUB="$(jget "$replica" "d['outputs']['subscriptions'][0]")" \
  BARE_TARGET="$managed" BARE_TARGET_PORT="$(jget "$target_state" "d['outputs']['port']")" BARE_TARGET_SSH_HOST=managed \
  BARE_TARGET_DATA="/var/lib/postgresql/hyops-managed/instances/$instance/data" \
  BARE_PDNS_API="http://$dns_host:8081" BARE_PDNS_HEADER="$tmp/pdns-header" BARE_ZONE=hyops.lab. BARE_RECORD="$fqdn" BARE_TTL=30 \
    bash "$here/bare.sh" > "$tmp/bare-$k.marks" 2>>"$hylog" || die "bare run $k (see $hylog)"
  deadline=$((SECONDS + 30))
  until grep -q -F "\"address\":\"$managed\"" "$loaddir/acks.jsonl"; do
    [ "$SECONDS" -lt "$deadline" ] || die "bare run $k: no write acknowledged through the endpoint within 30 s"
    sleep 0.05
  done
  stop_load
  local load_id; load_id="$(head -1 "$loaddir/acks.jsonl" | jget - "d['load_id']")"
  "$pgbin/psql" -h "$managed" -p "$(jget "$root/state/modules/org__gcp__cloudsql-postgresql/latest.json" "d['outputs']['port']")" -U postgres -d postgres -X -A -t -q -c "select id from hyops_drill.acks where load_id = '$load_id'" > "$tmp/bare-$k.ids"
  $py - "$tmp/bare-$k.marks" "$loaddir/acks.jsonl" "$tmp/bare-$k.ids" "$managed" "$la" >> "$tmp/bare.jsonl" <<'PY'
import json, sys, datetime as t
marks = [l.split() for l in open(sys.argv[1])]
at = {n: float(s) for n, s in marks}
acks = [json.loads(l) for l in open(sys.argv[2])]
found = {int(x) for x in open(sys.argv[3]).read().split()}
first = min(t.datetime.fromisoformat(a["acked_at"]).timestamp() for a in acks if a["address"] == sys.argv[4])
names = [n for n, _ in marks]
steps = {n: round(at[n] - at[p], 3) for p, n in zip(names, names[1:])}
steps["recovery wait"] = round(first - at["dns"], 3)
acked = {a["id"] for a in acks}
print(json.dumps({"rto_s": round(first - at["start"], 3), "steps_s": steps, "acknowledged": len(acked), "missing": len(acked - found),
                  "loadavg_before": float(sys.argv[5])}))
PY
  log "bare run $k: RTO $(tail -1 "$tmp/bare.jsonl" | jget - "d['rto_s']")s"
  # Unfence by hand (the saved list), wait until the leader takes TCP writes again, then re-establish.
  curl -sf -X PATCH -H 'Content-Type: application/json' --data-binary "@$tmp/hba-before.json" "$api/config" > /dev/null
  deadline=$((SECONDS + 30))
  until "$pgbin/psql" -h "$lhost" -U postgres -d postgres -X -A -t -q -c "select 1" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "bare run $k: the leader did not take connections again after the unfence"
    sleep 0.1
  done
  [ "$final" = 1 ] || reestablish
}

contenders=(hyops bare); [ -z "${BENCH_HYOPS_BASE:-}" ] || contenders+=(base)
run_one() { # contender k
  case "$1" in
    hyops) hyops_run "$2" ;;
    bare) bare_run "$2" ;;
    base) hyops_run "$2" base "$BENCH_HYOPS_BASE" ;;
  esac
}
final=0   # 1 for the last promotion: no standby is needed after it
n=${#contenders[@]}
for k in $(seq 1 "$runs"); do
  # The order rotates from run to run, so no contender always runs first (or last) after a re-establish.
  for i in $(seq 0 $((n - 1))); do
    [ "$k" -lt "$runs" ] || [ "$i" -lt $((n - 1)) ] || final=1
    run_one "${contenders[$(( (k - 1 + i) % n ))]}" "$k"
  done
done

# --- report
hy lab down --lab-dir "$labdir" >>"$hylog" 2>&1 || die "lab down"
lab_started=0
mkdir -p "$results"
stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
json="$results/promote-$(date -u +%Y-%m-%d).json"
md="$results/promote.md"
export stamp json runs rate block
export standby_runs="${standby_s[*]}"
[ -f "$tmp/base.jsonl" ] || : > "$tmp/base.jsonl"
$py - "$tmp/hyops.jsonl" "$tmp/bare.jsonl" "$md" "$tmp/base.jsonl" <<'PY'
import json, os, platform, statistics, sys
e = os.environ
hy = [json.loads(l) for l in open(sys.argv[1])]
bare = [json.loads(l) for l in open(sys.argv[2])]
base = [json.loads(l) for l in open(sys.argv[4])]
med = lambda xs: round(statistics.median(xs), 3)
def summary(rs):
    names = list(dict.fromkeys(n for r in rs for n in r["steps_s"]))
    return {"rto_s": med([r["rto_s"] for r in rs]), "rto_s_runs": [r["rto_s"] for r in rs],
            "steps_s": {n: med([r["steps_s"].get(n, 0) for r in rs]) for n in names},
            "acknowledged_runs": [r["acknowledged"] for r in rs], "missing_runs": [r["missing"] for r in rs],
            "loadavg_runs": [r["loadavg_before"] for r in rs]}
doc = {
    "benchmark": "bench/promote",
    "at": e["stamp"],
    "runs": int(e["runs"]),
    "smoke": int(e["runs"]) < 5,
    "lab": {"kind": "hosts", "block": int(e["block"]), "standby_on": "managed (org/gcp/cloudsql-postgresql provider local, provider_host)"},
    "load": {"writes_per_s": float(e["rate"]), "through": "db.hyops.lab. resolved on every (re)connect, one row per transaction"},
    "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                "loadavg_at_report": open("/proc/loadavg").read().split()[:3]},
    "hyops": summary(hy) | {"what": "hyops blueprint drill --ref dr/postgresql-cloudsql-promote-gcp@v1: blueprint start -> first write acknowledged through the endpoint",
                            "blueprint_s": med([r["blueprint_s"] for r in hy])},
    "bare": summary(bare) | {"what": "bench/promote/bare.sh under hyops lab load: first command -> first write acknowledged through the endpoint"},
    "standby_establish_s_runs": [float(x) for x in e["standby_runs"].split()],
}
if base:
    doc["hyops_base"] = summary(base) | {"what": "the same drill with BENCH_HYOPS_BASE (another clone's hyops), in the same rotation",
                                         "blueprint_s": med([r["blueprint_s"] for r in base])}
doc["ratio_hyops_to_bare"] = round(doc["hyops"]["rto_s"] / doc["bare"]["rto_s"], 2)
with open(e["json"], "w") as out:
    json.dump(doc, out, indent=2)
    out.write("\n")
h, b = doc["hyops"], doc["bare"]
la = sorted(h["loadavg_runs"] + b["loadavg_runs"] + (doc["hyops_base"]["loadavg_runs"] if base else []))
lines = [
    f"# Premium promotion benchmark ({e['stamp']}{', SMOKE: fewer than 5 promotions of each kind' if doc['smoke'] else ''})",
    "",
    f"Lab on hosts (block {e['block']}; the managed standby on the lab's managed host, local provider over ssh), load {e['rate']} writes/s through `db.hyops.lab.`. "
    f"Machine: {doc['machine']['cpus']} CPUs, {doc['machine']['mem_gib']} GiB, kernel {doc['machine']['kernel']}; "
    f"load average before the runs {la[0]}-{la[-1]}. Median of {e['runs']} promotions of each kind, alternating which goes first; "
    "the standby is re-established between runs.",
    "",
    "| | RTO (median) | runs (s) | acked writes lost |",
    "| --- | ---: | --- | ---: |",
    f"| hyops `dr/postgresql-cloudsql-promote-gcp@v1` | **{h['rto_s']:.3f} s** | {' '.join(f'{x:.2f}' for x in h['rto_s_runs'])} | {sum(h['missing_runs'])} of {sum(h['acknowledged_runs'])} |",
    f"| bare script (`bench/promote/bare.sh`) | **{b['rto_s']:.3f} s** | {' '.join(f'{x:.2f}' for x in b['rto_s_runs'])} | {sum(b['missing_runs'])} of {sum(b['acknowledged_runs'])} |",
] + ([f"| hyops (base: BENCH_HYOPS_BASE) | **{doc['hyops_base']['rto_s']:.3f} s** | {' '.join(f'{x:.2f}' for x in doc['hyops_base']['rto_s_runs'])} | "
        f"{sum(doc['hyops_base']['missing_runs'])} of {sum(doc['hyops_base']['acknowledged_runs'])} |"] if base else []) + [
    "",
    f"**Ratio hyops/bare: {doc['ratio_hyops_to_bare']:.2f}**",
    "",
    "Phases (median seconds):",
    "",
    "| hyops step | s | " + ("base s | " if base else "") + "| bare phase | s |",
    "| --- | ---: | " + ("---: | " if base else "") + "--- | --- | ---: |",
]
hs, bs = list(h["steps_s"].items()), list(b["steps_s"].items())
hs.append(("recovery wait (publication -> first ack)", med([r["recovery_wait_s"] for r in hy])))
bases = dict(doc["hyops_base"]["steps_s"]) if base else {}
if base:
    bases["recovery wait (publication -> first ack)"] = med([r["recovery_wait_s"] for r in base])
fmt = lambda v: "" if v is None else f"{v:.3f}"
for i in range(max(len(hs), len(bs))):
    l = hs[i] if i < len(hs) else ("", None)
    r = bs[i] if i < len(bs) else ("", None)
    mid = f"{fmt(bases.get(l[0]))} | " if base else ""
    lines.append(f"| {l[0]} | {fmt(l[1])} | {mid}| {r[0]} | {fmt(r[1])} |")
lines += [
    "",
    "What the numbers cover: hyops RTO = the drill's own (`hyops blueprint drill`): blueprint start (inside the CLI, after its start-up) -> "
    "the first write its load got acknowledged through `db.hyops.lab.` at the promoted instance; its steps are the blueprint's step times and "
    "recovery wait = publication -> that ack. Bare RTO = first command of `bench/promote/bare.sh` -> the first write `hyops lab load` got "
    "acknowledged through the record at the promoted instance; its phases end at each mark of the script. Acked writes lost = acknowledged ids "
    "of that promotion's load missing on the promoted instance, summed over the runs. The load average is the 1-minute figure before each promotion.",
    "",
    f"JSON: `{os.path.basename(e['json'])}`",
]
md = "\n".join(lines) + "\n"
with open(sys.argv[3], "w") as out:
    out.write(md)
print(md)
PY
log "results: $json and $md"
