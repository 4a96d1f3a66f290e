#!/usr/bin/env bash
# The test command: installs what is missing, builds, runs every test (unit + integration against
# real PostgreSQL/Patroni/etcd started by the lab code), and prints one line "N passed, N failed, N skipped"
# computed from the TRX results. Exits non-zero on any failure. Extra arguments (e.g. --filter X) go to
# every dotnet test run, and then the integration tests run as one group.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

bash scripts/setup.sh || exit 2

results="$here/TestResults"
rm -rf "$results"
mkdir -p "$results"

dotnet build hyops.slnx -c Release -nologo -v q -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

rc=0
run() { # project, trx name, extra args...
  local project="$1" name="$2"; shift 2
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$results" "$@"
}
run tests/HybridOps.Core.Tests HybridOps.Core.Tests "$@" || rc=1
if [ $# -eq 0 ]; then
  # Two groups side by side, each one test class at a time (both mostly wait on servers): the classes with
  # the trait lab=hosts (lab hosts of blocks 2, 3, 7, 8, 13, 14), and everything else: the LabHosts folder
  # (blocks 4-6, 9-12) and the tests that need no lab. No block is used by both groups.
  # Expected TRX files: 3.
  expected=3
  run tests/HybridOps.Integration.Tests HybridOps.Integration.Hosts.Tests --filter "lab=hosts" > "$results/labhosts-console.log" 2>&1 &
  hosts_pid=$!
  run tests/HybridOps.Integration.Tests HybridOps.Integration.Tests --filter "lab!=hosts" || rc=1
  wait "$hosts_pid" || rc=1
  echo "== lab-host tests of the trait lab=hosts (run beside the others)"; cat "$results/labhosts-console.log"
else
  expected=2
  run tests/HybridOps.Integration.Tests HybridOps.Integration.Tests "$@" || rc=1
fi

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
[ "$found" -lt "$expected" ] && failed=$((failed + expected - found))
[ "$failed" -gt 0 ] && rc=1
# Figures some tests report through their output (the contract fuzz count, lab host timings).
grep -ho "contract fuzz: [^<&]*\|cold up of [^<&]*\|ssh pg1 true [^<&]*\|ssh failover: [^<&]*" "$results"/*.trx 2>/dev/null | sort -u | sed 's/^/figure: /'
echo "$passed passed, $failed failed, $skipped skipped"
exit $rc
