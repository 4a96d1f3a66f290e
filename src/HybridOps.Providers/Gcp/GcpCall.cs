using System.Collections.Immutable;
using System.Net;
using System.Text.Json.Nodes;

namespace HybridOps.Providers.Gcp;

/// <summary>How a call may be repeated (see <see cref="GcpPolicies"/>).</summary>
public enum GcpRetry
{
    /// <summary>"gcp-read" / "gcp-create": safe to repeat (GET, DELETE, a create with requestId or adopted on 409).</summary>
    Idempotent,
    /// <summary>"gcp-action": repeated only when the API says it did not process it.</summary>
    Action,
}

/// <summary>One REST call: method, path under the API's base URL, query, JSON body, and which error statuses the caller handles itself.</summary>
public sealed record GcpCall(HttpMethod Method, string Path, GcpRetry Retry = GcpRetry.Idempotent)
{
    public ImmutableArray<KeyValuePair<string, string>> Query { get; init; } = [];

    public JsonObject? Body { get; init; }

    /// <summary>Statuses returned to the caller instead of thrown (404 on a get, 409 on a create).</summary>
    public ImmutableArray<HttpStatusCode> Handled { get; init; } = [];

    public static GcpCall Get(string path) => new(HttpMethod.Get, path) { Handled = [HttpStatusCode.NotFound] };

    public string PathAndQuery => Query.IsDefaultOrEmpty
        ? Path
        : Path + "?" + string.Join('&', Query.Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value)));
}
