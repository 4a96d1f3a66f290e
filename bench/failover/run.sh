#!/usr/bin/env bash
# Baseline failover benchmark (see bench/README.md).
#
# On one real lab on hosts (every server on its own namespaced host, reached over ssh only) with a
# >= 1 GiB database and one backup (dr/postgresql-ha-backup-gcp@v1, into the posix repository every
# lab host mounts), under a write load through the service record, the on-prem hosts lose power
# (`hyops lab fail-site`) and then, one after the other, from the same backup and WAL archive:
#   - bare:  bench/failover/bare.sh (over ssh on dr1: pgbackrest restore + start PostgreSQL + promote;
#            then a PowerDNS record update through its API), one member;
#   - hyops: `hyops blueprint deploy --ref dr/postgresql-ha-failover-gcp@v1` with the lab's DR site
#            (dr1-dr3, provider hosts): fence, drain, DR hosts, 3-member restore, readiness,
#            publication, verification, DR-lineage backup.
# RTO of each = its first command -> the first write acknowledged through the endpoint; the ratio
# hyops/bare is the headline. Then, on the side, the two ways to make the replicas' data dirs:
# pgbackrest restore --type=standby of two dirs in parallel from the repository, against
# pg_basebackup of two dirs in parallel from the restored leader (what the blueprint's restore does
# through Patroni), each on one of the two DR hosts that are not the leader. Prints a table and
# writes bench/results/failover-<date>.json and failover.md.
#
#   bash bench/failover/run.sh
#
# Environment (all optional):
#   BENCH_SCALE=70            pgbench scale factor (70 ~ 1.05 GiB; the run refuses < 1 GiB unless BENCH_ALLOW_SMALL=1)
#   BENCH_RATE=20             writes per second of the load
#   BENCH_BLOCK=1             the lab's /28 block of 169.254.250.0/24 (the test suite uses 2-14)
#   BENCH_RESULTS=<dir>       where results go (default bench/results next to this script)
#   BENCH_ALLOW_SMALL=1       allow a database under 1 GiB (smoke runs only; results are then marked "smoke")
#   BENCH_SKIP_REPLICAS=1     skip the replica data dir comparison
#   BENCH_SKIP_SETUP=1        do not run scripts/setup.sh first
#   BENCH_KEEP=1              do not remove the temporary dir (the lab is still taken down)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
scale="${BENCH_SCALE:-70}"
rate="${BENCH_RATE:-20}"
block="${BENCH_BLOCK:-1}"
results="${BENCH_RESULTS:-$repo/bench/results}"
pgbin=/usr/lib/postgresql/15/bin
py=/usr/bin/python3
fqdn=db.hyops.lab.
dbname=postgres

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[ "${BENCH_SKIP_SETUP:-0}" = 1 ] || bash "$repo/scripts/setup.sh"
for tool in "$pgbin/pgbench" "$pgbin/psql" "$pgbin/pg_basebackup" /usr/bin/pgbackrest /usr/bin/patroni /usr/bin/etcd /usr/sbin/sshd ssh curl "$py"; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing; run scripts/setup.sh"
done
[ "$(id -u)" -eq 0 ] || die "run as root (the lab's hosts are Linux namespaces)"

tmp="$(mktemp -d /tmp/hyops-bench-failover-XXXXXX)"
chmod 755 "$tmp"   # the lab dir (the hosts' disks) sits below it; the secrets below are 0600
root="$tmp/root"
labdir="$tmp/lab"
hylog="$tmp/hyops.log"
lab_started=0
load_pid=""
# On dr1, beside (never under) the blueprint's /var/lib/postgresql/hyops.
bare_dir=/var/lib/postgresql/bench-bare
bare_data="$bare_dir/data"
bare_run="$bare_dir/run"
bare_host_name=dr1
secret() { $py -c 'import secrets; print(secrets.token_hex(12))'; }
# The bench sets the lab's secrets (hyops resolves env before the vault); psql and curl get them only
# through 0600 files, never argv.
export HYOPS_VAULT_PASSWORD="bench-$(secret)" HYOPS_LAB_PG_SUPERUSER_PASSWORD="su-$(secret)" \
  HYOPS_LAB_PG_REPLICATION_PASSWORD="re-$(secret)" HYOPS_LAB_PDNS_API_KEY="api-$(secret)"
