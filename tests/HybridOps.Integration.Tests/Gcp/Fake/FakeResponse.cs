using System.Text.Json.Nodes;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>An answer of the fake: HTTP status and JSON body.</summary>
public sealed record FakeResponse(int Status, JsonNode Body)
{
    public static FakeResponse Ok(JsonNode body) => new(200, body);

    /// <summary>The google.rpc error shape of every Google REST API.</summary>
    public static FakeResponse Error(int http, string status, string message, string reason = "") => new(http, new JsonObject
    {
        ["error"] = new JsonObject
        {
            ["code"] = http,
            ["message"] = message,
            ["status"] = status,
            ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["domain"] = "global", ["reason"] = reason.Length > 0 ? reason : status.ToLowerInvariant() }),
        },
    });
}
