using System.Net;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlFence;

/// <summary>
/// The fenced pg_hba: the previous `local` lines, replication between the cluster's own members
/// for the replication users the previous rules named, then reject for every other address.
/// </summary>
internal static class FenceRules
{
    public const string RejectV4 = "host all all 0.0.0.0/0 reject";
    public const string RejectV6 = "host all all ::/0 reject";

    public static List<string> Build(IReadOnlyList<string> previous, IEnumerable<string> memberHosts)
    {
        var parsed = previous.Select(HbaLine.Parse).OfType<HbaLine>().ToList();
        var locals = previous.Where(l => HbaLine.Parse(l) is { Type: "local" }).ToList();
        var replicationUsers = parsed.Where(p => p.Type.StartsWith("host", StringComparison.Ordinal) && p.Database == "replication" && p.Method != "reject")
            .Select(p => p.User).Distinct(StringComparer.Ordinal).ToList();
        var hosts = memberHosts.ToList();
        var sources = hosts.Select(h => Cidr.Host(h).ToString()).ToList();

        // On Linux a connection to another 127.x address leaves from 127.0.0.1 (the local route's
        // src), so loopback members replicate from there.
        if (hosts.Any(h => IPAddress.TryParse(h, out var ip) && IPAddress.IsLoopback(ip)))
        {
            sources.Add("127.0.0.1/32");
        }

        var lines = new List<string>(locals);
        foreach (var user in replicationUsers)
        {
            lines.AddRange(sources.Distinct(StringComparer.Ordinal).Select(s => $"host replication {user} {s} scram-sha-256"));
        }

        lines.Add(RejectV4);
        lines.Add(RejectV6);
        return lines;
    }

    /// <summary>True when the list is a fence this module wrote (it ends with the two rejects).</summary>
    public static bool IsFence(IReadOnlyList<string> lines) =>
        lines.Count >= 2 && lines[^2].Trim() == RejectV4 && lines[^1].Trim() == RejectV6;

    /// <summary>True when a member's loaded rules are the fence (same rules, ending in reject).</summary>
    public static bool Loaded(IReadOnlyList<HbaLine> rules, IReadOnlyList<string> fence)
    {
        var expected = fence.Select(HbaLine.Parse).OfType<HbaLine>().ToList();
        return rules.Count == expected.Count && rules.SequenceEqual(expected);
    }
}
