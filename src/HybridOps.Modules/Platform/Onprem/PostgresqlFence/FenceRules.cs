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

    public static List<string> Build(IReadOnlyList<string> previous, IEnumerable<string> memberHosts, IReadOnlyList<string>? keep = null)
    {
        var parsed = previous.Select(HbaLine.Parse).OfType<HbaLine>().ToList();
        var locals = previous.Where(l => HbaLine.Parse(l) is { Type: "local" }).ToList();
        var replicationUsers = parsed.Where(p => p.Type.StartsWith("host", StringComparison.Ordinal) && p.Database == "replication" && p.Method != "reject")
            .Select(p => p.User).Distinct(StringComparer.Ordinal).ToList();
        var sources = memberHosts.Select(h => Cidr.Host(h).ToString()).ToList();

        var lines = new List<string>(locals);

        // Lines kept open on purpose (the DR consumer's logical replication, so the last WAL before the
        // fence still reaches the managed standby); Validate already proved they cannot open writes.
        lines.AddRange((keep ?? []).Where(k => !lines.Contains(k, StringComparer.Ordinal)));
        foreach (var user in replicationUsers)
        {
            lines.AddRange(sources.Distinct(StringComparer.Ordinal).Select(s => $"host replication {user} {s} scram-sha-256"));
        }

        lines.Add(RejectV4);
        lines.Add(RejectV6);
        return lines;
    }

    /// <summary>
    /// Why a line to keep could open writes (null when it is safe to keep): it must be a host line for one
    /// named role that is not the superuser or probe user, authenticated (never trust).
    /// </summary>
    public static string? Unsafe(string line, IEnumerable<string?> forbiddenUsers)
    {
        var rule = HbaLine.Parse(line);
        if (rule is null || !rule.Type.StartsWith("host", StringComparison.Ordinal))
        {
            return "not a single-role host line";
        }

        if (rule.User is "all" || rule.User.Contains(',', StringComparison.Ordinal) || rule.User.StartsWith('+') || rule.User.StartsWith('@'))
        {
            return $"user '{rule.User}' is not one named role";
        }

        if (forbiddenUsers.Any(u => string.Equals(u, rule.User, StringComparison.Ordinal)))
        {
            return $"user '{rule.User}' is the cluster superuser or the write-probe user";
        }

        return rule.Method is "trust" or "reject" ? $"method '{rule.Method}' is not an authenticated method" : null;
    }

    /// <summary>True when the list is a fence this module wrote (its last two rules, comments aside, are the two rejects).</summary>
    public static bool IsFence(IReadOnlyList<string> lines)
    {
        var rules = lines.Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        return rules.Count >= 2 && rules[^2] == RejectV4 && rules[^1] == RejectV6;
    }

    /// <summary>True when a member's loaded rules are the fence (same rules, ending in reject).</summary>
    public static bool Loaded(IReadOnlyList<HbaLine> rules, IReadOnlyList<string> fence)
    {
        var expected = fence.Select(HbaLine.Parse).OfType<HbaLine>().ToList();
        return rules.Count == expected.Count && rules.SequenceEqual(expected);
    }
}
