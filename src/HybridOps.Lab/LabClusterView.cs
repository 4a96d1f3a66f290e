using System.Text.Json.Nodes;

namespace HybridOps.Lab;

/// <summary>
/// Patroni's view of the cluster (GET /cluster), enriched with the leader's replication list
/// (GET /patroni on the leader → pg_stat_replication) so "streaming" is a fact, not a guess.
/// </summary>
public sealed record LabClusterView(IReadOnlyList<LabClusterMember> Members, string? SourceApi)
{
    public IReadOnlyList<LabClusterMember> Leaders => [.. Members.Where(m => m.IsLeader)];

    public LabClusterMember? Leader => Leaders.Count == 1 ? Leaders[0] : null;

    public IReadOnlyList<LabClusterMember> Replicas => [.. Members.Where(m => !m.IsLeader)];

    /// <summary>
    /// The lab's definition of healthy: exactly one running leader, every expected member present,
    /// every replica running, streaming from the leader with a known lag, all on the leader's timeline.
    /// </summary>
    public bool IsHealthy(int expectedMembers) =>
        Members.Count == expectedMembers
        && Leader is { IsRunning: true, Timeline: not null } leader
        && Replicas.All(r => r.IsRunning && r.Streaming && r.LagBytes is not null && r.Timeline == leader.Timeline);

    /// <summary>Parses /cluster; <paramref name="streamingNames"/> are application_names streaming from the leader.</summary>
    internal static LabClusterView Parse(JsonNode cluster, IReadOnlySet<string> streamingNames, string sourceApi)
    {
        var members = new List<LabClusterMember>();
        foreach (var node in cluster["members"]?.AsArray() ?? [])
        {
            if (node is null)
            {
                continue;
            }

            var name = (string?)node["name"] ?? "?";
            var lag = node["lag"] is JsonValue v && v.TryGetValue<long>(out var bytes) ? bytes : (long?)null;
            members.Add(new LabClusterMember(
                name,
                (string?)node["host"],
                (int?)node["port"],
                (string?)node["role"] ?? "unknown",
                (string?)node["state"] ?? "unknown",
                (int?)node["timeline"],
                lag,
                streamingNames.Contains(name)));
        }

        return new LabClusterView(members, sourceApi);
    }
}
