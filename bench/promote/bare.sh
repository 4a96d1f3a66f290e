#!/usr/bin/env bash
# The premium promotion as an expert would type it by hand, with no hyops in the path: the
# comparison for bench/promote/run.sh. Every input was prepared beforehand (as a runbook would have
# it); only the cutover itself runs here, and each phase prints "<phase> <epoch seconds>" when it ends.
# Like hyops, it reaches the lab's hosts over ssh: SQL on the source leader through its unix socket
# on the host (so the fence, which keeps local lines, leaves it working), a file on the managed host;
# one multiplexed ssh connection per host (as hyops holds one), opened before the clock starts.
#
#   1. fence:   PATCH the fenced pg_hba into Patroni's /config (local + replication + the DR
#               consumer's lines, then reject all), wait until the leader's pg_hba_file_rules shows
#               the fence's own reject-all line (the DR source's allowlist already has reject lines
#               for its replication role, which must not count), terminate the client backends on
#               the leader
#   2. lag:     wait until the DR slot's confirmed_flush_lsn reaches the leader's current WAL position
#   3. detach:  on the standby: disable, detach (slot_name = NONE) and drop the subscription, setval
#               every sequence to the source's value + 1000
#   4. promote: lift the standby's write guard (its event trigger and schema) and its read-only
#               default (the local provider's promote-replica: remove hyops_standby.conf on the
#               managed host, reload)
#   5. dns:     PATCH the A record through the PowerDNS API
#
# Environment (all required, set by run.sh):
#   BARE_SSH_CONFIG   the lab's ssh_config; BARE_SSH_CONTROL: ControlPath pattern for the masters
#   BARE_PATRONI      leader's Patroni API, e.g. http://169.254.250.19:8008
#   BARE_FENCED_HBA   JSON body for PATCH /config with the fenced pg_hba
#   BARE_SOURCE_HOST  leader's name in the ssh_config
#   BARE_SOCK         leader's unix socket dir on its host (TCP is rejected once fenced; local peer is kept)
#   BARE_SLOT, BARE_SUB, BARE_DB   DR slot on the source, subscription on the standby, database
#   BARE_TARGET, BARE_TARGET_PORT  standby address and port, reached as postgres with PGPASSFILE
#   BARE_TARGET_SSH_HOST, BARE_TARGET_DATA   the managed host's name in the ssh_config, the standby's data dir there
#   BARE_PDNS_API, BARE_PDNS_HEADER (file with the X-API-Key header line), BARE_ZONE, BARE_RECORD, BARE_TTL
set -euo pipefail
pgbin=/usr/lib/postgresql/15/bin
mark() { printf '%s %s\n' "$1" "$(date +%s.%N)"; }
on() { local host="$1"; shift; ssh -F "$BARE_SSH_CONFIG" -o ControlPath="$BARE_SSH_CONTROL" -o ControlMaster=no "$host" "$@"; }
# SQL on the source leader's host as postgres through its socket; -c arguments are passed on stdin
# (no quoting over ssh), anything else (a piped script) as is.
src() {
  local sql=""
  while [ "$#" -gt 0 ]; do [ "$1" = -c ] && { sql+="$2;"$'\n'; shift 2; continue; }; shift; done
  printf '%s' "$sql" | on "$BARE_SOURCE_HOST" "cd /tmp && sudo -u postgres $pgbin/psql -h $BARE_SOCK -p 5432 -U postgres -d $BARE_DB -X -A -t -q -v ON_ERROR_STOP=1"
}
# The standby's admin session as hyops' own control plane uses it (superuser-only settings): past the read-only default and the guard.
tgt() { PGOPTIONS='-c default_transaction_read_only=off -c session_replication_role=replica' \
  "$pgbin/psql" -h "$BARE_TARGET" -p "$BARE_TARGET_PORT" -U postgres -d "$BARE_DB" -X -A -t -q -v ON_ERROR_STOP=1 "$@"; }
# The runbook's ssh connections, open before the clock starts and closed when the script ends.
masters=()
close_masters() { local h; for h in "${masters[@]}"; do ssh -F "$BARE_SSH_CONFIG" -o ControlPath="$BARE_SSH_CONTROL" -O exit "$h" 2>/dev/null || true; done; }
trap close_masters EXIT
for h in "$BARE_SOURCE_HOST" "$BARE_TARGET_SSH_HOST"; do
  ssh -F "$BARE_SSH_CONFIG" -o ControlPath="$BARE_SSH_CONTROL" -o ControlMaster=yes -o ControlPersist=yes -f -N "$h"
  masters+=("$h")
done
until_true() { # seconds sql-runner...: polls every 20 ms until the command prints t
  local deadline=$(( $(date +%s) + $1 )); shift
  until [ "$("$@")" = t ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out: $*" >&2; return 1; }
    sleep 0.02
  done
}

mark start
curl -sf -X PATCH -H 'Content-Type: application/json' --data-binary "@$BARE_FENCED_HBA" "$BARE_PATRONI/config" >/dev/null
until_true 10 src -c "select exists (select 1 from pg_hba_file_rules where auth_method = 'reject' and database = '{all}' and user_name = '{all}' and address = '0.0.0.0')"
src -c "select count(pg_terminate_backend(pid)) from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()" >/dev/null
mark fence
until_true 30 src -c "select coalesce(bool_and(confirmed_flush_lsn >= pg_current_wal_lsn()), false) from pg_replication_slots where slot_name = '$BARE_SLOT'"
mark lag
tgt -c "alter subscription $BARE_SUB disable" -c "alter subscription $BARE_SUB set (slot_name = none)" -c "drop subscription $BARE_SUB"
src -c "select format('select setval(%L, %s, true);', format('%I.%I', schemaname, sequencename), coalesce(last_value, start_value) + 1000) from pg_sequences" | tgt >/dev/null
mark detach
tgt -c "drop event trigger if exists hyops_standby_ddl" -c "drop schema if exists hyops_standby cascade"
on "$BARE_TARGET_SSH_HOST" "rm -f $BARE_TARGET_DATA/hyops_standby.conf"
tgt -c "select pg_reload_conf()" >/dev/null
mark promote
curl -sf -X PATCH -H @"$BARE_PDNS_HEADER" -H 'Content-Type: application/json' \
  --data "{\"rrsets\":[{\"name\":\"$BARE_RECORD\",\"type\":\"A\",\"ttl\":$BARE_TTL,\"changetype\":\"REPLACE\",\"records\":[{\"content\":\"$BARE_TARGET\",\"disabled\":false}]}]}" \
  "$BARE_PDNS_API/api/v1/servers/localhost/zones/$BARE_ZONE" >/dev/null
mark dns
