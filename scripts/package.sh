#!/usr/bin/env bash
# Builds dist/hyops-<version>-linux-x64.tar.gz: a self-contained Native AOT `hyops` binary with the
# contracts (modules/, blueprints/) and the docs, runnable with no .NET SDK and no clone around it.
# Prints the tarball's path on stdout (progress on stderr). HYOPS_DIST overrides the output folder.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(tr -d '[:space:]' < "$here/VERSION")"
name="hyops-$version-linux-x64"
dist="${HYOPS_DIST:-$here/dist}"

for tool in dotnet clang; do
  command -v "$tool" >/dev/null 2>&1 || { echo "package: '$tool' is required for the Native AOT build; run scripts/setup.sh" >&2; exit 2; }
done

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

echo "package: Native AOT publish of hyops $version (linux-x64)..." >&2
# Trim and AOT warnings are errors (TreatWarningsAsErrors in Directory.Build.props): a binary that
# could fail at run time on reflection never gets packaged.
dotnet publish "$here/src/HybridOps.Cli/HybridOps.Cli.csproj" -c Release -r linux-x64 \
  -p:PublishAot=true -p:StripSymbols=true -o "$stage/publish" -nologo -v q -clp:ErrorsOnly >&2

root="$stage/$name"
mkdir -p "$root/bin"
install -m 0755 "$stage/publish/hyops" "$root/bin/hyops"
cp -r "$here/modules" "$here/blueprints" "$here/docs" "$root/"
cp "$here/README.md" "$root/"
cp "$here/packaging/NOTICE.txt" "$root/NOTICE.txt"
printf '%s\n' "$version" > "$root/VERSION"

mkdir -p "$dist"
tarball="$dist/$name.tar.gz"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@${SOURCE_DATE_EPOCH:-0}" -czf "$tarball.tmp" "$name"
mv "$tarball.tmp" "$tarball"
echo "package: $tarball ($(du -h "$tarball" | cut -f1))" >&2
echo "$tarball"
