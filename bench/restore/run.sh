#!/usr/bin/env bash
# Restore benchmark of the baseline DR lane (see bench/README.md).
#
# Builds the lab on hosts with the repo's own CLI (every server on its own namespaced host, reached
# over ssh only), loads a >= 1 GiB database on the on-prem leader, takes the lane's full backup
# (pgBackRest into a posix repository on the share every lab host mounts), then times the lane's
# restore onto the DR site's hosts (dr1, then dr1-dr3) and, on the hosts too, a plain `cp -a` of the
# leader's data directory and of the restored member's. Prints a table and writes
# bench/results/restore-<date>.json and bench/results/restore.md.
#
#   bash bench/restore/run.sh
#
# Environment (all optional):
#   BENCH_DATA=pgbench        pgbench: `pgbench -i -s BENCH_SCALE` (very compressible: ~17:1 with gz);
#                             random: table `filler` of md5 text, BENCH_RANDOM_MB MiB of heap (~2:1 with gz)
#   BENCH_SCALE=70            pgbench scale factor (70 ~ 1.05 GiB; the run refuses < 1 GiB unless BENCH_ALLOW_SMALL=1)
#   BENCH_RANDOM_MB=1100      size of the random table's heap in MiB
#   BENCH_REPEAT=3            timed runs of each restore and each copy (the table shows the median; the
#                             backup is taken once)
#   BENCH_BLOCK=1             the lab's /28 block of 169.254.250.0/24 (the test suite uses 2-14)
#   BENCH_RESULTS=<dir>       where results go (default bench/results next to this script)
#   BENCH_TMP=<dir>           parent of the temporary work dir, which holds the lab hosts' disks (default /tmp)
#   BENCH_ALLOW_SMALL=1       allow a database under 1 GiB (smoke runs only; results are then marked "smoke")
#   BENCH_SKIP_SETUP=1        do not run scripts/setup.sh first
#   BENCH_KEEP=1              do not remove the temporary dir (the lab is still taken down, its hosts' disks kept)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
data="${BENCH_DATA:-pgbench}"
scale="${BENCH_SCALE:-70}"
random_mb="${BENCH_RANDOM_MB:-1100}"
case "$data" in pgbench|random) ;; *) echo "BENCH_DATA must be pgbench or random" >&2; exit 2 ;; esac
block="${BENCH_BLOCK:-1}"
repeat="${BENCH_REPEAT:-3}"
results="${BENCH_RESULTS:-$repo/bench/results}"
pgbin=/usr/lib/postgresql/15/bin
py=/usr/bin/python3    # comes with patroni (scripts/setup.sh)
dbname=bench

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# What the lab needs (idempotent; installs only what is missing, nothing beyond scripts/setup.sh).
[ "${BENCH_SKIP_SETUP:-0}" = 1 ] || bash "$repo/scripts/setup.sh"
for tool in "$pgbin/pgbench" "$pgbin/psql" /usr/bin/pgbackrest /usr/bin/patroni /usr/bin/etcd /usr/sbin/sshd ssh "$py"; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing; run scripts/setup.sh"
done
[ "$(id -u)" -eq 0 ] || die "run as root (the lab's hosts are Linux namespaces)"

tmp="$(mktemp -d "${BENCH_TMP:-/tmp}/hyops-bench-XXXXXX")"
chmod 755 "$tmp"             # as a test site's dir: the lab dir (the hosts' disks) sits below it
root="$tmp/root"
labdir="$tmp/lab"
hylog="$tmp/hyops.log"
lab_started=0
export HYOPS_VAULT_PASSWORD="bench-$($py -c 'import secrets; print(secrets.token_hex(12))')"

