#!/usr/bin/env bash
# Restore benchmark of the baseline DR lane (see bench/README.md).
#
# Builds a real lab with the repo's own CLI, loads a >= 1 GiB database on the on-prem leader, takes
# the lane's full backup (pgBackRest to a local object repository), then times the lane's restore onto
# the DR site's hosts with 1 member and with 3 members, and a plain `cp -a` of the leader's data
# directory on the same disk. Prints a table and writes bench/results/restore-<date>.json and
# bench/results/restore.md.
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
#   BENCH_PREFIX=127.0.101    lab loopback prefix; DR hosts use third octet +1, DNS +4
#   BENCH_RESULTS=<dir>       where results go (default bench/results next to this script)
#   BENCH_TMP=<dir>           parent of the temporary work dir (default /tmp; same disk as the copy target)
#   BENCH_ALLOW_SMALL=1       allow a database under 1 GiB (smoke runs only; results are then marked "smoke")
#   BENCH_SKIP_SETUP=1        do not run scripts/setup.sh first
#   BENCH_KEEP=1              do not remove the temporary dir (the lab is still taken down)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
data="${BENCH_DATA:-pgbench}"
scale="${BENCH_SCALE:-70}"
random_mb="${BENCH_RANDOM_MB:-1100}"
case "$data" in pgbench|random) ;; *) echo "BENCH_DATA must be pgbench or random" >&2; exit 2 ;; esac
prefix="${BENCH_PREFIX:-127.0.101}"
repeat="${BENCH_REPEAT:-3}"
results="${BENCH_RESULTS:-$repo/bench/results}"
pgbin=/usr/lib/postgresql/15/bin
py=/usr/bin/python3    # comes with patroni (scripts/setup.sh)
dbname=bench

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# What the lab needs (idempotent; installs only what is missing, nothing beyond scripts/setup.sh).
[ "${BENCH_SKIP_SETUP:-0}" = 1 ] || bash "$repo/scripts/setup.sh"
for tool in "$pgbin/pgbench" "$pgbin/psql" /usr/bin/pgbackrest /usr/bin/patroni /usr/bin/etcd "$py" setpriv; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing; run scripts/setup.sh"
done
[ "$(id -u)" -eq 0 ] || die "run as root (the lab runs its servers as the postgres OS user via setpriv)"

tmp="$(mktemp -d "${BENCH_TMP:-/tmp}/hyops-bench-XXXXXX")"
chmod 755 "$tmp"             # the postgres OS user must reach the lab dir below it
root="$tmp/root"
labdir="$tmp/lab"
hylog="$tmp/hyops.log"
lab_started=0
export HYOPS_VAULT_PASSWORD="bench-$($py -c 'import secrets; print(secrets.token_hex(12))')"

hy() { "$repo/hyops" --root "$root" "$@"; }
# JSON result on stdout; hyops' human progress goes to the log file.
hyj() { "$repo/hyops" --root "$root" --output json "$@" 2>>"$hylog"; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$lab_started" -eq 1 ]; then
    log "cleanup: lab down"
    hy lab down --lab-dir "$labdir" >>"$hylog" 2>&1 || log "cleanup: lab down reported a problem (see below)"
  fi
  # Nothing of ours may be left running: list (never kill by name) what still mentions the temp dir.
  local left
  left="$(ps -eo pid=,args= | grep -F "$tmp" | grep -v -F 'grep -F' || true)"
  if [ -n "$left" ]; then
    log "cleanup: processes still mention $tmp:"; printf '%s\n' "$left" >&2
    rc=1
  fi
  if [ "$rc" -ne 0 ] && [ -f "$hylog" ]; then
    log "last lines of $hylog:"; tail -n 40 "$hylog" >&2 || true
  fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
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
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }
du_bytes() { du -sb "$1" | cut -f1; }
append() { printf -v "$1" '%s' "${!1:-}${!1:+ }$2"; }   # append VAR VALUE: space-separated runs
write_inputs() { mkdir -p "$tmp/inputs"; printf '%s\n' "$2" > "$tmp/inputs/$1"; printf '%s' "$tmp/inputs/$1"; }

