#!/usr/bin/env bash
# The baseline failover as an expert would type it by hand, with no hyops in the path: the comparison
# for bench/failover/run.sh. One member, from the same pgBackRest backup and WAL archive the failover
# blueprint restores; each phase prints "<phase> <epoch seconds>" when it ends.
#
#   1. restore:  pgbackrest restore (latest backup, recovery to the end of the archived WAL) into an
#                empty data dir, as many processes as the blueprint's restore uses
#   2. start:    pg_ctl start on the DR address, archiving off (a new timeline must not reach the
#                source's stanza), waiting until it accepts connections
#   3. promote:  PostgreSQL promotes itself at the end of the archived WAL (recovery.signal, no
#                target, as pgBackRest's default restore type sets it up); wait until it is writable
#   4. dns:      PATCH the A record through the PowerDNS API
#
# Environment (all required, set by run.sh):
#   BARE_CONFIG, BARE_STANZA, BARE_PROCESS_MAX   pgBackRest config (the lane's), stanza, process-max
#   BARE_DATA, BARE_RUN, BARE_HOST               new data dir (must not exist), socket dir, listen address (port 5432)
#   BARE_PDNS_API, BARE_PDNS_HEADER (file with the X-API-Key header line), BARE_ZONE, BARE_RECORD, BARE_TTL
set -euo pipefail
pgbin=/usr/lib/postgresql/15/bin
mark() { printf '%s %s\n' "$1" "$(date +%s.%N)"; }
as_pg() { setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"; }

mark start
install -d -o postgres -g postgres -m 700 "$BARE_DATA"
install -d -o postgres -g postgres -m 755 "$BARE_RUN"
as_pg /usr/bin/pgbackrest --config="$BARE_CONFIG" --stanza="$BARE_STANZA" --pg1-path="$BARE_DATA" \
  --process-max="$BARE_PROCESS_MAX" --log-level-console=warn restore
mark restore
as_pg "$pgbin/pg_ctl" -D "$BARE_DATA" -l "$BARE_RUN/postgres.log" -w -t 600 start \
  -o "-c listen_addresses=$BARE_HOST -c port=5432 -c unix_socket_directories=$BARE_RUN -c archive_mode=off -c hba_file=$BARE_DATA/pg_hba.conf -c ident_file=$BARE_DATA/pg_ident.conf" >/dev/null
mark start_pg
until [ "$(as_pg "$pgbin/psql" -h "$BARE_RUN" -U postgres -d postgres -X -A -t -q -c 'select not pg_is_in_recovery()' 2>/dev/null)" = t ]; do
  sleep 0.05
done
mark promote
curl -sf -X PATCH -H @"$BARE_PDNS_HEADER" -H 'Content-Type: application/json' \
  --data "{\"rrsets\":[{\"name\":\"$BARE_RECORD\",\"type\":\"A\",\"ttl\":$BARE_TTL,\"changetype\":\"REPLACE\",\"records\":[{\"content\":\"$BARE_HOST\",\"disabled\":false}]}]}" \
  "$BARE_PDNS_API/api/v1/servers/localhost/zones/$BARE_ZONE" >/dev/null
mark dns
