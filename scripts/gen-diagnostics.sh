#!/usr/bin/env bash
# Regenerates docs/diagnostics.md from `hyops diagnostics` (the catalogue in code is the source).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(./hyops diagnostics 2>/dev/null)
{ sed -n '1,15p' docs/diagnostics.md; echo '```'; printf '%s\n' "$out"; echo '```'; } > docs/diagnostics.md.tmp
mv docs/diagnostics.md.tmp docs/diagnostics.md
