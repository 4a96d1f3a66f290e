using System.Text;
using System.Text.Json.Nodes;
using HybridOps.Core.State;

namespace HybridOps.Core.Evidence;

/// <summary>
/// The chain across runs: &lt;root&gt;/logs/index.jsonl, one hash-chained line per event in the line format of
/// run records (<see cref="ChainedLine"/>): `open` when a run record is created, `seal` with the record's
/// final head, line count and the hashes of its documents when its `result` is written, `drill` with the
/// hashes of a drill report's files, and `adopt` for records and reports that existed when the index was
/// first created (an old runtime root). Every append rewrites the file atomically (temp, fsync, rename)
/// under <see cref="IndexLock"/>, so a reader or a killed writer never leaves a torn line behind.
/// </summary>
public sealed class EvidenceIndex(string runtimeRoot, TimeProvider time, Func<string, string>? redact = null)
{
    public const string FileName = "index.jsonl";
    private static readonly object Gate = new();

    public string Root { get; } = Path.GetFullPath(runtimeRoot);

    public string FilePath => PathIn(Root);

    public static string PathIn(string root) => Path.Combine(root, "logs", FileName);

    public void Open(RunKey run) =>
        Append([("open", With(run.ToJson(), "dir", run.RelativeDir))], adoptExcept: run);

    public void Seal(RunKey run, long lines, string head, string dir)
    {
        var data = run.ToJson();
        data["lines"] = lines;
        data["head"] = head;
        data["files"] = FilesJson(DirectoryHashes.Of(dir, RunRecord.FileName));
        Append([("seal", data)], adoptExcept: run);
    }

    /// <summary>A drill report directory (report.json/md/html and the load's logs): its files' hashes.</summary>
    public void Drill(string blueprintId, string runId, string? blueprintRunId, string reportDir) =>
        Append([("drill", DrillData(blueprintId, runId, blueprintRunId, reportDir))], adoptExceptDrill: runId);

    /// <summary>Every line, parsed as far as it parses; an unparseable line yields an entry of type "?".</summary>
    public static List<IndexEntry> Read(string file) => File.Exists(file) ? ReadText(File.ReadAllText(file, Encoding.UTF8)) : [];

    public static List<IndexEntry> ReadText(string text)
    {
        var entries = new List<IndexEntry>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            entries.Add(Parse(line, entries.Count + 1));
        }

        return entries;
    }

    private JsonObject DrillData(string blueprintId, string runId, string? blueprintRunId, string reportDir)
    {
        var full = Path.GetFullPath(reportDir);
        var relative = Path.GetRelativePath(Root, full);
        return new JsonObject
        {
            ["blueprint_id"] = blueprintId,
            ["run_id"] = runId,
            ["blueprint_run_id"] = blueprintRunId,
            ["dir"] = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? full : relative.Replace(Path.DirectorySeparatorChar, '/'),
            ["files"] = FilesJson(DirectoryHashes.Of(full)),
        };
    }

    private void Append(IReadOnlyList<(string Type, JsonObject Data)> items, RunKey? adoptExcept = null, string? adoptExceptDrill = null)
    {
        lock (Gate)
        {
            using var held = IndexLock.Acquire(Root);
            var existing = File.Exists(FilePath) ? File.ReadAllText(FilePath, Encoding.UTF8) : null;
            IReadOnlyList<(string Type, JsonObject Data)> all = existing is null ? [.. Adoptions(adoptExcept, adoptExceptDrill), .. items] : items;
            var (seq, prev) = existing is null ? (0L, ChainedLine.Genesis) : Tail(existing);
            var text = new StringBuilder(existing ?? "");
            if (text.Length > 0 && text[^1] != '\n')
            {
                text.Append('\n');
            }

            foreach (var (type, data) in all)
            {
                var body = new JsonObject
                {
                    ["seq"] = ++seq,
                    ["at"] = time.GetUtcNow().ToString("O"),
                    ["type"] = type,
                    ["data"] = data,
                    ["prev"] = prev,
                }.ToJsonString(Json.Compact);
                (var line, prev) = ChainedLine.Seal(redact is null ? body : redact(body));
                text.Append(line);
            }

            // Lines are redacted one by one before they are hashed; the file as a whole is written as is.
            AtomicFile.WriteAllText(FilePath, text.ToString(), s => s);
        }
    }

    /// <summary>An old runtime root's records and drill reports, pinned as they are when the index is first created.</summary>
    private IEnumerable<(string Type, JsonObject Data)> Adoptions(RunKey? except, string? exceptDrill)
    {
        foreach (var (key, dir) in RunKey.OnDisk(Root))
        {
            var record = Path.Combine(dir, RunRecord.FileName);
            if (key == except || !File.Exists(record))
            {
                continue;
            }

            var verdict = RunRecordVerifier.Verify(record);
            var data = With(key.ToJson(), "dir", key.RelativeDir);
            data["subject"] = "run";
            data["lines"] = verdict.Lines;
            data["head"] = verdict.Head;
            data["intact"] = verdict.Intact;
            data["complete"] = verdict.Complete;
            data["reason"] = verdict.Reason;
            data["files"] = FilesJson(DirectoryHashes.Of(dir, RunRecord.FileName));
            yield return ("adopt", data);
        }

        foreach (var (blueprintId, runId, dir) in DrillDirs.OnDisk(Root))
        {
            if (runId == exceptDrill)
            {
                continue;
            }

            var data = DrillData(blueprintId, runId, DrillDirs.BlueprintRunId(dir), dir);
            data["subject"] = "drill";
            yield return ("adopt", data);
        }
    }

    private static (long Seq, string Prev) Tail(string existing)
    {
        var lines = existing.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            return (0, ChainedLine.Genesis);
        }

        // Chain after what the last line states; if the file was tampered with, verify says where.
        var last = Parse(lines[^1], lines.Length);
        return (Math.Max(last.Seq, lines.Length), last.Hash.Length == 64 ? last.Hash : ChainedLine.Hash(lines[^1]));
    }

    private static IndexEntry Parse(string line, int lineNo)
    {
        try
        {
            if (JsonNode.Parse(line) is JsonObject o)
            {
                return new IndexEntry(
                    o["seq"] is JsonValue s && s.TryGetValue<long>(out var seq) ? seq : lineNo,
                    o["type"]?.ToString() ?? "?",
                    o["at"]?.ToString() ?? "",
                    o["data"] as JsonObject ?? new JsonObject(),
                    o["hash"]?.ToString() ?? "");
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // reported as type "?" below
        }

        return new IndexEntry(lineNo, "?", "", new JsonObject(), "");
    }

    private static JsonObject FilesJson(SortedDictionary<string, string> files) =>
        new(files.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));

    private static JsonObject With(JsonObject o, string name, string value)
    {
        o[name] = value;
        return o;
    }
}
