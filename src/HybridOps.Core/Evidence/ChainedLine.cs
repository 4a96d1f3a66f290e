using System.Security.Cryptography;
using System.Text;

namespace HybridOps.Core.Evidence;

/// <summary>
/// The line format shared by run records and the evidence index: a compact JSON object whose last
/// member is <c>"hash"</c>, the SHA-256 of the line without that member (the body), so each line
/// proves its own content and, through its <c>prev</c> member, the line before it.
/// </summary>
public static class ChainedLine
{
    public static readonly string Genesis = new('0', 64);

    public static string Hash(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    /// <summary>The line (with its newline) for a compact JSON object body, and the body's hash.</summary>
    public static (string Line, string Hash) Seal(string body)
    {
        var hash = Hash(body);
        return (body[..^1] + $",\"hash\":\"{hash}\"}}\n", hash);
    }

    /// <summary>Splits a line into its body and stated hash; false when the line has no well-formed hash member.</summary>
    public static bool TrySplit(string line, out string body, out string stated)
    {
        body = "";
        stated = "";
        var marker = line.LastIndexOf(",\"hash\":\"", StringComparison.Ordinal);
        if (marker < 0 || !line.EndsWith("\"}", StringComparison.Ordinal) || line.Length < marker + 11)
        {
            return false;
        }

        body = line[..marker] + "}";
        stated = line[(marker + 9)..^2];
        return true;
    }
}
