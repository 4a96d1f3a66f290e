using System.Text.Json;
using System.Text.Json.Serialization;

namespace HybridOps.Postgres.Patroni;

/// <summary>One member as Patroni's GET /cluster reports it.</summary>
public sealed record PatroniMember
{
    [JsonPropertyName("name")] public string Name { get; init; } = "";
    [JsonPropertyName("role")] public string Role { get; init; } = "";
    [JsonPropertyName("state")] public string State { get; init; } = "";
    [JsonPropertyName("api_url")] public string? ApiUrl { get; init; }
    [JsonPropertyName("host")] public string Host { get; init; } = "";
    [JsonPropertyName("port")] public int Port { get; init; }
    [JsonPropertyName("timeline")] public long? Timeline { get; init; }

    /// <summary>Bytes behind the leader; Patroni reports "unknown" as a string when it cannot tell.</summary>
    [JsonPropertyName("lag")] public JsonElement? Lag { get; init; }

    public bool IsLeader => Role is "leader" or "standby_leader" or "master";

    public long? LagBytes => Lag is { ValueKind: JsonValueKind.Number } l ? l.GetInt64() : null;
}

/// <summary>GET /cluster: the DCS view of the cluster.</summary>
public sealed record PatroniCluster
{
    [JsonPropertyName("members")] public IReadOnlyList<PatroniMember> Members { get; init; } = [];
    [JsonPropertyName("scope")] public string? Scope { get; init; }
    [JsonPropertyName("pause")] public bool? Pause { get; init; }

    public IEnumerable<PatroniMember> Leaders => Members.Where(m => m.IsLeader);
}
