using System.Text.Json.Nodes;

namespace HybridOps.Core.Evidence;

/// <summary>Re-computes the hash chain of a run record (or of the evidence index); returns the first broken line, if any.</summary>
public static class RunRecordVerifier
{
    /// <summary>
    /// Complete is true when the chain ends with the run's `result` entry (a truncated record is not complete).
    /// Head is the hash of the last line that verified (the genesis hash for an empty file).
    /// </summary>
    public sealed record Result(bool Intact, int Lines, int? FirstBrokenLine, string Reason, bool Complete = false, string? Head = null);

    public static Result Verify(string recordFile) => Verify(File.ReadLines(recordFile));

    /// <summary>The same checks over lines from anywhere (the evidence index's segments, read as one chain).</summary>
    public static Result Verify(IEnumerable<string> lines)
    {
        var previous = ChainedLine.Genesis;
        var lineNo = 0;
        string? lastType = null;
        foreach (var line in lines)
        {
            lineNo++;
            if (!line.Contains(",\"hash\":\"", StringComparison.Ordinal))
            {
                return new Result(false, lineNo, lineNo, "line has no hash", Head: previous);
            }

            if (!ChainedLine.TrySplit(line, out var body, out var stated))
            {
                return new Result(false, lineNo, lineNo, "line is malformed", Head: previous);
            }

            if (ChainedLine.Hash(body) != stated)
            {
                return new Result(false, lineNo, lineNo, "content does not match its hash", Head: previous);
            }

            JsonNode? parsed;
            try
            {
                parsed = JsonNode.Parse(body);
            }
            catch (System.Text.Json.JsonException)
            {
                return new Result(false, lineNo, lineNo, "line is not JSON", Head: previous);
            }

            if (Field(parsed, "prev") != previous)
            {
                return new Result(false, lineNo, lineNo, "chain broken: prev does not match the preceding line", Head: previous);
            }

            if (Field(parsed, "seq") != lineNo.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                return new Result(false, lineNo, lineNo, "sequence gap", Head: previous);
            }

            lastType = Field(parsed, "type");
            previous = stated;
        }

        return new Result(true, lineNo, null, "intact", lastType == "result", previous);
    }

    /// <summary>A scalar member as text (a hand-edited line may carry any JSON type; that must not throw).</summary>
    private static string? Field(JsonNode? line, string name) =>
        line is JsonObject o && o[name] is JsonValue v ? v.ToString() : null;
}