# --- 0. build the CLI once (not timed)
log "building hyops (if needed)"
"$repo/hyops" --version >/dev/null

# --- 1. lab, database, the lane's backup
log "lab up on $prefix.x (lab dir $labdir)"
lab_started=1
hyj lab up --lab-dir "$labdir" --address-prefix "$prefix" > "$tmp/lab-up.json" || die "lab up"
hyj lab status --lab-dir "$labdir" > "$tmp/lab-status.json" || die "lab status"
leader="$(jget "$tmp/lab-status.json" "[m['name'] for m in d['cluster'] if m['role'] == 'leader'][0]")"
sock="$labdir/$leader/run"
pgdata="$labdir/$leader/data"
psql_leader() { as_pg "$pgbin/psql" -h "$sock" -p 5432 -U postgres -X -A -t -q "$@"; }
log "leader $leader (socket $sock)"

psql_leader -d postgres -c "create database $dbname" >/dev/null
t0="$(now)"
if [ "$data" = pgbench ]; then
  log "creating database '$dbname' with pgbench -i -s $scale (server-side generation)"
  as_pg "$pgbin/pgbench" -h "$sock" -p 5432 -U postgres -i -s "$scale" -I dtGvp -q "$dbname" >>"$hylog" 2>&1 || die "pgbench -i"
  probe_table=pgbench_accounts
  expected_rows=$(( scale * 100000 ))
else
  # 8 md5 hex strings per row (256 chars, stored inline, not TOAST-compressed): ~300 bytes of heap per row.
  expected_rows=$(( random_mb * 1048576 / 300 ))
  log "creating database '$dbname' with table filler: $expected_rows rows of random md5 text (~$random_mb MiB)"
  md5s="$(printf "md5(random()::text)||%.0s" 1 2 3 4 5 6 7 8)"
  psql_leader -d "$dbname" -c "create table filler(id bigint primary key, payload text not null)" \
    -c "insert into filler select g, ${md5s%||} from generate_series(1, $expected_rows) g" -c "vacuum analyze filler" >>"$hylog" 2>&1 || die "random data"
  probe_table=filler
fi
load_s="$(secs "$t0" "$(now)")"
psql_leader -d postgres -c "checkpoint" >/dev/null
db_bytes="$(psql_leader -d postgres -c "select pg_database_size('$dbname')")"
cluster_bytes="$(psql_leader -d postgres -c "select sum(pg_database_size(oid))::bigint from pg_database")"
log "database $dbname: $db_bytes bytes ($(( db_bytes / 1048576 )) MiB), whole cluster $cluster_bytes bytes; loaded in ${load_s}s"
smoke=0
if [ "$db_bytes" -lt 1073741824 ]; then
  [ "${BENCH_ALLOW_SMALL:-0}" = 1 ] || die "database is only $db_bytes bytes (< 1 GiB); raise BENCH_SCALE"
  smoke=1
fi

log "lane: org/gcp/object-repo (provider local), platform/onprem/postgresql-ha (assess), postgresql-ha-backup configure"
hyj module deploy -m org/gcp/object-repo -i "$(write_inputs repo.json '{"provider":"local","bucket":"hyops-dr-pgbackrest"}')" > "$tmp/repo.json" || die "object-repo"
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
as_pg /usr/bin/pgbackrest --config="$config_path" --stanza="$stanza" --log-level-console=off --output=json info > "$tmp/info.json"
compress_type="$(sed -n 's/^compress-type=//p' "$config_path" | head -1)"; compress_type="${compress_type:-gz}"
process_max="$(sed -n 's/^process-max=//p' "$config_path" | head -1)"; process_max="${process_max:-1}"
read -r backup_size backup_repo_size backup_pgbr_s < <(jget "$tmp/info.json" "(lambda b: f\"{b['info']['size']} {b['info']['repository']['size']} {b['timestamp']['stop'] - b['timestamp']['start']}\")([b for b in d[0]['backup'] if b['label'] == '$backup_label'][0])")
log "backup $backup_label: ${backup_wall}s wall (pgBackRest ${backup_pgbr_s}s), $backup_size bytes of data, $backup_repo_size bytes in the repository"