hy() { "$repo/hyops" --root "$root" "$@"; }
# JSON result on stdout; hyops' human progress goes to the log file.
hyj() { "$repo/hyops" --root "$root" --output json "$@" 2>>"$hylog"; }
# A command on a lab host, over ssh as hyops reaches it (the lab's client key and known_hosts).
on() { local host="$1"; shift; ssh -F "$labdir/ssh/ssh_config" -o ConnectTimeout=10 "$host" "$@"; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$lab_started" -eq 1 ]; then
    log "cleanup: lab down"
    hy lab down --lab-dir "$labdir" >>"$hylog" 2>&1 || { log "cleanup: lab down reported a problem (see below)"; rc=1; }
  fi
  # Nothing of ours may be left running: list (never kill by name) what still mentions the temp dir,
  # and no namespace, mount or bridge of the lab's block.
  local left
  left="$(ps -eo pid=,args= | grep -F "$tmp" | grep -v -F 'grep -F' || true)"
  if [ -n "$left" ]; then
    log "cleanup: processes still mention $tmp:"; printf '%s\n' "$left" >&2
    rc=1
  fi
  local mounted=0
  if grep -q -F "$tmp" /proc/mounts; then log "cleanup: mounts left under $tmp (not removing it)"; mounted=1; rc=1; fi
  if ip netns list 2>/dev/null | grep -q "^hyops-$block-"; then log "cleanup: namespaces of block $block left"; rc=1; fi
  if [ "$rc" -ne 0 ] && [ -f "$hylog" ]; then
    log "last lines of $hylog:"; tail -n 40 "$hylog" >&2 || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ] || [ "$mounted" = 1 ]; then
    log "cleanup: kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
secs() { $py -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 2))" "$1" "$2"; }
# jget FILE|- 'python expression on d'
jget() { $py -c "import json,sys; d=json.load(open(sys.argv[1]) if sys.argv[1] != '-' else sys.stdin); print($2)" "$1"; }
drop_caches() {
  sync
  if { echo 3 > /proc/sys/vm/drop_caches; } 2>/dev/null; then cache=dropped; else cache=warm; fi
}
# SQL on a lab host as postgres through a unix socket dir there (the statement on stdin, so no quoting over ssh).
psql_on() { # host socket_dir database sql
  printf '%s\n' "$4" | on "$1" "cd /tmp && sudo -u postgres $pgbin/psql -h $2 -p 5432 -U postgres -X -A -t -q -v ON_ERROR_STOP=1 -d $3"
}
du_on() { on "$1" "du -sb $2" | cut -f1; }   # host path
append() { printf -v "$1" '%s' "${!1:-}${!1:+ }$2"; }   # append VAR VALUE: space-separated runs
write_inputs() { mkdir -p "$tmp/inputs"; printf '%s\n' "$2" > "$tmp/inputs/$1"; printf '%s' "$tmp/inputs/$1"; }

# --- 0. build the CLI once (not timed)
log "building hyops (if needed)"
"$repo/hyops" --version >/dev/null

# --- 1. lab, database, the lane's backup
log "lab up on hosts, block $block (lab dir $labdir)"
lab_started=1
hyj lab up --lab-dir "$labdir" --block "$block" > "$tmp/lab-up.json" || die "lab up"
hyj lab status --lab-dir "$labdir" > "$tmp/lab-status.json" || die "lab status"
leader="$(jget "$tmp/lab-status.json" "[m['name'] for m in d['cluster'] if m['role'] == 'leader'][0]")"
# Debian's layout on every on-prem host (docs/sites.md).
sock=/var/run/postgresql
pgdata=/var/lib/postgresql/15/main
psql_leader() { psql_on "$leader" "$sock" "$1" "$2"; }   # database sql
log "leader $leader ($(jget "$tmp/lab-status.json" "[m['host'] for m in d['cluster'] if m['name'] == '$leader'][0]"), socket $sock on the host)"

psql_leader postgres "create database $dbname" >/dev/null
t0="$(now)"
if [ "$data" = pgbench ]; then
  log "creating database '$dbname' with pgbench -i -s $scale (server-side generation, on $leader)"
  on "$leader" "cd /tmp && sudo -u postgres $pgbin/pgbench -h $sock -p 5432 -U postgres -i -s $scale -I dtGvp -q $dbname" >>"$hylog" 2>&1 || die "pgbench -i"
  probe_table=pgbench_accounts
  expected_rows=$(( scale * 100000 ))