(umask 077
 printf '*:5432:*:postgres:%s\n*:5432:*:replicator:%s\n' "$HYOPS_LAB_PG_SUPERUSER_PASSWORD" "$HYOPS_LAB_PG_REPLICATION_PASSWORD" > "$tmp/pgpass"
 printf 'X-API-Key: %s\n' "$HYOPS_LAB_PDNS_API_KEY" > "$tmp/pdns-header")
export PGPASSFILE="$tmp/pgpass" PGCONNECT_TIMEOUT=3

hy() { "$repo/hyops" --root "$root" "$@"; }
hyj() { "$repo/hyops" --root "$root" --output json "$@" 2>>"$hylog"; }
# A command on a lab host, over ssh as hyops reaches it (the lab's client key and known_hosts).
on() { local host="$1"; shift; ssh -F "$labdir/ssh/ssh_config" -o ConnectTimeout=10 "$host" "$@"; }
# SQL on a lab host as postgres through a unix socket dir there (the statement on stdin: no quoting over ssh).
psql_on() { # host socket_dir database sql
  printf '%s\n' "$4" | on "$1" "cd /tmp && sudo -u postgres $pgbin/psql -h $2 -p 5432 -U postgres -X -A -t -q -v ON_ERROR_STOP=1 -d $3"
}
# A file onto a lab host from stdin, owned by postgres, mode 0600 (secrets never in argv).
put_on() { on "$1" "umask 077 && cat > $2 && chown postgres:postgres $2"; }   # host path

