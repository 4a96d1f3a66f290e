using System.Text.Json.Nodes;
using HybridOps.Modules.Common;
using Npgsql;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>
/// Compares the source and standby schemas of one replicated database (read-only on both ends):
/// tables missing on either side, source tables without a primary key or replica identity, tables
/// whose columns differ (name and type, in order), and sequences missing on either side. hyops' own
/// target-only schema (the write guard) and objects that belong to an extension are not compared.
/// </summary>
internal static class SchemaDrift
{
    // Extension members (e.g. pglogical's own tables on a source prepared for DMS) are the extension's, not replicated user data.
    private const string UserSchemas = $"n.nspname not in ('pg_catalog', 'information_schema', '{StandbyWriteGuard.Schema}') and n.nspname not like 'pg\\_%'"
        + " and not exists (select 1 from pg_depend e where e.classid = 'pg_class'::regclass and e.objid = c.oid and e.deptype = 'e')";

    public static async Task<JsonObject> CompareAsync(DrLink link, string db, CancellationToken ct)
    {
        Dictionary<string, string> sourceTables, targetTables;
        HashSet<string> sourceSeqs, targetSeqs;
        List<string> withoutPk;
        await using (var source = await Sql.OpenAsync(link.SourceAdmin(db), ct))
        {
            sourceTables = await TablesAsync(source, ct);
            sourceSeqs = await SequencesAsync(source, ct);
            withoutPk = [.. (await Sql.RowsAsync(source, $"""
                select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                where c.relkind in ('r', 'p') and {UserSchemas}
                  and (c.relreplident = 'n' or (c.relreplident = 'd' and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary)))
                order by 1
                """, ct)).Select(r => (string)r[0]!)];
        }

        await using (var target = await Sql.OpenAsync(link.TargetAdmin(db), ct))
        {
            targetTables = await TablesAsync(target, ct);
            targetSeqs = await SequencesAsync(target, ct);
        }

        var missingOnTarget = sourceTables.Keys.Except(targetTables.Keys).Order(StringComparer.Ordinal).ToList();
        var missingOnSource = targetTables.Keys.Except(sourceTables.Keys).Order(StringComparer.Ordinal).ToList();
        var columns = sourceTables.Where(t => targetTables.TryGetValue(t.Key, out var cols) && cols != t.Value).Select(t => t.Key).Order(StringComparer.Ordinal).ToList();
        var seqMissingOnTarget = sourceSeqs.Except(targetSeqs).Order(StringComparer.Ordinal).ToList();
        var seqMissingOnSource = targetSeqs.Except(sourceSeqs).Order(StringComparer.Ordinal).ToList();
        var drift = missingOnTarget.Count + missingOnSource.Count + withoutPk.Count + columns.Count + seqMissingOnTarget.Count + seqMissingOnSource.Count > 0;
        return new JsonObject
        {
            ["database"] = db,
            ["drift"] = drift,
            ["tables_missing_on_target"] = missingOnTarget.ToJsonArray(),
            ["tables_missing_on_source"] = missingOnSource.ToJsonArray(),
            ["tables_without_primary_key"] = withoutPk.ToJsonArray(),
            ["tables_with_different_columns"] = columns.ToJsonArray(),
            ["sequences_missing_on_target"] = seqMissingOnTarget.ToJsonArray(),
            ["sequences_missing_on_source"] = seqMissingOnSource.ToJsonArray(),
        };
    }

    /// <summary>Every name a drift report lists, for a one-line message.</summary>
    public static IEnumerable<string> Names(JsonObject report) =>
        report.Where(p => p.Value is JsonArray).SelectMany(p => p.Value!.AsArray().Select(n => $"{n!.GetValue<string>()} ({p.Key.Replace('_', ' ')})"));

    private static async Task<Dictionary<string, string>> TablesAsync(NpgsqlConnection conn, CancellationToken ct) =>
        (await Sql.RowsAsync(conn, $"""
            select format('%I.%I', n.nspname, c.relname),
                   coalesce(string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' order by a.attnum), '')
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            where c.relkind in ('r', 'p') and {UserSchemas}
            group by 1
            """, ct)).ToDictionary(r => (string)r[0]!, r => (string)r[1]!, StringComparer.Ordinal);

    private static async Task<HashSet<string>> SequencesAsync(NpgsqlConnection conn, CancellationToken ct) =>
        [.. (await Sql.RowsAsync(conn, $"""
            select format('%I.%I', n.nspname, c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind = 'S' and {UserSchemas}
            """, ct)).Select(r => (string)r[0]!)];
}
