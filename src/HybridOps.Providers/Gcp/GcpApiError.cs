using System.Net;
using System.Text.Json.Nodes;

namespace HybridOps.Providers.Gcp;

/// <summary>
/// The google.rpc error body every Google REST API returns: {"error": {"code", "message", "status",
/// "errors": [{"reason", ...}]}}. Parsed once; callers branch on HTTP status and <see cref="Status"/>, never on text.
/// </summary>
public sealed record GcpApiError(HttpStatusCode HttpStatus, string Status, string Reason, string Message)
{
    public static GcpApiError Parse(HttpStatusCode http, string body)
    {
        JsonNode? error = null;
        try
        {
            error = JsonNode.Parse(body)?["error"];
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON (a proxy's HTML page): keep the HTTP status and a short excerpt.
        }

        var reason = error?["errors"] is JsonArray { Count: > 0 } list ? list[0]?["reason"]?.GetValue<string>() : null;
        return new GcpApiError(http,
            error?["status"]?.GetValue<string>() ?? http.ToString(),
            reason ?? "",
            error?["message"]?.GetValue<string>() ?? Excerpt(body));
    }

    /// <summary>`403 PERMISSION_DENIED (forbidden): message` — the API's own words, never a token or key.</summary>
    public override string ToString() =>
        $"{(int)HttpStatus} {Status}{(Reason.Length > 0 ? $" ({Reason})" : "")}: {Message}";

    private static string Excerpt(string body) => body.Length <= 200 ? body.Trim() : body[..200].Trim() + "...";
}
