using System.Collections.Immutable;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Evidence;

/// <summary>
/// `hyops evidence verify --bundle FILE`, offline: unpacks the bundle into a private temp directory (refusing
/// absolute paths, "..", links and devices), checks every file against the manifest, then runs
/// <see cref="EvidenceVerifier"/> on the unpacked tree scoped to the bundle's runs and drill reports, with the
/// manifest's index head as the expected head.
/// </summary>
public static class BundleVerifier
{
    /// <param name="requireChain">Fail a bundle without an index even when its manifest says it was exported unchained.</param>
    public static EvidenceReport Verify(string bundleFile, bool requireChain = false)
    {
        if (!File.Exists(bundleFile))
        {
            throw HyopsException.From(DiagnosticCatalog.EvidenceBundleInvalid, $"bundle '{bundleFile}' does not exist");
        }

        var temp = Directory.CreateTempSubdirectory("hyops-bundle-");
        try
        {
            Unpack(bundleFile, temp.FullName);
            var manifest = ReadManifest(temp.FullName, bundleFile);
            var findings = ImmutableArray.CreateBuilder<EvidenceFinding>();
            findings.AddRange(ManifestFindings(temp.FullName, manifest));

            var runs = (manifest["runs"] as JsonArray ?? []).Select(RunKey.FromJson).OfType<RunKey>().ToHashSet();
            var drills = (manifest["drills"] as JsonArray ?? [])
                .Where(d => d?["run_id"] is JsonValue && d["path"] is JsonValue)
                .ToDictionary(d => d!["run_id"]!.ToString(), d => Path.Combine(temp.FullName, d!["path"]!.ToString()), StringComparer.Ordinal);
            var head = manifest["index"]?["head_hash"] is JsonValue h ? h.ToString() : null;
            var chained = manifest["chained"]?.ToString() == "true";
            var report = EvidenceVerifier.Verify(temp.FullName, new EvidenceScope(runs, drills), requireChain: chained || requireChain, expectHead: chained ? head : null);
            if (chained && report.HeadHash != head)
            {
                findings.Add(new("index", "evidence index", EvidenceIndex.RelativeDir, "edited", $"the bundle's index ends at {report.HeadHash}, the manifest says {head}"));
            }

            findings.AddRange(report.Findings);
            return report with
            {
                Source = Path.GetFullPath(bundleFile),
                Findings = [.. findings.OrderBy(f => f.Failed ? 0 : 1).ThenBy(f => f.Path, StringComparer.Ordinal)],
            };
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    private static IEnumerable<EvidenceFinding> ManifestFindings(string dir, JsonObject manifest)
    {
        var listed = manifest["files"] as JsonObject ?? [];
        var present = DirectoryHashes.Of(dir, EvidenceBundle.ManifestFile);
        foreach (var (name, hash) in listed)
        {
            if (!present.TryGetValue(name, out var actual))
            {
                yield return new("bundle", name, name, "removed", "listed in the manifest, missing from the bundle");
            }
            else if (actual != hash?.ToString())
            {
                yield return new("bundle", name, name, "edited", "its SHA-256 differs from the manifest's");
            }
        }

        foreach (var name in present.Keys.Where(n => !listed.ContainsKey(n)))
        {
            yield return new("bundle", name, name, "unindexed", "in the bundle but not in its manifest");
        }
    }

    private static JsonObject ReadManifest(string dir, string bundleFile)
    {
        var path = Path.Combine(dir, EvidenceBundle.ManifestFile);
        try
        {
            if (File.Exists(path) && JsonNode.Parse(File.ReadAllText(path)) is JsonObject m && m["kind"]?.ToString() == EvidenceBundle.Kind)
            {
                return m;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // reported below
        }

        throw HyopsException.From(DiagnosticCatalog.EvidenceBundleInvalid, $"bundle '{bundleFile}' has no readable {EvidenceBundle.ManifestFile} of kind {EvidenceBundle.Kind}");
    }

    private static void Unpack(string bundleFile, string dir)
    {
        try
        {
            using var fs = File.OpenRead(bundleFile);
            using var gz = new GZipStream(fs, CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.EntryType is TarEntryType.Directory)
                {
                    continue;
                }

                var name = entry.Name.Replace('\\', '/');
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || name.StartsWith('/')
                    || name.Split('/').Any(p => p is ".." or "." or ""))
                {
                    throw HyopsException.From(DiagnosticCatalog.EvidenceBundleInvalid, $"bundle '{bundleFile}' holds an unsafe entry '{entry.Name}' ({entry.EntryType})");
                }

                var target = Path.Combine(dir, name);
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                entry.ExtractToFile(target, overwrite: false);
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
        {
            throw HyopsException.From(DiagnosticCatalog.EvidenceBundleInvalid, $"bundle '{bundleFile}' is not a readable .tar.gz: {ex.Message}");
        }
    }
}