# --- 2. the lane's restore: 1 member, then 3 members (the default DR site)
restore_inputs() { # instance cluster hosts_ref
  printf '{"apply_mode":"restore","hosts_state_ref":"%s","repo_state_ref":"org/gcp/object-repo","backup_state_ref":"platform/onprem/postgresql-ha-backup","cluster_name":"%s","restore_confirm":"%s","restore_target":"latest","restore_timeout_s":900}' "$3" "$2" "$2"
}

run_restore() { # tag hosts_instance host_count instance cluster run
  local tag="$1" hosts_instance="$2" count="$3" instance="$4" cluster="$5" k="$6" hosts_ref="org/gcp/dr-hosts"
  local dr_args=(-m org/gcp/dr-hosts)
  if [ -n "$hosts_instance" ]; then dr_args+=(--instance "$hosts_instance"); hosts_ref="org/gcp/dr-hosts#$hosts_instance"; fi
  log "restore [$tag] run $k/$repeat: org/gcp/dr-hosts host_count $count (site bench-$tag-$k)"
  hyj module deploy "${dr_args[@]}" -i "$(write_inputs "dr-$tag.json" "{\"site\":\"bench-$tag-$k\",\"host_count\":$count}")" > "$tmp/dr-$tag.json" || die "dr-hosts $tag"
  log "restore [$tag]: platform/onprem/postgresql-ha --instance $instance apply_mode restore (cluster $cluster)"
  drop_caches; append "restore_${tag}_cache" "$cache"
  local t0; t0="$(now)"
  hyj module deploy -m platform/onprem/postgresql-ha --instance "$instance" -i "$(write_inputs "restore-$tag.json" "$(restore_inputs "$instance" "$cluster" "$hosts_ref")")" > "$tmp/restore-$tag.json" || die "restore $tag"
  local wall; wall="$(secs "$t0" "$(now)")"
  local state="$root/state/modules/platform__onprem__postgresql-ha/instances/$instance.json"
  local own; own="$(jget "$state" "d['outputs']['restore_duration_s'] if d['status'] == 'ok' else 'not-ok'")"
  [ "$own" != not-ok ] || die "restore $tag state is not ok"
  local members; members="$(jget "$tmp/restore-$tag.json" "len(d['outputs']['members'])")"
  local leader_host; leader_host="$(jget "$tmp/restore-$tag.json" "d['outputs']['leader_host']")"
  local data_root; data_root="$(jget "$tmp/restore-$tag.json" "d['outputs']['data_root']")"
  # The restored database is really there: the row count of the biggest table, read on the DR leader.
  local rows; rows="$(as_pg "$pgbin/psql" -h "$data_root/dr1/run" -p 5432 -U postgres -X -A -t -q -d "$dbname" -c "select count(*) from $probe_table")"
  [ "$rows" = "$expected_rows" ] || die "restore $tag: $probe_table has $rows rows, expected $expected_rows"
  log "restore [$tag]: ${own}s (restore_duration_s), ${wall}s wall; $members member(s), leader $leader_host, $rows rows in $probe_table"
  append "restore_${tag}_own" "$own"; append "restore_${tag}_wall" "$wall"
  eval "restore_${tag}_members=\$members; restore_${tag}_data_root=\$data_root"
  # Stop the restored cluster (keeps data) and its site, so the next timing runs alone.
  hyj module destroy -m platform/onprem/postgresql-ha --instance "$instance" > /dev/null || die "destroy restore $tag"
  eval "restore_${tag}_datadir_bytes=\$(du_bytes \"\$data_root/dr1/data\")"
  hyj module destroy "${dr_args[@]}" > /dev/null || die "destroy dr-hosts $tag"
  if ps -eo args= | grep -F "$data_root" | grep -v -q -F 'grep -F'; then die "processes of $data_root outlived its destroy"; fi
  # Free the disk; the last 1-member data dir is kept for the copy below.
  if [ "$tag" != one ] || [ "$k" -lt "$repeat" ]; then rm -rf "$data_root"; fi
}

