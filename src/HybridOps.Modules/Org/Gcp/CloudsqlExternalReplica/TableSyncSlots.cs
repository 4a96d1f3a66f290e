using System.Text.Json.Nodes;

namespace HybridOps.Modules.Org.Gcp.CloudsqlExternalReplica;

/// <summary>
/// Patroni's <c>ignore_slots</c> matchers that keep the subscription's table-sync slots alive.
/// PostgreSQL 15 copies each table through a permanent slot of its own (pg_&lt;subid&gt;_sync_&lt;relid&gt;_&lt;sysid&gt;),
/// inactive between the copy and the catch-up. Patroni drops every inactive slot it does not know when it
/// reloads its slot list, which it does right after creating the link's permanent slot: a table whose
/// slot it dropped in that window never leaves the catch-up state. A name matcher cannot name slots whose
/// names are not known yet, so the matcher is one pgoutput logical slot type per linked database.
/// </summary>
internal static class TableSyncSlots
{
    public static JsonObject Matcher(string database) => new() { ["type"] = "logical", ["database"] = database, ["plugin"] = "pgoutput" };

    /// <summary>The current matchers plus one per database (kept once; the operator's own stay as they are).</summary>
    public static JsonArray WithMatchers(JsonArray? current, IEnumerable<string> databases)
    {
        var result = new JsonArray((current ?? []).Select(m => m?.DeepClone()).ToArray());
        foreach (var db in databases)
        {
            var matcher = Matcher(db);
            if (!result.Any(m => JsonNode.DeepEquals(m, matcher)))
            {
                result.Add((JsonNode)matcher);
            }
        }

        return result;
    }

    /// <summary>The current matchers without the ones <see cref="WithMatchers"/> adds for these databases.</summary>
    public static JsonArray WithoutMatchers(JsonArray? current, IEnumerable<string> databases)
    {
        var ours = databases.Select(Matcher).ToList();
        return new JsonArray((current ?? []).Where(m => !ours.Any(o => JsonNode.DeepEquals(m, o))).Select(m => m?.DeepClone()).ToArray());
    }
}
