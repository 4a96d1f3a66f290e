using System.Text.Json.Nodes;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrSource;

/// <summary>
/// What logical replication of one database will and will not carry: tables without a primary key
/// or replica identity (their UPDATE/DELETE cannot be replicated), large objects, unlogged tables
/// and sequences (not replicated), and DDL (never replicated). Read-only.
/// </summary>
internal static class LogicalPreflight
{
    private const string UserRelations = """
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\_toast%' and n.nspname not like 'pg\_temp%'
        """;

    public static async Task<JsonObject> RunAsync(PgEndpoint endpoint, CancellationToken cancellationToken)
    {
        await using var db = await PgSession.OpenAsync(endpoint, cancellationToken);
        var noKey = await Names(db, $"""
            select n.nspname || '.' || c.relname {UserRelations}
              and c.relkind in ('r', 'p') and c.relpersistence = 'p'
              and (c.relreplident = 'n' or (c.relreplident = 'd' and not exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary)))
            order by 1
            """, cancellationToken);
        var unlogged = await Names(db, $"select n.nspname || '.' || c.relname {UserRelations} and c.relkind in ('r', 'p') and c.relpersistence = 'u' order by 1", cancellationToken);
        var sequences = await Names(db, $"select n.nspname || '.' || c.relname {UserRelations} and c.relkind = 'S' order by 1", cancellationToken);
        var largeObjects = await db.ScalarAsync<long>("select count(*) from pg_largeobject_metadata", cancellationToken);
        var (tables, bytes) = (await db.QueryAsync($"select count(*), coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint {UserRelations} and c.relkind in ('r', 'p')",
            r => (r.GetInt64(0), r.GetInt64(1)), cancellationToken))[0];

        var warnings = new List<string>();
        if (noKey.Count > 0)
        {
            warnings.Add($"{noKey.Count} table(s) have no primary key or replica identity: UPDATE/DELETE on them cannot be replicated ({string.Join(", ", noKey)})");
        }

        if (largeObjects > 0)
        {
            warnings.Add($"{largeObjects} large object(s) are not replicated by logical replication");
        }

        if (unlogged.Count > 0)
        {
            warnings.Add($"unlogged table(s) are not replicated: {string.Join(", ", unlogged)}");
        }

        if (sequences.Count > 0)
        {
            warnings.Add($"sequence values are not replicated and must be synchronized at cutover: {string.Join(", ", sequences)}");
        }

        warnings.Add("DDL is not replicated: schema changes made after the initial copy must be applied to the target too");
        return new JsonObject
        {
            ["tables"] = tables,
            ["total_bytes"] = bytes,
            ["tables_without_pk"] = noKey.ToJsonArray(),
            ["large_objects"] = largeObjects,
            ["unlogged_tables"] = unlogged.ToJsonArray(),
            ["sequences"] = sequences.ToJsonArray(),
            ["warnings"] = warnings.ToJsonArray(),
            ["clean"] = noKey.Count == 0 && largeObjects == 0 && unlogged.Count == 0,
        };
    }

    private static Task<List<string>> Names(PgSession db, string sql, CancellationToken cancellationToken) =>
        db.QueryAsync(sql, r => r.GetString(0), cancellationToken);
}