stop_load() {
  if [ -n "$load_pid" ]; then
    kill -TERM "$load_pid" 2>/dev/null || true
    wait "$load_pid" 2>/dev/null || true
    load_pid=""
  fi
}
bare_started=0
stop_bare() {
  if [ "$bare_started" = 1 ]; then
    on "$bare_host_name" "cd /tmp && if [ -f $bare_data/postmaster.pid ]; then sudo -u postgres $pgbin/pg_ctl -D $bare_data -m immediate -w stop; fi" >>"$hylog" 2>&1 || true
    bare_started=0
  fi
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_load
  stop_bare
  if [ "$lab_started" -eq 1 ]; then
    log "cleanup: lab down"
    hy lab down --lab-dir "$labdir" >>"$hylog" 2>&1 || { log "cleanup: lab down reported a problem"; rc=1; }
  fi
  # Nothing of ours may be left: no process that mentions the temp dir, no mount under it, no
  # namespace of the lab's block.
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
secs() { $py -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 3))" "$1" "$2"; }
jget() { $py -c "import json,sys; d=json.load(open(sys.argv[1]) if sys.argv[1] != '-' else sys.stdin); print($2)" "$1"; }
write_inputs() { mkdir -p "$tmp/inputs"; printf '%s\n' "$2" > "$tmp/inputs/$1"; printf '%s' "$tmp/inputs/$1"; }
drop_caches() {
  sync
  if { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; then cache=dropped; else cache=warm; fi
}
loadavg() { cut -d' ' -f1 /proc/loadavg; }
dns_to() { # address: the A record, through the PowerDNS API
  curl -sf -X PATCH -H @"$tmp/pdns-header" -H 'Content-Type: application/json' \
    --data "{\"rrsets\":[{\"name\":\"$fqdn\",\"type\":\"A\",\"ttl\":30,\"changetype\":\"REPLACE\",\"records\":[{\"content\":\"$1\",\"disabled\":false}]}]}" \
    "http://$dns_host:8081/api/v1/servers/localhost/zones/hyops.lab." >/dev/null
}
first_ack() { # address after_epoch timeout_s: epoch of the first ack through ADDRESS after AFTER (waits for it)
  $py - "$tmp/load/acks.jsonl" "$1" "$2" "$3" <<'PY'
import json, sys, time, datetime as t
path, address, after, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
deadline = time.time() + timeout
while True:
    for line in open(path):
        a = json.loads(line)
        at = t.datetime.fromisoformat(a["acked_at"]).timestamp()
        if a["address"] == address and at >= after:
            print(f"{at:.6f}")
            sys.exit(0)
    if time.time() > deadline:
        sys.exit(1)
    time.sleep(0.05)
PY
}

# --- 1. lab, data, backup
log "lab up on hosts, block $block (lab dir $labdir)"
lab_started=1
hyj lab up --lab-dir "$labdir" --block "$block" > "$tmp/lab-up.json" || die "lab up"
hyj lab status --lab-dir "$labdir" > "$tmp/lab-status.json" || die "lab status"
leader="$(jget "$tmp/lab-status.json" "[m['name'] for m in d['cluster'] if m['role'] == 'leader'][0]")"
onprem_leader_host="$(jget "$tmp/lab-status.json" "[m['host'] for m in d['cluster'] if m['name'] == '$leader'][0]")"
address_of() { jget "$tmp/lab-status.json" "[h['address'] for h in d['hosts'] if h['name'] == '$1'][0]"; }
dr_host="$(address_of "$bare_host_name")"
dns_host="$(address_of dns)"
mkdir -p "$tmp/inputs"
jget "$tmp/lab-up.json" "json.dumps(d['dr_site'])" > "$tmp/inputs/dr-site.json"
sock=/var/run/postgresql   # Debian's layout on every on-prem host (docs/sites.md)
psql_leader() { psql_on "$leader" "$sock" "$1" "$2"; }   # database sql
log "leader $leader ($onprem_leader_host); DR hosts $(jget "$tmp/inputs/dr-site.json" "' '.join(h['name'] + '=' + h['host'] for h in d['hosts'])"); DNS $dns_host"
log "creating pgbench scale $scale in database $dbname (server-side generation, on $leader)"
t0="$(now)"
on "$leader" "cd /tmp && sudo -u postgres $pgbin/pgbench -h $sock -p 5432 -U postgres -i -s $scale -I dtGvp -q $dbname" >>"$hylog" 2>&1 || die "pgbench -i"
load_s="$(secs "$t0" "$(now)")"
expected_rows=$((scale * 100000))
psql_leader postgres "checkpoint" >/dev/null
db_bytes="$(psql_leader postgres "select pg_database_size('$dbname')")"
log "database $dbname: $((db_bytes / 1048576)) MiB, loaded in ${load_s}s"
smoke=0
if [ "$db_bytes" -lt 1073741824 ]; then
  [ "${BENCH_ALLOW_SMALL:-0}" = 1 ] || die "database is only $db_bytes bytes (< 1 GiB); raise BENCH_SCALE"
  smoke=1
fi
log "backups: dr/postgresql-ha-backup-gcp@v1 (repository: provider local on the hosts' shared /var/lib/pgbackrest)"
backup_inputs="$(write_inputs backup.yml "object_repo:
  provider: local
  bucket: hyops-dr-pgbackrest
  path: /pgbackrest
  local_root: /var/lib/pgbackrest/bench")"
t0="$(now)"
hyj blueprint deploy --ref dr/postgresql-ha-backup-gcp@v1 --inputs "$backup_inputs" > "$tmp/backup.json" || die "backup blueprint"
backup_s="$(secs "$t0" "$(now)")"
bstate="$root/state/modules/platform__onprem__postgresql-ha-backup/latest.json"
config_path="$(jget "$bstate" "d['outputs']['config_path']")"
stanza="$(jget "$bstate" "d['outputs']['stanza']")"
backup_label="$(jget "$bstate" "d['outputs']['backup_label']")"
backup_host="$(jget "$bstate" "d['outputs']['leader_name']")"
on "$backup_host" "cd /tmp && sudo -u postgres /usr/bin/pgbackrest --config=$config_path --stanza=$stanza --log-level-console=off --output=json info" > "$tmp/info.json"
read -r backup_size backup_repo_size < <(jget "$tmp/info.json" "(lambda b: f\"{b['info']['size']} {b['info']['repository']['size']}\")([b for b in d[0]['backup'] if b['label'] == '$backup_label'][0])")
# What a runbook has on the DR hosts before the disaster: the source stanza's pgBackRest config (the
# on-prem member's, 0600; the posix repository is the share every host mounts). Copied host to host
# through this machine, never written here.
bare_config="/var/lib/postgresql/bench-pgbackrest.conf"
for h in $(jget "$tmp/inputs/dr-site.json" "' '.join(x['name'] for x in d['hosts'])"); do
  on "$backup_host" "cat $config_path" | put_on "$h" "$bare_config" || die "pgbackrest.conf onto $h"
done
compress_type="$(on "$backup_host" "sed -n 's/^compress-type=//p' $config_path | head -1")"; compress_type="${compress_type:-gz}"
process_max="$(nproc)"; [ "$process_max" -le 8 ] || process_max=8   # the restore module's restore_process_max 0
log "backup $backup_label in ${backup_s}s: $((backup_size / 1048576)) MiB of data, $((backup_repo_size / 1048576)) MiB in the repository ($compress_type)"

# --- 2. the load, then the disaster
# `./hyops` execs dotnet, so the pid is the load itself; stopped with SIGTERM (every ack line is flushed as it is written).
"$repo/hyops" --root "$root" lab load --rate "$rate" --duration 900 --out "$tmp/load" >>"$hylog" 2>&1 &
load_pid=$!
deadline=$((SECONDS + 30))
until [ -f "$tmp/load/acks.jsonl" ] && [ "$(wc -l < "$tmp/load/acks.jsonl")" -ge "$rate" ]; do
  [ "$SECONDS" -lt "$deadline" ] || die "the load is not steady"
  sleep 0.1
done
log "load steady at $rate/s; lab fail-site"
hyj lab fail-site --lab-dir "$labdir" > "$tmp/fail-site.json" || die "fail-site"

# --- 3. bare
drop_caches; bare_cache="$cache"; bare_la="$(loadavg)"
log "bare: pgbackrest restore + start + promote on $bare_host_name over ssh, then DNS (1 member on $dr_host, process-max $process_max)"
bare_started=1
bare_t0="$(now)"
BARE_SSH_CONFIG="$labdir/ssh/ssh_config" BARE_SSH_HOST="$bare_host_name" \
BARE_CONFIG="$bare_config" BARE_STANZA="$stanza" BARE_PROCESS_MAX="$process_max" BARE_DATA="$bare_data" BARE_RUN="$bare_run" BARE_HOST="$dr_host" \
BARE_PDNS_API="http://$dns_host:8081" BARE_PDNS_HEADER="$tmp/pdns-header" BARE_ZONE=hyops.lab. BARE_RECORD="$fqdn" BARE_TTL=30 \
  bash "$here/bare.sh" > "$tmp/bare.marks" 2>>"$hylog" || die "bare failover (see $hylog)"
bare_ack="$(first_ack "$dr_host" "$bare_t0" 60)" || die "bare: no write acknowledged through the endpoint within 60 s"
bare_rows="$(psql_on "$bare_host_name" "$bare_run" "$dbname" "select count(*) from pgbench_accounts")"
[ "$bare_rows" = "$expected_rows" ] || die "bare: pgbench_accounts has $bare_rows rows, expected $expected_rows"
log "bare: RTO $(secs "$bare_t0" "$bare_ack")s, $bare_rows rows"
stop_bare
on "$bare_host_name" "rm -rf $bare_dir" || die "remove $bare_dir on $bare_host_name"
dns_to "$onprem_leader_host"   # the record points at the dead site again: no write reaches the DR address before the blueprint publishes

# --- 4. hyops
failover_inputs="$(write_inputs failover.json "$(jget "$tmp/inputs/dr-site.json" "json.dumps({'fence_onprem': {'fence_confirm': 'hyops-onprem'}, 'dr_hosts': d, 'restore_dr': {'restore_confirm': 'gcp-dr-pg'}})")")"
drop_caches; hy_cache="$cache"; hy_la="$(loadavg)"
log "hyops: blueprint deploy dr/postgresql-ha-failover-gcp@v1"
hy_t0="$(now)"
hyj blueprint deploy --ref dr/postgresql-ha-failover-gcp@v1 --inputs "$failover_inputs" > "$tmp/failover.json" || die "failover blueprint"
hy_t1="$(now)"
drstate="$root/state/modules/platform__onprem__postgresql-ha/instances/gcp-dr.json"
hy_leader_host="$(jget "$drstate" "d['outputs']['leader_host']")"
hy_ack="$(first_ack "$hy_leader_host" "$hy_t0" 60)" || die "hyops: no write acknowledged through the endpoint within 60 s"
stop_load
hy_data_root="$(jget "$drstate" "d['outputs']['data_root']")"
hy_leader_name="$(jget "$drstate" "d['outputs']['leader_name']")"
hy_rows="$(psql_on "$hy_leader_name" "$hy_data_root/$hy_leader_name/run" "$dbname" "select count(*) from pgbench_accounts")"
[ "$hy_rows" = "$expected_rows" ] || die "hyops: pgbench_accounts has $hy_rows rows, expected $expected_rows"
log "hyops: RTO $(secs "$hy_t0" "$hy_ack")s, blueprint $(secs "$hy_t0" "$hy_t1")s, $hy_rows rows"
cp "$root/state/blueprints/dr__postgresql-ha-failover-gcp@v1/latest.json" "$tmp/failover-bp.json"
# The restore's own record: when the leader was writable and when every replica streamed.
restore_run="$(jget "$drstate" "d['run_id']")"
cat "$root/logs/module/platform__onprem__postgresql-ha#gcp-dr/$restore_run/record.jsonl" > "$tmp/restore-record.jsonl" 2>/dev/null || : > "$tmp/restore-record.jsonl"

# --- 5. replicas' data dirs: from the repository in parallel vs pg_basebackup from the leader in parallel
# One dir on each of the two DR hosts that are not the restored leader (where the blueprint's own
# replicas run), beside the blueprint's member dirs; each command runs on its host over ssh.
repl_repo_s=""; repl_clone_s=""
if [ "${BENCH_SKIP_REPLICAS:-0}" != 1 ]; then
  repl_hosts="$(jget "$tmp/inputs/dr-site.json" "' '.join([h['name'] for h in d['hosts'] if h['name'] != '$hy_leader_name'][:2])")"
  repl_dir=/var/lib/postgresql/bench-replica
  for h in $repl_hosts; do
    on "$h" "rm -rf $repl_dir && install -d -o postgres -g postgres -m 700 $repl_dir" || die "replica dir on $h"
    grep '^\*:5432:\*:replicator:' "$tmp/pgpass" | put_on "$h" /var/lib/postgresql/bench-replica.pgpass || die "pgpass onto $h"
  done
  drop_caches; repl_cache="$cache"
  log "replicas: pgbackrest restore --type=standby on $repl_hosts in parallel (process-max $process_max each)"
  t0="$(now)"
  pids=()
  for h in $repl_hosts; do
    on "$h" "cd /tmp && sudo -u postgres /usr/bin/pgbackrest --config=$bare_config --stanza=$stanza --pg1-path=$repl_dir/repo --process-max=$process_max --type=standby --log-level-console=warn restore && sync" >>"$hylog" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || die "pgbackrest restore --type=standby"; done
  repl_repo_s="$(secs "$t0" "$(now)")"
  for h in $repl_hosts; do on "$h" "rm -rf $repl_dir/repo" || die "remove $repl_dir/repo on $h"; done
  drop_caches
  log "replicas: pg_basebackup --checkpoint=fast from the restored leader $hy_leader_name ($hy_leader_host) on $repl_hosts in parallel"
  t0="$(now)"
  pids=()
  for h in $repl_hosts; do
    on "$h" "cd /tmp && sudo -u postgres env PGPASSFILE=/var/lib/postgresql/bench-replica.pgpass $pgbin/pg_basebackup -h $hy_leader_host -U replicator -D $repl_dir/clone --checkpoint=fast -X stream && sync" >>"$hylog" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || die "pg_basebackup"; done
  repl_clone_s="$(secs "$t0" "$(now)")"
  for h in $repl_hosts; do on "$h" "rm -rf $repl_dir /var/lib/postgresql/bench-replica.pgpass" || die "remove $repl_dir on $h"; done
  log "replicas: from the repository ${repl_repo_s}s, cloned from the leader ${repl_clone_s}s"
fi

# --- 6. report
hy lab down --lab-dir "$labdir" >>"$hylog" 2>&1 || die "lab down"
lab_started=0
mkdir -p "$results"
stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
json="$results/failover-$(date -u +%Y-%m-%d).json"
md="$results/failover.md"
export stamp json scale rate block db_bytes load_s backup_s backup_label backup_size backup_repo_size compress_type process_max smoke \
  bare_t0 bare_ack bare_cache bare_la hy_t0 hy_t1 hy_ack hy_cache hy_la hy_leader_host repl_repo_s repl_clone_s expected_rows
$py - "$tmp/bare.marks" "$tmp/failover-bp.json" "$tmp/restore-record.jsonl" "$md" <<'PY'
import json, os, platform, sys, datetime as t
e = os.environ
f = lambda k: float(e[k])
ts = lambda s: t.datetime.fromisoformat(s).timestamp()
marks = [l.split() for l in open(sys.argv[1])]
names = [n for n, _ in marks]
at = {n: float(s) for n, s in marks}
bare_steps = {n: round(at[n] - at[p], 3) for p, n in zip(names, names[1:])}
bare_steps["recovery wait (DNS -> first ack)"] = round(f("bare_ack") - at["dns"], 3)
bp = json.load(open(sys.argv[2]))
steps = {s["id"]: round(s["duration_ms"] / 1000, 3) for s in bp["steps"] if s.get("duration_ms") is not None}
published = min(ts(s["ended_at"]) for s in bp["steps"] if s["id"] == "publish_endpoint")
bp_start = min(ts(s["started_at"]) for s in bp["steps"] if s.get("started_at"))
restore = [json.loads(l) for l in open(sys.argv[3])]
checks = [{"at": r["at"], "name": r["data"].get("name")} for r in restore if r["type"] == "check" and isinstance(r["data"], dict)]
bare_rto = round(f("bare_ack") - f("bare_t0"), 3)
hy_rto = round(f("hy_ack") - f("hy_t0"), 3)
doc = {
    "benchmark": "bench/failover",
    "at": e["stamp"],
    "smoke": e["smoke"] == "1",
    "lab": {"kind": "hosts", "block": int(e["block"]), "bare_on": "dr1 (over ssh)", "hyops_on": "dr1-dr3 (org/gcp/dr-hosts provider hosts)"},
    "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                "loadavg_at_report": open("/proc/loadavg").read().split()[:3]},
    "database": {"pgbench_scale": int(e["scale"]), "database_bytes": int(e["db_bytes"]), "rows_checked": int(e["expected_rows"]), "load_s": f("load_s")},
    "backup": {"label": e["backup_label"], "wall_s": f("backup_s"), "data_bytes": int(e["backup_size"]), "repository_bytes": int(e["backup_repo_size"]),
               "compress_type": e["compress_type"]},
    "load": {"writes_per_s": float(e["rate"]), "through": "db.hyops.lab., resolved on every (re)connect"},
    "disaster": "hyops lab fail-site (every on-prem Patroni, PostgreSQL and etcd SIGKILLed) before both runs",
    "bare": {"what": "bench/failover/bare.sh: over ssh on dr1, pgbackrest restore (1 member) + pg_ctl start + promotion at the end of the archive; then PowerDNS API update",
             "rto_s": bare_rto, "steps_s": bare_steps, "process_max": int(e["process_max"]), "page_cache": e["bare_cache"], "loadavg_before": float(e["bare_la"])},
    "hyops": {"what": "hyops blueprint deploy --ref dr/postgresql-ha-failover-gcp@v1 (3 members)",
              "rto_s": hy_rto, "rto_from_blueprint_start_s": round(f("hy_ack") - bp_start, 3),
              "published_after_s": round(published - f("hy_t0"), 3), "blueprint_wall_s": round(f("hy_t1") - f("hy_t0"), 3),
              "steps_s": steps, "restore_checks": checks, "leader_host": e["hy_leader_host"],
              "page_cache": e["hy_cache"], "loadavg_before": float(e["hy_la"])},
    "replicas_data_dirs": None if not e["repl_repo_s"] else {
        "from_repository_parallel_s": f("repl_repo_s"), "cloned_from_leader_parallel_s": f("repl_clone_s"),
        "what": "2 replica data dirs, one on each DR host that is not the leader (over ssh): pgbackrest restore --type=standby x2 in parallel vs pg_basebackup --checkpoint=fast -X stream x2 in parallel from the restored leader; copy only (no start, no streaming)"},
}
doc["ratio_hyops_to_bare"] = round(hy_rto / bare_rto, 2)
with open(e["json"], "w") as out:
    json.dump(doc, out, indent=2)
    out.write("\n")
mib = lambda b: b / 1048576
b, h = doc["bare"], doc["hyops"]
lines = [
    f"# Baseline failover benchmark ({e['stamp']}{', SMOKE: database under 1 GiB' if doc['smoke'] else ''})",
    "",
    f"Lab on hosts (block {e['block']}): the bare script restores on dr1 over ssh, the blueprint onto dr1-dr3. "
    f"Database `postgres` with pgbench scale {e['scale']}: **{mib(int(e['db_bytes'])):.0f} MiB**; one full backup ({mib(int(e['backup_size'])):.0f} MiB of data, "
    f"{mib(int(e['backup_repo_size'])):.0f} MiB in the repository, {e['compress_type']}) taken in {f('backup_s'):.1f} s by dr/postgresql-ha-backup-gcp@v1. "
    f"Load {e['rate']} writes/s through `db.hyops.lab.`; the on-prem site is killed (`hyops lab fail-site`) before both runs, which restore the same backup and WAL archive one after the other. "
    f"Machine: {doc['machine']['cpus']} CPUs, {doc['machine']['mem_gib']} GiB, kernel {doc['machine']['kernel']}; load average {b['loadavg_before']} before the bare run, {h['loadavg_before']} before the blueprint; "
    f"page cache dropped before each: {'yes' if b['page_cache'] == h['page_cache'] == 'dropped' else 'no (warm)'}.",
    "",
    "| | RTO: first command -> first write acknowledged through the endpoint | members |",
    "| --- | ---: | ---: |",
    f"| bare script (`bench/failover/bare.sh`) | **{bare_rto:.2f} s** | 1 |",
    f"| hyops `dr/postgresql-ha-failover-gcp@v1` | **{hy_rto:.2f} s** (from the blueprint start {h['rto_from_blueprint_start_s']:.2f} s; published after {h['published_after_s']:.2f} s; blueprint done, DR lineage backed up, after {h['blueprint_wall_s']:.2f} s) | 3 |",
    "",
    f"**Ratio hyops/bare: {doc['ratio_hyops_to_bare']:.2f}** (target <= 1.3)",
    "",
    "| bare phase | s | | hyops step | s |",
    "| --- | ---: | --- | --- | ---: |",
]
bs, hs = list(b["steps_s"].items()), list(h["steps_s"].items())
for i in range(max(len(bs), len(hs))):
    l = bs[i] if i < len(bs) else ("", None)
    r = hs[i] if i < len(hs) else ("", None)
    lines.append(f"| {l[0]} | {'' if l[1] is None else f'{l[1]:.2f}'} | | {r[0]} | {'' if r[1] is None else f'{r[1]:.2f}'} |")
waits = {c["name"]: ts(c["at"]) for c in checks if c["name"].startswith("wait:")}
restore_step = next((s for s in bp["steps"] if s["id"] == "restore_dr"), None)
if restore_step and waits:
    start = ts(restore_step["started_at"])
    h["restore_waits_s"] = {n[5:]: round(v - start, 2) for n, v in waits.items()}
    lines += ["", "Inside `restore_dr` (seconds from the step's start): " + ", ".join(f"{n} after {v:.1f} s" for n, v in h["restore_waits_s"].items())
              + (". The endpoint is published only after the replicas stream (the bare script has none)." if any("replica" in n for n in h["restore_waits_s"])
                 else ". The blueprint restores with publish_when leader: the endpoint moves once the leader runs; the replicas, started then, are awaited by dr_protected after the DR-lineage backup.")]
    with open(e["json"], "w") as out:
        json.dump(doc, out, indent=2)
        out.write("\n")
if doc["replicas_data_dirs"]:
    r = doc["replicas_data_dirs"]
    lines += ["", f"Replica data dirs (2, in parallel, copy only): from the repository (`pgbackrest restore --type=standby`) **{r['from_repository_parallel_s']:.1f} s**, "
              f"cloned from the restored leader (`pg_basebackup --checkpoint=fast`, what the restore does through Patroni) **{r['cloned_from_leader_parallel_s']:.1f} s**."]
lines += ["", ('What the numbers cover: RTO = the first command (bare: `bench/failover/bare.sh`; hyops: `hyops blueprint deploy`, so the CLI start-up is in it) -> the first write the load (`hyops lab load`, running since before the disaster, resolving the record on every reconnect) got acknowledged at the new address. "From the blueprint start" leaves the CLI start-up out; "published after" is the end of the publish_endpoint step; "blueprint done" includes the DR-lineage backup configuration and full backup, which run after publication. Bare phases end at each mark of the script; hyops steps are the blueprint\'s step times. Rows of pgbench_accounts are checked on both restored leaders. The load average is the 1-minute figure before each run.'), "", f"JSON: `{os.path.basename(e['json'])}`"]
md = "\n".join(lines) + "\n"
with open(sys.argv[4], "w") as out:
    out.write(md)
print(md)
PY
log "results: $json and $md"
