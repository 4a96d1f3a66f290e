using System.Text.Json.Nodes;
using HybridOps.Modules.Org.Gcp.Managed;
using Npgsql;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPromoteDrill;

/// <summary>Row counts of every user table of one database, read in one REPEATABLE READ snapshot (read-only).</summary>
internal static class TableCounts
{
    public static async Task<SortedDictionary<string, long>> ReadAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var tables = await Sql.RowsAsync(conn, $"""
            select format('%I.%I', n.nspname, c.relname)
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'p') and not c.relispartition
              and n.nspname not in ('pg_catalog', 'information_schema', '{StandbyWriteGuard.Schema}') and n.nspname not like 'pg\_%'
            order by 1
            """, ct);
        foreach (var name in tables.Select(r => (string)r[0]!))
        {
            counts[name] = await Sql.ScalarAsync<long>(conn, $"select count(*) from {name}", ct);
        }

        await tx.RollbackAsync(ct);
        return counts;
    }

    /// <summary>
    /// Each table of the clone against the standby's counts just before and just after the copy: the
    /// copy is one moment in between, so its count lies between them (a table missing on either side is named).
    /// </summary>
    public static (JsonObject Tables, List<string> Outside) Compare(IReadOnlyDictionary<string, long> before, IReadOnlyDictionary<string, long> after, IReadOnlyDictionary<string, long> clone)
    {
        var tables = new JsonObject();
        var outside = new List<string>();
        foreach (var name in before.Keys.Union(after.Keys).Union(clone.Keys).Order(StringComparer.Ordinal))
        {
            long? b = before.TryGetValue(name, out var x) ? x : null, a = after.TryGetValue(name, out var y) ? y : null, c = clone.TryGetValue(name, out var z) ? z : null;
            var ok = b is { } lo && a is { } hi && c is { } n && n >= Math.Min(lo, hi) && n <= Math.Max(lo, hi);
            tables[name] = new JsonObject { ["standby_before"] = b, ["standby_after"] = a, ["clone"] = c, ["within"] = ok };
            if (!ok)
            {
                outside.Add($"{name} (clone {c?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"}, standby {b?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"}..{a?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "missing"})");
            }
        }

        return (tables, outside);
    }
}
