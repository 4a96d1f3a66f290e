using System.Text.Json.Nodes;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Reseed;

/// <summary>
/// Row count and content checksum of every user table of a database: md5 over the sorted md5 of each
/// row's text form, in a session with fixed TimeZone/DateStyle/extra_float_digits so both servers
/// render values identically. Order-independent and collation-independent (COLLATE "C").
/// </summary>
internal static class TableChecksums
{
    public static async Task<SortedDictionary<string, (long Rows, string Checksum)>> ReadAsync(PgEndpoint endpoint, CancellationToken ct)
    {
        var result = new SortedDictionary<string, (long, string)>(StringComparer.Ordinal);
        await using var conn = await Sql.OpenAsync(endpoint, ct);
        await Sql.ExecAsync(conn, "set timezone = 'UTC'; set datestyle = 'ISO, MDY'; set extra_float_digits = 3; set intervalstyle = 'postgres'", ct);
        var tables = await Sql.RowsAsync(conn,
            "select quote_ident(n.nspname) || '.' || quote_ident(c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace " +
            "where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' and n.nspname not like 'pg_temp%' order by 1", ct);
        foreach (var row in tables)
        {
            var name = (string)row[0]!;
            var r = (await Sql.RowsAsync(conn, $"select count(*), coalesce(md5(string_agg(h, '' order by h collate \"C\")), '') from (select md5(t::text) h from {name} t) x", ct))[0];
            result[name] = ((long)r[0]!, (string)r[1]!);
        }

        return result;
    }

    public static JsonObject ToJson(SortedDictionary<string, (long Rows, string Checksum)> tables) =>
        new([.. tables.Select(t => KeyValuePair.Create(t.Key, (JsonNode?)new JsonObject { ["rows"] = t.Value.Rows, ["checksum"] = t.Value.Checksum }))]);
}