else
  # 8 md5 hex strings per row (256 chars, stored inline, not TOAST-compressed): ~300 bytes of heap per row.
  expected_rows=$(( random_mb * 1048576 / 300 ))
  log "creating database '$dbname' with table filler: $expected_rows rows of random md5 text (~$random_mb MiB)"
  md5s="$(printf "md5(random()::text)||%.0s" 1 2 3 4 5 6 7 8)"
  psql_leader "$dbname" "create table filler(id bigint primary key, payload text not null);
insert into filler select g, ${md5s%||} from generate_series(1, $expected_rows) g;
vacuum analyze filler;" >>"$hylog" 2>&1 || die "random data"
  probe_table=filler
fi
load_s="$(secs "$t0" "$(now)")"
psql_leader postgres "checkpoint" >/dev/null
db_bytes="$(psql_leader postgres "select pg_database_size('$dbname')")"
cluster_bytes="$(psql_leader postgres "select sum(pg_database_size(oid))::bigint from pg_database")"
log "database $dbname: $db_bytes bytes ($(( db_bytes / 1048576 )) MiB), whole cluster $cluster_bytes bytes; loaded in ${load_s}s"
smoke=0
if [ "$db_bytes" -lt 1073741824 ]; then
  [ "${BENCH_ALLOW_SMALL:-0}" = 1 ] || die "database is only $db_bytes bytes (< 1 GiB); raise BENCH_SCALE"
  smoke=1
fi

log "lane: org/gcp/object-repo (provider local, on the hosts' shared /var/lib/pgbackrest), platform/onprem/postgresql-ha (assess), postgresql-ha-backup configure"
hyj module deploy -m org/gcp/object-repo -i "$(write_inputs repo.json '{"provider":"local","bucket":"hyops-dr-pgbackrest","local_root":"/var/lib/pgbackrest/bench"}')" > "$tmp/repo.json" || die "object-repo"
hyj module deploy -m platform/onprem/postgresql-ha > "$tmp/assess.json" || die "postgresql-ha assess"
hyj module deploy -m platform/onprem/postgresql-ha-backup -i "$(write_inputs configure.json '{"apply_mode":"configure","archive_timeout_s":10}')" > "$tmp/configure.json" || die "backup configure"

log "lane: postgresql-ha-backup apply_mode backup (full)"
drop_caches; backup_cache="$cache"
t0="$(now)"
hyj module deploy -m platform/onprem/postgresql-ha-backup -i "$(write_inputs backup.json '{"apply_mode":"backup","backup_type":"full","archive_timeout_s":10}')" > "$tmp/backup.json" || die "backup full"
backup_wall="$(secs "$t0" "$(now)")"
config_path="$(jget "$tmp/backup.json" "d['outputs']['config_path']")"
stanza="$(jget "$tmp/backup.json" "d['outputs']['stanza']")"
backup_label="$(jget "$tmp/backup.json" "d['outputs']['backup_label']")"
backup_host="$(jget "$tmp/backup.json" "d['outputs']['leader_name']")"
on "$backup_host" "cd /tmp && sudo -u postgres /usr/bin/pgbackrest --config=$config_path --stanza=$stanza --log-level-console=off --output=json info" > "$tmp/info.json"
on "$backup_host" "cat $config_path" > "$tmp/pgbackrest.conf"   # 0600 on the host; read for its options only, kept under the 0700 temp dir
compress_type="$(sed -n 's/^compress-type=//p' "$tmp/pgbackrest.conf" | head -1)"; compress_type="${compress_type:-gz}"
process_max="$(sed -n 's/^process-max=//p' "$tmp/pgbackrest.conf" | head -1)"; process_max="${process_max:-1}"
rm -f "$tmp/pgbackrest.conf"
read -r backup_size backup_repo_size backup_pgbr_s < <(jget "$tmp/info.json" "(lambda b: f\"{b['info']['size']} {b['info']['repository']['size']} {b['timestamp']['stop'] - b['timestamp']['start']}\")([b for b in d[0]['backup'] if b['label'] == '$backup_label'][0])")
log "backup $backup_label: ${backup_wall}s wall (pgBackRest ${backup_pgbr_s}s), $backup_size bytes of data, $backup_repo_size bytes in the repository"

