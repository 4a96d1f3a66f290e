using System.Net;
using System.Text.Json.Nodes;

namespace HybridOps.Providers.Gcp;

/// <summary>A response the caller handles: a success body, or a handled error status with the API's error.</summary>
public sealed record GcpResponse(HttpStatusCode Status, JsonObject Body, GcpApiError? Error)
{
    public bool Succeeded => (int)Status is >= 200 and < 300;
}
