using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using System.Security.Cryptography;

namespace HybridOps.Core.Evidence;

/// <summary>
/// `hyops evidence export`: one .tar.gz of a run's evidence, laid out like a runtime root so the same
/// verifier checks it offline: logs/&lt;kind&gt;/&lt;id&gt;/&lt;run&gt;/ for the blueprint and module runs,
/// drills/&lt;blueprint id&gt;/&lt;run&gt;/ for drill reports, logs/index/ (the whole index: the seals that
/// pin these runs, chained to every run before them) and manifest.json (what is in the bundle, each file's
/// SHA-256 and the index head at export).
/// </summary>
public static class EvidenceBundle
{
    public const string Kind = "hyops-evidence-bundle/v1";
    public const string ManifestFile = "manifest.json";

    public sealed record Exported(string File, BundleSubject Subject, int Files, long HeadSeq, string? HeadHash);

    public static Exported Export(string root, string runId, string outFile, TimeProvider time)
    {
        var subject = BundleSubject.Find(root, runId);
        var files = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var entries = new List<IndexEntry>();
        foreach (var (segment, bytes) in EvidenceIndex.Snapshot(root)) // one snapshot: the head below is the head of these bytes
        {
            files[$"{EvidenceIndex.RelativeDir}/{segment}"] = bytes;
            entries.AddRange(Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => EvidenceIndex.Parse(line, entries.Count + 1)));
        }

        foreach (var run in subject.Runs)
        {
            AddTree(files, Path.Combine(root, run.RelativeDir), run.RelativeDir);
        }

        foreach (var (drillRun, (blueprintId, dir)) in subject.Drills)
        {
            AddTree(files, dir, $"drills/{blueprintId}/{drillRun}");
        }

        var manifest = new JsonObject
        {
            ["kind"] = Kind,
            ["run_id"] = runId,
            ["exported_at"] = time.GetUtcNow().ToString("O"),
            ["source_root"] = root,
            ["chained"] = entries.Count > 0,
            ["index"] = new JsonObject
            {
                ["path"] = EvidenceIndex.RelativeDir,
                ["entries"] = entries.Count,
                ["head_seq"] = entries.Count == 0 ? 0 : entries[^1].Seq,
                ["head_hash"] = entries.Count == 0 ? null : entries[^1].Hash,
            },
            ["runs"] = new JsonArray(subject.Runs.Select(r => (JsonNode?)new JsonObject
            {
                ["kind"] = r.Kind, ["id"] = r.Id, ["run_id"] = r.RunId, ["path"] = r.RelativeDir,
            }).ToArray()),
            ["drills"] = new JsonArray(subject.Drills.Select(d => (JsonNode?)new JsonObject
            {
                ["blueprint_id"] = d.Value.BlueprintId, ["run_id"] = d.Key, ["path"] = $"drills/{d.Value.BlueprintId}/{d.Key}",
            }).ToArray()),
            ["files"] = new JsonObject(files.Select(f => KeyValuePair.Create(f.Key, (JsonNode?)Convert.ToHexStringLower(SHA256.HashData(f.Value))))),
        };
        files[ManifestFile] = Encoding.UTF8.GetBytes(manifest.ToJsonString(Json.Options));
        Write(outFile, files, time);
        return new Exported(Path.GetFullPath(outFile), subject, files.Count, entries.Count == 0 ? 0 : entries[^1].Seq, entries.Count == 0 ? null : entries[^1].Hash);
    }

    private static void AddTree(SortedDictionary<string, byte[]> files, string dir, string prefix)
    {
        if (!Directory.Exists(dir))
        {
            return; // exported as missing: the bundle's verify reports the run as removed, like verify on the root
        }

        foreach (var name in DirectoryHashes.Of(dir).Keys)
        {
            files[$"{prefix}/{name}"] = File.ReadAllBytes(Path.Combine(dir, name));
        }
    }

    /// <summary>Temp file beside the target, fsync, rename: a reader never sees half a bundle.</summary>
    private static void Write(string outFile, SortedDictionary<string, byte[]> files, TimeProvider time)
    {
        var full = Path.GetFullPath(outFile);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                using (var gz = new GZipStream(fs, CompressionLevel.Optimal, leaveOpen: true))
                using (var tar = new TarWriter(gz, TarEntryFormat.Pax, leaveOpen: true))
                {
                    foreach (var (name, bytes) in files)
                    {
                        using var data = new MemoryStream(bytes, writable: false);
                        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name)
                        {
                            DataStream = data,
                            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead,
                            ModificationTime = time.GetUtcNow(),
                        });
                    }
                }

                fs.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
