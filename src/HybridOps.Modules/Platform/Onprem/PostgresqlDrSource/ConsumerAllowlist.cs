using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrSource;

/// <summary>
/// allowed_consumer_cidrs in pg_hba, through Patroni: one `host DB USER CIDR scram-sha-256` line per
/// source database and CIDR plus `host replication USER CIDR scram-sha-256` per CIDR, then `reject`
/// for USER from every other address (IPv4 and IPv6, databases and replication; none without CIDRs, e.g. export mode), so the role is
/// confined to the allowlist even where the cluster's own rules admit a wider network. The lines go,
/// in this order, right after the leading `local` lines so broader rules cannot shadow them.
/// </summary>
internal sealed class ConsumerAllowlist(DrSourceInputs inputs, PatroniHba hba, ModuleContext context)
{
    public IReadOnlyList<HbaLine> Desired =>
    [
        .. inputs.ConsumerCidrs.SelectMany(c => inputs.Databases.Select(d => new HbaLine("host", d, inputs.ReplicationUser, c.ToString(), "scram-sha-256"))),
        .. inputs.ConsumerCidrs.Select(c => new HbaLine("host", "replication", inputs.ReplicationUser, c.ToString(), "scram-sha-256")),
        .. (inputs.ConsumerCidrs.IsDefaultOrEmpty ? [] : new[] { "all", "replication" }.SelectMany(d => new[] { "0.0.0.0/0", "::/0" }.Select(c => new HbaLine("host", d, inputs.ReplicationUser, c, "reject")))),
    ];

    /// <summary>Applies the desired lines (and drops ones this module added earlier that are no longer wanted); returns what this module owns now.</summary>
    public async Task<JsonArray> ApplyAsync(HaClusterState cluster, Func<HaMember, PgEndpoint> endpoint, JsonArray? previouslyAdded, CancellationToken cancellationToken)
    {
        var desired = Desired;
        var (current, apiUrl) = await hba.ReadAsync(cluster.ApiUrls, cancellationToken);
        var parsed = current.Select(l => (Line: l, Rule: HbaLine.Parse(l))).ToList();
        var before = Lines(previouslyAdded);
        var stale = before.Where(b => !desired.Contains(b)).ToList();
        var missing = desired.Where(d => !parsed.Any(p => p.Rule == d)).ToList();
        var owned = desired.Where(d => missing.Contains(d) || before.Contains(d)).ToList();
        context.Evidence.Check("pg_hba_before", true, new JsonObject
        {
            ["api_url"] = apiUrl, ["lines"] = current.ToJsonArray(), ["to_add"] = missing.Select(m => m.ToConfLine()).ToJsonArray(), ["to_remove"] = stale.Select(s => s.ToConfLine()).ToJsonArray(),
        });
        if (missing.Count > 0 || stale.Count > 0)
        {
            // Every desired line is (re)placed as one block, in order: the allow lines before the role's rejects.
            var kept = parsed.Where(p => p.Rule is null || !stale.Contains(p.Rule) && !desired.Contains(p.Rule)).Select(p => p.Line).ToList();
            var insertAt = kept.TakeWhile(l => l.TrimStart().StartsWith("local", StringComparison.Ordinal)).Count();
            kept.InsertRange(insertAt, desired.Select(m => m.ToConfLine()));
            await hba.ReplaceAsync(apiUrl, kept, cancellationToken);
            context.Evidence.Action("patroni_patch_pg_hba", ["PATCH", $"{apiUrl}/config", "postgresql.pg_hba"], 0, TimeSpan.Zero, new JsonObject { ["lines"] = kept.ToJsonArray() });
            current = kept;
        }

        await WaitAsync(cluster, endpoint, rules => desired.All(rules.Contains) && !stale.Any(rules.Contains), "pg_hba_applied", (attempt, ct) => hba.RewriteAsync(apiUrl, current, attempt, context, ct), cancellationToken);
        return owned.Select(o => o.ToConfLine()).ToJsonArray();
    }

    /// <summary>True when every member's loaded pg_hba holds every desired line (status: read-only).</summary>
    public async Task<bool> PresentAsync(HaClusterState cluster, Func<HaMember, PgEndpoint> endpoint, CancellationToken cancellationToken)
    {
        var desired = Desired;
        var results = await Task.WhenAll(cluster.Members.Select(async m =>
        {
            try
            {
                var rules = await HbaRules.ReadAsync(endpoint(m), cancellationToken);
                return desired.All(rules.Contains);
            }
            catch (HyopsException)
            {
                return false;
            }
        }));
        context.Evidence.Check("pg_hba_allowlist_present", results.All(r => r), new JsonObject { ["members"] = results.Length, ["lines"] = desired.Select(d => d.ToConfLine()).ToJsonArray() });
        return results.All(r => r);
    }

    /// <summary>Removes exactly the recorded lines through Patroni and waits until no member shows them.</summary>
    public async Task RemoveAsync(HaClusterState cluster, Func<HaMember, PgEndpoint> endpoint, JsonArray? added, CancellationToken cancellationToken)
    {
        var remove = Lines(added);
        if (remove.Count == 0)
        {
            return;
        }

        var (current, apiUrl) = await hba.ReadAsync(cluster.ApiUrls, cancellationToken);
        var kept = current.Where(l => HbaLine.Parse(l) is not { } r || !remove.Contains(r)).ToList();
        if (kept.Count != current.Count)
        {
            await hba.ReplaceAsync(apiUrl, kept, cancellationToken);
            context.Evidence.Action("patroni_patch_pg_hba", ["PATCH", $"{apiUrl}/config", "postgresql.pg_hba"], 0, TimeSpan.Zero, new JsonObject { ["lines"] = kept.ToJsonArray() });
        }

        await WaitAsync(cluster, endpoint, rules => !remove.Any(rules.Contains), "pg_hba_removed", (attempt, ct) => hba.RewriteAsync(apiUrl, kept, attempt, context, ct), cancellationToken);
    }

    private async Task WaitAsync(HaClusterState cluster, Func<HaMember, PgEndpoint> endpoint, Func<IReadOnlyList<HbaLine>, bool> done, string check,
        Func<int, CancellationToken, Task> rewrite, CancellationToken cancellationToken)
    {
        var members = cluster.Members.ToDictionary(m => m.Name, endpoint);
        var pending = await hba.WaitAsync(members, done, inputs.HbaApplyTimeout, cancellationToken, rewrite);
        var observed = new JsonObject();
        foreach (var m in cluster.Members)
        {
            observed[m.Name] = pending.TryGetValue(m.Name, out var why) ? why : "applied";
        }

        context.Evidence.Check(check, pending.Count == 0, observed, pending.Count == 0 ? null : DiagnosticCatalog.PgHbaNotApplied.Code);
        if (pending.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.PgHbaNotApplied,
                $"after {inputs.HbaApplyTimeout.TotalSeconds:0}s: {string.Join("; ", pending.Select(p => $"{p.Key}: {p.Value}"))}");
        }
    }

    private static List<HbaLine> Lines(JsonArray? lines) =>
        (lines ?? []).Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? HbaLine.Parse(s) : null).OfType<HbaLine>().ToList();
}
