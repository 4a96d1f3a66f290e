using System.Text;
using System.Text.Json.Nodes;
using HybridOps.Core.State;

namespace HybridOps.Core.Evidence;

/// <summary>
/// The chain across runs: &lt;root&gt;/logs/index/NNNNNN.jsonl, one hash-chained line per event in the line
/// format of run records (<see cref="ChainedLine"/>), the segments read in name order as one chain: `open`
/// when a run record is created, `seal` with the record's final head, line count and the hashes of its
/// documents when its `result` is written, `drill` with the hashes of a drill report's files, and `adopt`
/// for records and reports that existed when the index was first created (an old runtime root). Every
/// append rewrites the last segment atomically (temp, fsync, rename) under <see cref="IndexLock"/>, so a
/// reader or a killed writer never leaves a torn line behind; a full segment is never rewritten again, the
/// next line starts a new one, so an append costs at most one segment, however long the history.
/// </summary>
public sealed class EvidenceIndex(string runtimeRoot, TimeProvider time, Func<string, string>? redact = null, int segmentLines = EvidenceIndex.DefaultSegmentLines)
{
    /// <summary>About 0.5 MB of lines: the most one append rewrites.</summary>
    public const int DefaultSegmentLines = 1000;

    /// <summary>The index directory relative to a runtime root (or a bundle).</summary>
    public const string RelativeDir = "logs/index";
    private static readonly object Gate = new();

    public string Root { get; } = Path.GetFullPath(runtimeRoot);

    public static string DirIn(string root) => Path.Combine(root, "logs", "index");

    /// <summary>The segment files in chain order (000001.jsonl, 000002.jsonl, ...); empty for a root without an index.</summary>
    public static IReadOnlyList<string> Segments(string root) =>
        Directory.Exists(DirIn(root))
            ? [.. Directory.EnumerateFiles(DirIn(root), "*.jsonl").Where(f => IsSegmentName(Path.GetFileName(f))).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>Every line of every segment, in chain order, with the segment and line each came from.</summary>
    public static IEnumerable<(string Line, string Segment, int LineInSegment)> Lines(string root)
    {
        foreach (var segment in Segments(root))
        {
            var n = 0;
            foreach (var line in File.ReadLines(segment))
            {
                yield return (line, Path.GetFileName(segment), ++n);
            }
        }
    }

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
    public static List<IndexEntry> Read(string root) => [.. Lines(root).Select((l, i) => Parse(l.Line, i + 1))];

    /// <summary>Segment file name -> bytes, all read under the index lock: one consistent snapshot (for a bundle).</summary>
    public static SortedDictionary<string, byte[]> Snapshot(string root)
    {
        lock (Gate)
        {
            using var held = IndexLock.Acquire(root);
            var snapshot = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var segment in Segments(root))
            {
                snapshot[Path.GetFileName(segment)] = File.ReadAllBytes(segment);
            }

            return snapshot;
        }
    }

    private static bool IsSegmentName(string name) => name.Length == 12 && name.EndsWith(".jsonl", StringComparison.Ordinal) && name[..6].All(char.IsAsciiDigit);

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
            var segments = Segments(Root);
            IReadOnlyList<(string Type, JsonObject Data)> all = segments.Count == 0 ? [.. Adoptions(adoptExcept, adoptExceptDrill), .. items] : items;
            var last = segments.Count == 0 ? null : segments[^1];
            var existing = last is null ? "" : File.ReadAllText(last, Encoding.UTF8);
            var lines = existing.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var (seq, prev) = lines.Length == 0 ? (0L, ChainedLine.Genesis) : Tail(lines);
            var full = last is null || lines.Length >= segmentLines;
            var target = full ? Path.Combine(DirIn(Root), $"{segments.Count + 1:D6}.jsonl") : last!;
            var text = new StringBuilder(full ? "" : existing);
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
            AtomicFile.WriteAllText(target, text.ToString(), s => s);
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

    /// <summary>Chain after what the last line states; if the index was tampered with, verify says where.</summary>
    private static (long Seq, string Prev) Tail(string[] lines)
    {
        var last = Parse(lines[^1], lines.Length);
        return (last.Seq, last.Hash.Length == 64 ? last.Hash : ChainedLine.Hash(lines[^1]));
    }

    /// <summary>A line as far as it parses; one that does not yields an entry of type "?" (verify names it).</summary>
    public static IndexEntry Parse(string line, int lineNo)
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
