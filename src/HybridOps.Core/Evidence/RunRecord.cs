using System.Text;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;

namespace HybridOps.Core.Evidence;

/// <summary>
/// The evidence of one module or blueprint run: logs/&lt;kind&gt;/&lt;id&gt;/&lt;run_id&gt;/record.jsonl.
/// Append-only JSON lines, each carrying the hash of the previous one, so an edit or a removed line
/// shows (see <see cref="RunRecordVerifier"/>). Every line is redacted by value before it is hashed.
/// The record is also chained across runs: its creation is an `open` entry of the runtime root's
/// <see cref="EvidenceIndex"/>, and its `result` line seals it there (final head, line count, document
/// hashes), so a removed, replaced or edited run shows in `hyops evidence verify`.
/// </summary>
public sealed class RunRecord
{
    public const string FileName = "record.jsonl";
    private readonly Redactor redactor;
    private readonly TimeProvider time;
    private readonly object gate = new();
    private readonly EvidenceIndex index;
    private readonly RunKey key;
    private string previousHash = ChainedLine.Genesis;
    private long sequence;
    private bool sealedOnce;

    public RunRecord(string runtimeRoot, string kind, string id, string runId, Redactor redactor, TimeProvider time)
    {
        this.redactor = redactor;
        this.time = time;
        RunId = runId;
        Directory = Path.Combine(runtimeRoot, "logs", kind, id, runId);
        System.IO.Directory.CreateDirectory(Directory);
        key = new RunKey(kind, id, runId);
        index = new EvidenceIndex(runtimeRoot, time, redactor.Redact);
        Indexed(() => index.Open(key));
    }

    public string RunId { get; }

    public string Directory { get; }

    public string FilePath => Path.Combine(Directory, FileName);

    /// <summary>Why the evidence index could not be updated for this run, if it could not.</summary>
    public string? IndexError { get; private set; }

    public void Append(string type, JsonObject data)
    {
        lock (gate)
        {
            var body = new JsonObject
            {
                ["seq"] = ++sequence,
                ["at"] = time.GetUtcNow().ToString("O"),
                ["type"] = type,
                ["data"] = data,
                ["prev"] = previousHash,
            };
            var (line, hash) = ChainedLine.Seal(redactor.Redact(body.ToJsonString(Json.Compact)));
            using (var fs = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read))
            {
                fs.Write(Encoding.UTF8.GetBytes(line));
                fs.Flush(flushToDisk: true);
            }

            previousHash = hash;
            if (type == "result")
            {
                SealInIndex();
            }
        }
    }

    public void Check(string name, bool passed, JsonObject observed, string? diagnosticCode = null) =>
        Append("check", new JsonObject { ["name"] = name, ["passed"] = passed, ["observed"] = observed, ["code"] = diagnosticCode });

    public void Action(string name, IEnumerable<string> argv, int exitCode, TimeSpan duration, JsonObject? detail = null) =>
        Append("action", new JsonObject
        {
            ["name"] = name,
            ["argv"] = new JsonArray(argv.Select(a => (JsonNode?)a).ToArray()),
            ["rc"] = exitCode,
            ["duration_ms"] = Math.Round(duration.TotalMilliseconds, 1),
            ["detail"] = detail,
        });

    public void Guard(string name, bool confirmed, JsonObject detail) =>
        Append("guard", new JsonObject { ["name"] = name, ["confirmed"] = confirmed, ["detail"] = detail });

    public void Note(string message) => Append("note", new JsonObject { ["message"] = message });

    /// <summary>A readable copy of a document next to the chained record (inputs, outputs, summary).</summary>
    public void WriteDocument(string fileName, JsonNode document)
    {
        AtomicFile.WriteAllText(Path.Combine(Directory, fileName), document.ToJsonString(Json.Options), redactor.Redact);
        lock (gate)
        {
            if (sealedOnce)
            {
                SealInIndex(); // a document after the result: seal again, the verifier reads the last seal
            }
        }
    }

    private void SealInIndex()
    {
        sealedOnce = true;
        Indexed(() => index.Seal(key, sequence, previousHash, Directory));
    }

    /// <summary>
    /// The index is evidence about the run, not the run: a failure to write it (lock budget, disk) is kept in
    /// <see cref="IndexError"/> and shows as an unindexed or unsealed run in `hyops evidence verify`; it never fails a failover.
    /// </summary>
    private void Indexed(Action write)
    {
        try
        {
            write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or HyopsException)
        {
            IndexError = $"evidence index not updated: {ex.Message}";
        }
    }
}
