using System.Text.Json.Nodes;

namespace HybridOps.Providers.Gcp;

/// <summary>One API call as the run record shows it: no header, no body, no token.</summary>
public sealed record GcpCallRecord(string Api, string Method, string Path, int Status, int Attempts, TimeSpan Duration, string? Error)
{
    public JsonObject ToJson() => new()
    {
        ["api"] = Api,
        ["method"] = Method,
        ["path"] = Path,
        ["status"] = Status,
        ["attempts"] = Attempts,
        ["duration_ms"] = (long)Duration.TotalMilliseconds,
        ["error"] = Error,
    };
}
