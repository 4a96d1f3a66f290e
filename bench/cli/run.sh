#!/usr/bin/env bash
# Wall time of `hyops blueprint plan` from the release tarball's Native AOT binary against the
# clone's `./hyops` (the .NET SDK path), side by side. Target for the binary: <= 50 ms.
#
#   bash bench/cli/run.sh
#
# Knobs: BENCH_TARBALL (a built tarball; default dist/hyops-<version>-linux-x64.tar.gz, built with
# scripts/package.sh when absent), BENCH_RUNS (30), BENCH_WARMUP (3), BENCH_REF (the blueprint).
# Uses hyperfine (Debian package) when installed, else a plain loop; plan touches nothing, so every
# run is the same work. The runtime root and the unpacked tarball live in a temp dir, removed on exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${BENCH_RUNS:-30}"
warmup="${BENCH_WARMUP:-3}"
ref="${BENCH_REF:-onprem/postgresql-ha-assess@v1}"
version="$(tr -d '[:space:]' < "$here/VERSION")"
tarball="${BENCH_TARBALL:-$here/dist/hyops-$version-linux-x64.tar.gz}"
[ -f "$tarball" ] || tarball="$(bash "$here/scripts/package.sh")"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp"
binary="$(echo "$tmp"/hyops-*/bin/hyops)"
root="$tmp/root"

# Build the SDK path once (./hyops builds on first use) so only start-up and the plan are timed.
"$here/hyops" --root "$root" blueprint plan --ref "$ref" >/dev/null 2>&1
# The binary runs with no HYOPS_CONTENT_ROOT: it finds modules/ and blueprints/ beside itself.
aot=(env -u HYOPS_CONTENT_ROOT "$binary" --root "$root" blueprint plan --ref "$ref")
sdk=("$here/hyops" --root "$root" blueprint plan --ref "$ref")
dll=(env "HYOPS_CONTENT_ROOT=$here" dotnet "$here/.hyops-build/hyops.dll" --root "$root" blueprint plan --ref "$ref")
"${aot[@]}" >/dev/null 2>&1 || { echo "bench: the tarball's binary failed to plan $ref" >&2; exit 1; }

names=("tarball bin/hyops (Native AOT)" "./hyops (dotnet, with its staleness check)" "dotnet .hyops-build/hyops.dll")
quote() { printf '%q ' "$@"; }
if command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --style none --warmup "$warmup" --runs "$runs" --export-json "$tmp/h.json" \
    -n "${names[0]}" "$(quote "${aot[@]}")" -n "${names[1]}" "$(quote "${sdk[@]}")" -n "${names[2]}" "$(quote "${dll[@]}")" >/dev/null
  tool="hyperfine $(hyperfine --version | awk '{print $2}')"
else
  # Fallback: a loop of wall-clock timings in ns, one JSON like hyperfine's.
  printf '{"results":[' > "$tmp/h.json"
  i=0
  for cmd in aot sdk dll; do
    declare -n argv="$cmd"
    for _ in $(seq "$warmup"); do "${argv[@]}" >/dev/null 2>&1; done
    times=()
    for _ in $(seq "$runs"); do
      t0=$(date +%s%N); "${argv[@]}" >/dev/null 2>&1; t1=$(date +%s%N)
      times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f", (b-a)/1e9}')")
    done
    [ "$i" -eq 0 ] || printf ',' >> "$tmp/h.json"
    printf '{"command":"%s","times":[%s]}' "${names[$i]}" "$(IFS=,; echo "${times[*]}")" >> "$tmp/h.json"
    i=$((i + 1))
  done
  printf ']}' >> "$tmp/h.json"
  tool="shell loop (date +%%s%%N)"
fi

python3 - "$tmp/h.json" "$tool" "$runs" "$(du -h "$tarball" | cut -f1)" "$(stat -c %s "$binary")" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, statistics, sys
doc, tool, runs, tar_size, bin_size, load = sys.argv[1:]
rows = []
for r in json.load(open(doc))["results"]:
    t = sorted(x * 1000 for x in r["times"])
    rows.append((r["command"], statistics.median(t), statistics.mean(t), t[0], t[-1]))
print(f"hyops blueprint plan, {runs} runs each ({tool}; load average {load})")
print(f"{'command':<46} {'median ms':>10} {'mean ms':>9} {'min ms':>8} {'max ms':>8}")
for name, med, mean, lo, hi in rows:
    print(f"{name:<46} {med:>10.1f} {mean:>9.1f} {lo:>8.1f} {hi:>8.1f}")
aot, sdk = rows[0][1], rows[1][1]
print(f"./hyops / binary (median): {sdk / aot:.1f}x; binary target <= 50 ms: {'met' if aot <= 50 else 'NOT met'} ({aot:.1f} ms)")
print(f"tarball {tar_size}, bin/hyops {int(bin_size) / 1048576:.1f} MiB")
PY
