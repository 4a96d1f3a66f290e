using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>One request the fake received, as parsed (the bearer token is kept only to check it, never printed).</summary>
public sealed record FakeRequest(string Api, string Method, string Path, ImmutableDictionary<string, string> Query, JsonObject? Body, string? Bearer)
{
    public override string ToString() => $"{Method} {Api} {Path}{(Query.IsEmpty ? "" : "?" + string.Join('&', Query.Keys))}";
}