# --- 2. the lane's restore: 1 member (dr1), then 3 members (dr1-dr3, the lab's whole DR site)
# The DR site as the lab publishes it (org/gcp/dr-hosts provider hosts); the 1-member shape is the same
# site with dr1 only.
mkdir -p "$tmp/inputs"
jget "$tmp/lab-up.json" "json.dumps(d['dr_site'])" > "$tmp/inputs/dr-three.json"
jget "$tmp/lab-up.json" "json.dumps(dict(d['dr_site'], hosts=d['dr_site']['hosts'][:1]))" > "$tmp/inputs/dr-one.json"
restore_inputs() { # cluster hosts_ref
  printf '{"apply_mode":"restore","hosts_state_ref":"%s","repo_state_ref":"org/gcp/object-repo","backup_state_ref":"platform/onprem/postgresql-ha-backup","cluster_name":"%s","restore_confirm":"%s","restore_target":"latest","restore_timeout_s":900}' "$2" "$1" "$1"
}

run_restore() { # tag hosts_instance run
  local tag="$1" hosts_instance="$2" k="$3" hosts_ref="org/gcp/dr-hosts"
  # Every run is a new cluster (its own instance, scope and DCS keys in the DR site's etcd) under its
  # own data_root on the hosts (each host gets <data_root>/<name>/), so it starts on empty directories
  # and needs no wipe_confirm; the dirs of a run are removed after it.
  local instance="bench-$tag-$k" cluster="bench-$tag-$k-pg" dr_data_root="/var/lib/postgresql/bench-restore/$tag-$k"
  local dr_args=(-m org/gcp/dr-hosts)
  if [ -n "$hosts_instance" ]; then dr_args+=(--instance "$hosts_instance"); hosts_ref="org/gcp/dr-hosts#$hosts_instance"; fi
  local hosts; hosts="$(jget "$tmp/inputs/dr-$tag.json" "' '.join(h['name'] for h in d['hosts'])")"
  log "restore [$tag] run $k/$repeat: org/gcp/dr-hosts provider hosts ($hosts)"
  jget "$tmp/inputs/dr-$tag.json" "json.dumps(dict(d, data_root='$dr_data_root'))" > "$tmp/inputs/dr-$tag-$k.json"
  hyj module deploy "${dr_args[@]}" -i "$tmp/inputs/dr-$tag-$k.json" > "$tmp/dr-$tag.json" || die "dr-hosts $tag"
  log "restore [$tag]: platform/onprem/postgresql-ha --instance $instance apply_mode restore (cluster $cluster)"
  drop_caches; append "restore_${tag}_cache" "$cache"
  local t0; t0="$(now)"
  hyj module deploy -m platform/onprem/postgresql-ha --instance "$instance" -i "$(write_inputs "restore-$tag.json" "$(restore_inputs "$cluster" "$hosts_ref")")" > "$tmp/restore-$tag.json" || die "restore $tag"
  local wall; wall="$(secs "$t0" "$(now)")"
  local state="$root/state/modules/platform__onprem__postgresql-ha/instances/$instance.json"
  local own; own="$(jget "$state" "d['outputs']['restore_duration_s'] if d['status'] == 'ok' else 'not-ok'")"
  [ "$own" != not-ok ] || die "restore $tag state is not ok"
  local members; members="$(jget "$tmp/restore-$tag.json" "len(d['outputs']['members'])")"
  local leader_host; leader_host="$(jget "$tmp/restore-$tag.json" "d['outputs']['leader_host']")"
  local leader_name; leader_name="$(jget "$tmp/restore-$tag.json" "d['outputs']['leader_name']")"
  local data_root; data_root="$(jget "$tmp/restore-$tag.json" "d['outputs']['data_root']")"
  [ "$data_root" = "$dr_data_root" ] || die "restore $tag: data_root $data_root, expected $dr_data_root"
  # The restored database is really there: the row count of the biggest table, read on the DR leader's host.
  local rows; rows="$(psql_on "$leader_name" "$data_root/$leader_name/run" "$dbname" "select count(*) from $probe_table")"
  [ "$rows" = "$expected_rows" ] || die "restore $tag: $probe_table has $rows rows, expected $expected_rows"
  log "restore [$tag]: ${own}s (restore_duration_s), ${wall}s wall; $members member(s), leader $leader_name ($leader_host), $rows rows in $probe_table"
  append "restore_${tag}_own" "$own"; append "restore_${tag}_wall" "$wall"
  eval "restore_${tag}_members=\$members; restore_${tag}_data_root=\$data_root"
  # Stop the restored cluster (keeps data) through each host's service manager, so the next timing runs
  # alone. hosts_state_ref is given: the destroy must reach the hosts this cluster was restored on.
  hyj module destroy -m platform/onprem/postgresql-ha --instance "$instance" -i "$(write_inputs "destroy-$tag.json" "{\"hosts_state_ref\":\"$hosts_ref\"}")" > /dev/null || die "destroy restore $tag"
  eval "restore_${tag}_datadir_bytes=\$(du_on dr1 \"\$data_root/dr1/data\")"
  hyj module destroy "${dr_args[@]}" -i "$tmp/inputs/dr-$tag-$k.json" > /dev/null || die "destroy dr-hosts $tag"
  local h
  for h in $hosts; do
    if on "$h" "ps -eo args=" | grep -q -F "$data_root/$h/"; then die "processes of $data_root/$h on $h outlived the destroy"; fi
    # Free the disk; the last 1-member data dir is kept for the copy below.
    if [ "$tag" != one ] || [ "$k" -lt "$repeat" ]; then on "$h" "rm -rf $data_root/$h"; fi
  done
}

