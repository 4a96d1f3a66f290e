using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace HybridOps.Core.Evidence;

/// <summary>Re-computes the hash chain of a run record; returns the first broken line, if any.</summary>
public static class RunRecordVerifier
{
    /// <summary>Complete is true when the chain ends with the run's `result` entry (a truncated record is not complete).</summary>
    public sealed record Result(bool Intact, int Lines, int? FirstBrokenLine, string Reason, bool Complete = false);

    public static Result Verify(string recordFile)
    {
        var previous = new string('0', 64);
        var lineNo = 0;
        string? lastType = null;
        foreach (var line in File.ReadLines(recordFile))
        {
            lineNo++;
            var marker = line.LastIndexOf(",\"hash\":\"", StringComparison.Ordinal);
            if (marker < 0)
            {
                return new Result(false, lineNo, lineNo, "line has no hash");
            }

            var body = line[..marker] + "}";
            if (!line.EndsWith("\"}", StringComparison.Ordinal) || line.Length < marker + 11)
            {
                return new Result(false, lineNo, lineNo, "line is malformed");
            }

            var stated = line[(marker + 9)..^2];
            var actual = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
            if (actual != stated)
            {
                return new Result(false, lineNo, lineNo, "content does not match its hash");
            }

            JsonNode? parsed;
            try
            {
                parsed = JsonNode.Parse(body);
            }
            catch (System.Text.Json.JsonException)
            {
                return new Result(false, lineNo, lineNo, "line is not JSON");
            }

            if (parsed?["prev"]?.GetValue<string>() != previous)
            {
                return new Result(false, lineNo, lineNo, "chain broken: prev does not match the preceding line");
            }

            if (parsed?["seq"]?.GetValue<long>() != lineNo)
            {
                return new Result(false, lineNo, lineNo, "sequence gap");
            }

            lastType = parsed?["type"]?.GetValue<string>();
            previous = stated;
        }

        return new Result(true, lineNo, null, "intact", lastType == "result");
    }
}
