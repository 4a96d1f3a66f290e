#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test (unit + integration against
# real PostgreSQL/Patroni/etcd started by the lab code), and prints one line "N passed, N failed, N skipped"
# computed from the TRX results. Exits non-zero on any failure.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

bash scripts/setup.sh || exit 2

results="$here/TestResults"
rm -rf "$results"
mkdir -p "$results"

dotnet build hyops.slnx -c Release -nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

rc=0
for project in tests/HybridOps.Core.Tests tests/HybridOps.Integration.Tests; do
  name="$(basename "$project")"
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" "$@" || rc=1
done

passed=0; failed=0; skipped=0; total=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters="$(grep -o '<Counters [^>]*>' "$trx" | head -1)"
  get() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
  t=$(get total); p=$(get passed); f=$(get failed); e=$(get error); x=$(get timeout)
  # A skipped test has outcome NotExecuted (xunit leaves the notExecuted counter at 0); any other test in
  # the total that neither passed nor failed never ran (an aborted run) and counts as failed.
  ne=$(grep -o 'outcome="NotExecuted"' "$trx" | wc -l)
  lost=$((t - p - f - e - x - ne)); [ "$lost" -lt 0 ] && lost=0
  total=$((total + t)); passed=$((passed + p)); failed=$((failed + f + e + x + lost)); skipped=$((skipped + ne))
done
# Tests that never ran (crashed host, missing TRX) count as failures.
found=$(ls "$results"/*.trx 2>/dev/null | wc -l)
[ "$found" -lt 2 ] && failed=$((failed + 2 - found))
[ "$failed" -gt 0 ] && rc=1
# Figures some tests report through their output (the contract fuzz count, lab host timings).
grep -ho "contract fuzz: [^<&]*\|cold up of [^<&]*\|ssh pg1 true [^<&]*\|ssh failover: [^<&]*" "$results"/*.trx 2>/dev/null | sort -u | sed 's/^/figure: /'
echo "$passed passed, $failed failed, $skipped skipped"
exit $rc