for k in $(seq 1 "$repeat"); do
  run_restore one one "$k"
  run_restore three "" "$k"
done

# --- 3. plain copy of the same data directories on the same hosts' disks, servers stopped
# Patroni on every on-prem host is stopped through the host's service manager (SIGTERM: Patroni shuts
# its PostgreSQL down cleanly), so the leader's PGDATA is at rest like the restored member's.
log "stopping Patroni on pg1-pg3 (data kept) for a cold plain copy of $pgdata on $leader"
for h in pg1 pg2 pg3; do
  on "$h" "start-stop-daemon --stop --quiet --pidfile /run/hyops/patroni.pid --retry TERM/60/KILL/5 --remove-pidfile" || die "stop patroni on $h"
done
for h in pg1 pg2 pg3; do
  if on "$h" "ps -eo args=" | grep -q -F "$pgbin/postgres"; then die "PostgreSQL still runs on $h after Patroni stopped"; fi
done
pgdata_bytes="$(du_on "$leader" "$pgdata")"
pgwal_bytes="$(du_on "$leader" "$pgdata/pg_wal")"
# The same for the data directory the last 1-member restore produced on dr1 (about the bytes a restore writes).
rdata="$restore_one_data_root/dr1/data"
timed_copy() { # var_prefix host source: cp -a + sync on the host itself, timed there (no ssh start-up in the figure)
  drop_caches; append "${1}_cache" "$cache"
  local out
  out="$(on "$2" "set -e; dst=\$(dirname $3)/bench-plain-copy; rm -rf \$dst; t0=\$(date +%s.%N); cp -a $3 \$dst; sync; t1=\$(date +%s.%N); echo \$t0 \$t1 \$(du -sb \$dst | cut -f1) \$(du -sb $3 | cut -f1); rm -rf \$dst")" || die "plain copy of $3 on $2"
  local t0 t1 copied source; read -r t0 t1 copied source <<<"$out"
  [ "$copied" = "$source" ] || die "plain copy of $3 on $2 has $copied bytes, the source $source"
  append "${1}_s" "$(secs "$t0" "$t1")"
  printf -v "${1}_bytes" '%s' "$copied"
}
for k in $(seq 1 "$repeat"); do
  timed_copy copy "$leader" "$pgdata"
  timed_copy copy2 dr1 "$rdata"
done
log "plain copy of the leader's PGDATA on $leader, runs (s): ${copy_s}; $copy_bytes bytes (pg_wal $pgwal_bytes)"
log "plain copy of the restored member's data dir on dr1, runs (s): ${copy2_s}; $copy2_bytes bytes"
hyj lab down --lab-dir "$labdir" > "$tmp/lab-down.json" || die "lab down"
lab_started=0

