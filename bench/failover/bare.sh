#!/usr/bin/env bash
# The baseline failover as an expert would type it by hand, with no hyops in the path: the comparison
# for bench/failover/run.sh. One member, on a DR host reached over ssh (as hyops reaches it), from the
# same pgBackRest backup and WAL archive the failover blueprint restores; each phase prints
# "<phase> <epoch seconds>" when it ends (the lab's hosts share this machine's clock).
#
#   1. restore:  pgbackrest restore (latest backup, recovery to the end of the archived WAL) into an
#                empty data dir on the DR host, as many processes as the blueprint's restore uses
#   2. start:    pg_ctl start on the DR host's address, archiving off (a new timeline must not reach
#                the source's stanza), waiting until it accepts connections
#   3. promote:  PostgreSQL promotes itself at the end of the archived WAL (recovery.signal, no
#                target, as pgBackRest's default restore type sets it up); wait until it is writable
#   4. dns:      PATCH the A record through the PowerDNS API (from this machine, as hyops does)
#
# Phases 1-3 are one shell script run on the DR host in one ssh session, polling there; what a
# runbook prepares before the disaster is already on the host: pgbackrest.conf of the source's stanza
# (BARE_CONFIG, 0600 postgres) and an empty parent dir.
#
# Environment (all required, set by run.sh):
#   BARE_SSH_CONFIG, BARE_SSH_HOST               ssh_config of the lab and the DR host's name in it
#   BARE_CONFIG, BARE_STANZA, BARE_PROCESS_MAX   pgBackRest config on the DR host, stanza, process-max
#   BARE_DATA, BARE_RUN, BARE_HOST               new data dir on the host (must not exist), socket dir, listen address (port 5432)
#   BARE_PDNS_API, BARE_PDNS_HEADER (file with the X-API-Key header line), BARE_ZONE, BARE_RECORD, BARE_TTL
set -euo pipefail
mark() { printf '%s %s\n' "$1" "$(date +%s.%N)"; }

mark start
# shellcheck disable=SC2087   # the variables are this script's, expanded here on purpose
ssh -F "$BARE_SSH_CONFIG" -o ConnectTimeout=10 "$BARE_SSH_HOST" bash -s <<EOF
set -euo pipefail
cd /tmp
pgbin=/usr/lib/postgresql/15/bin
mark() { printf '%s %s\n' "\$1" "\$(date +%s.%N)"; }
install -d -o postgres -g postgres -m 700 "$BARE_DATA"
install -d -o postgres -g postgres -m 755 "$BARE_RUN"
sudo -u postgres /usr/bin/pgbackrest --config="$BARE_CONFIG" --stanza="$BARE_STANZA" --pg1-path="$BARE_DATA" \
  --process-max="$BARE_PROCESS_MAX" --log-level-console=warn restore >&2
mark restore
sudo -u postgres "\$pgbin/pg_ctl" -D "$BARE_DATA" -l "$BARE_RUN/postgres.log" -w -t 600 start \
  -o "-c listen_addresses=$BARE_HOST -c port=5432 -c unix_socket_directories=$BARE_RUN -c archive_mode=off -c hba_file=$BARE_DATA/pg_hba.conf -c ident_file=$BARE_DATA/pg_ident.conf" >/dev/null </dev/null
mark start_pg
until [ "\$(sudo -u postgres "\$pgbin/psql" -h "$BARE_RUN" -U postgres -d postgres -X -A -t -q -c 'select not pg_is_in_recovery()' 2>/dev/null)" = t ]; do
  sleep 0.05
done
mark promote
EOF
curl -sf -X PATCH -H @"$BARE_PDNS_HEADER" -H 'Content-Type: application/json' \
  --data "{\"rrsets\":[{\"name\":\"$BARE_RECORD\",\"type\":\"A\",\"ttl\":$BARE_TTL,\"changetype\":\"REPLACE\",\"records\":[{\"content\":\"$BARE_HOST\",\"disabled\":false}]}]}" \
  "$BARE_PDNS_API/api/v1/servers/localhost/zones/$BARE_ZONE" >/dev/null
mark dns