for k in $(seq 1 "$repeat"); do
  run_restore one one 1 bench-one bench-one-pg "$k"
  run_restore three "" 3 bench bench-pg "$k"
done

# --- 3. plain copy of the same data directory on the same disk, cluster stopped
log "stopping the lab (data kept) for a cold plain copy of $pgdata"
hyj lab down --lab-dir "$labdir" > "$tmp/lab-down.json" || die "lab down"
lab_started=0
pgdata_bytes="$(du_bytes "$pgdata")"
pgwal_bytes="$(du_bytes "$pgdata/pg_wal")"
# The same for the data directory the last 1-member restore produced (about the bytes a restore writes).
rdata="$restore_one_data_root/dr1/data"
timed_copy() { # var_prefix source
  drop_caches; append "${1}_cache" "$cache"
  local t0; t0="$(now)"
  cp -a "$2" "$tmp/plain-copy"
  sync
  append "${1}_s" "$(secs "$t0" "$(now)")"
  local copied source; copied="$(du_bytes "$tmp/plain-copy")"; source="$(du_bytes "$2")"
  [ "$copied" = "$source" ] || die "plain copy of $2 has $copied bytes, the source $source"
  printf -v "${1}_bytes" '%s' "$copied"
  rm -rf "$tmp/plain-copy"
}
for k in $(seq 1 "$repeat"); do
  timed_copy copy "$pgdata"
  timed_copy copy2 "$rdata"
done
log "plain copy of the leader's PGDATA, runs (s): ${copy_s}; $copy_bytes bytes (pg_wal $pgwal_bytes)"
log "plain copy of the restored member's data dir, runs (s): ${copy2_s}; $copy2_bytes bytes"

# --- 4. report
mkdir -p "$results"
stamp="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
suffix=""; [ "$data" = pgbench ] || suffix="-$data"
json="$results/restore-$(date -u +%Y-%m-%d)$suffix.json"
md="$results/restore$suffix.md"
loadavg="$(cut -d' ' -f1-3 /proc/loadavg)"
export compress_type process_max stamp scale db_bytes cluster_bytes load_s backup_label backup_wall backup_pgbr_s backup_size backup_repo_size backup_cache \
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
    ("plain copy: cp -a of the leader's PGDATA", "copy_s", i("copy_bytes"), "copy_cache"),
    ("plain copy: cp -a of the restored member's PGDATA", "copy2_s", i("copy2_bytes"), "copy2_cache"),
]
copy = f("copy_s")
doc = {
    "benchmark": "bench/restore",
    "at": e["stamp"],
    "repeat": i("repeat"),
    "note": "seconds are the median of the runs (the backup runs once); *_runs lists every run",
    "smoke": e["smoke"] == "1",
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
    "plain_copy": {"command": "cp -a PGDATA (cluster stopped) + sync", "seconds": copy, "seconds_runs": runs("copy_s"), "bytes": i("copy_bytes"),
                   "pg_wal_bytes": i("pgwal_bytes"), "page_cache": cache("copy_cache"), "mib_per_s": round(mib(i("copy_bytes")) / copy, 1)},
}
doc["plain_copy_of_restored"] = {"command": "cp -a <restored 1-member PGDATA> (stopped) + sync", "seconds": f("copy2_s"), "seconds_runs": runs("copy2_s"),
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