# --- 4. report
mkdir -p "$results"
stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
suffix=""; [ "$data" = pgbench ] || suffix="-$data"
json="$results/restore-$(date -u +%Y-%m-%d)$suffix.json"
md="$results/restore$suffix.md"
loadavg="$(cut -d' ' -f1-3 /proc/loadavg)"
export block compress_type process_max stamp scale db_bytes cluster_bytes load_s backup_label backup_wall backup_pgbr_s backup_size backup_repo_size backup_cache \
  restore_one_own restore_one_wall restore_one_members restore_one_cache restore_one_datadir_bytes \
  restore_three_own restore_three_wall restore_three_members restore_three_cache restore_three_datadir_bytes \
  copy_s copy_bytes pgwal_bytes copy_cache copy2_s copy2_bytes copy2_cache smoke json repeat data expected_rows probe_table loadavg
$py - "$md" <<'PY'
import json, os, platform, statistics, sys
e = os.environ
runs = lambda k: [float(x) for x in e[k].split()]
f = lambda k: statistics.median(runs(k))   # one value or the median of the runs
cache = lambda k: "dropped" if set(e[k].split()) == {"dropped"} else "warm"
i = lambda k: int(e[k])
mib = lambda b: b / 1048576
size = i("backup_size")          # bytes the restore writes into each member's data dir (pgBackRest "database size")
rows = [  # (name, runs key, bytes, cache key)
    ("backup full (lane, pgBackRest)", "backup_wall", size, "backup_cache"),
    ("restore 1 member (restore_duration_s)", "restore_one_own", size, "restore_one_cache"),
    ("restore 1 member (wall clock)", "restore_one_wall", size, "restore_one_cache"),
    ("restore 3 members (restore_duration_s)", "restore_three_own", size, "restore_three_cache"),
    ("restore 3 members (wall clock)", "restore_three_wall", size, "restore_three_cache"),
    ("plain copy: cp -a of the leader's PGDATA, on its host", "copy_s", i("copy_bytes"), "copy_cache"),
    ("plain copy: cp -a of the restored member's PGDATA, on dr1", "copy2_s", i("copy2_bytes"), "copy2_cache"),
]
copy = f("copy_s")
doc = {
    "benchmark": "bench/restore",
    "at": e["stamp"],
    "repeat": i("repeat"),
    "note": "seconds are the median of the runs (the backup runs once); *_runs lists every run",
    "smoke": e["smoke"] == "1",
    "lab": {"kind": "hosts", "block": i("block"), "onprem": "pg1-pg3 + etcd", "dr_site": {"one": "dr1", "three": "dr1-dr3"}, "dr_etcd": "dr-etcd"},
    "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
                "loadavg_at_report": e["loadavg"]},
    "database": {"data": e["data"], "pgbench_scale": i("scale") if e["data"] == "pgbench" else None,
                 "probe_table": e["probe_table"], "rows_checked_on_each_restore": i("expected_rows"),
                 "database_bytes": i("db_bytes"), "cluster_bytes": i("cluster_bytes"), "load_s": f("load_s")},
    "backup": {"label": e["backup_label"], "type": "full", "wall_s": f("backup_wall"), "pgbackrest_s": f("backup_pgbr_s"),
               "data_bytes": size, "repository_bytes": i("backup_repo_size"), "page_cache": cache("backup_cache"),
               "mib_per_s": round(mib(size) / f("backup_wall"), 1)},
    "restore": {
        k: {"members": i(f"restore_{k}_members"), "restore_duration_s": f(f"restore_{k}_own"), "wall_s": f(f"restore_{k}_wall"),
            "restore_duration_s_runs": runs(f"restore_{k}_own"), "wall_s_runs": runs(f"restore_{k}_wall"),
            "restored_data_dir_bytes": i(f"restore_{k}_datadir_bytes"), "page_cache": cache(f"restore_{k}_cache"),
            "mib_per_s": round(mib(size) / f(f"restore_{k}_own"), 1),
            "ratio_to_copy": round(f(f"restore_{k}_own") / copy, 2),
            "ratio_to_copy_wall": round(f(f"restore_{k}_wall") / copy, 2)}
        for k in ("one", "three")},
    "plain_copy": {"command": "cp -a PGDATA + sync on the leader's host over ssh (Patroni stopped on every on-prem host), timed on the host", "seconds": copy, "seconds_runs": runs("copy_s"), "bytes": i("copy_bytes"),
                   "pg_wal_bytes": i("pgwal_bytes"), "page_cache": cache("copy_cache"), "mib_per_s": round(mib(i("copy_bytes")) / copy, 1)},
}
doc["plain_copy_of_restored"] = {"command": "cp -a <restored 1-member PGDATA> (stopped) + sync on dr1 over ssh, timed on the host", "seconds": f("copy2_s"), "seconds_runs": runs("copy2_s"),
                                  "bytes": i("copy2_bytes"), "page_cache": cache("copy2_cache"), "mib_per_s": round(mib(i("copy2_bytes")) / f("copy2_s"), 1)}
doc["ratio_restore_to_copy"] = doc["restore"]["one"]["ratio_to_copy"]
# Per byte: how many times slower the 1-member restore moves data than cp does (throughputs, not times).
doc["ratio_copy_to_restore_throughput"] = round(doc["plain_copy"]["mib_per_s"] / doc["restore"]["one"]["mib_per_s"], 2)
doc["ratio_restore_to_copy_of_restored"] = round(f("restore_one_own") / f("copy2_s"), 2)
with open(e["json"], "w") as out:
    json.dump(doc, out, indent=2)
    out.write("\n")

lines = [
    f"# Restore benchmark ({e['stamp']}{', SMOKE: database under 1 GiB' if doc['smoke'] else ''})",
    "",
    f"Lab on hosts (block {e['block']}; restores onto dr1, then dr1-dr3, over ssh). "
    f"Database `bench` ({'pgbench scale ' + e['scale'] if e['data'] == 'pgbench' else 'random md5 text'}): **{mib(i('db_bytes')):.0f} MiB** (`pg_database_size`); "
    f"whole cluster {mib(i('cluster_bytes')):.0f} MiB; backup data {mib(size):.0f} MiB, "
    f"{mib(i('backup_repo_size')):.0f} MiB in the repository ({os.environ['compress_type']}, process-max {os.environ['process_max']}). Machine: {doc['machine']['cpus']} CPUs, "
    f"{doc['machine']['mem_gib']} GiB (load average {e['loadavg']}), kernel {doc['machine']['kernel']}; page cache dropped before each timed step: "
    f"{'yes' if all(cache(r[3]) == 'dropped' for r in rows) else 'no (warm)'}. Seconds: median of {e['repeat']} run(s) "
    f"(the backup runs once).",
    "",
    "| step | seconds | runs (s) | MiB | MiB/s | x plain copy |",
    "| --- | ---: | --- | ---: | ---: | ---: |",
]
for name, key, b, _ in rows:
    s = f(key)
    lines.append(f"| {name} | {s:.1f} | {' '.join(f'{x:.1f}' for x in runs(key))} | {mib(b):.0f} | {mib(b) / s:.1f} | {s / copy:.2f} |")
lines += [
    "",
    f"**Ratio restore/copy: {doc['ratio_restore_to_copy']:.2f}** (1-member restore_duration_s / plain copy); "
    f"3 members: {doc['restore']['three']['ratio_to_copy']:.2f}. Per byte (MiB/s of the copy / MiB/s of the 1-member restore): "
    f"{doc['ratio_copy_to_restore_throughput']:.2f}. Against a copy of the restored member's own data dir: "
    f"{doc['ratio_restore_to_copy_of_restored']:.2f}.",
    "",
    f"JSON: `{os.path.relpath(e['json'], os.path.dirname(sys.argv[1]))}`",
]
md = "\n".join(lines) + "\n"
with open(sys.argv[1], "w") as out:
    out.write(md)
print(md)
PY
log "results: $json and $md"
