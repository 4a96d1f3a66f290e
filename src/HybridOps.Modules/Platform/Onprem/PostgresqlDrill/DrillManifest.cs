using System.Text.Json.Nodes;
using Npgsql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrill;

/// <summary>
/// Per table: row count and a content checksum, md5 over the sorted md5 of each row's text form (order-
/// and layout-independent, so a restored copy compares equal), computed in a session with fixed
/// TimeZone/DateStyle/extra_float_digits so both servers render values alike. A table with more rows
/// than the cap gets its count only (checksum null): the cap bounds how long the drill holds its lock.
/// </summary>
internal static class DrillManifest
{
    public const string SessionSettings = "set local timezone = 'UTC'; set local datestyle = 'ISO, MDY'; set local extra_float_digits = 3; set local intervalstyle = 'postgres'";

    public sealed record Entry(string Table, long Rows, string? Checksum);

    /// <summary>
    /// Computes the manifest inside the caller's open transaction (its session settings already applied).
    /// Server errors reach the caller as Npgsql's own exceptions, so a statement_timeout (57014) can be told apart.
    /// </summary>
    public static async Task<List<Entry>> ComputeAsync(NpgsqlConnection connection, IEnumerable<DrillTable> tables, long rowCap, CancellationToken ct)
    {
        var entries = new List<Entry>();
        foreach (var t in tables)
        {
            var rows = (long)(await ScalarAsync(connection, $"select count(*) from {t.Sql}", ct))!;
            string? checksum = null;
            if (rows <= rowCap)
            {
                checksum = (string?)await ScalarAsync(connection, $"select coalesce(md5(string_agg(h, '' order by h collate \"C\")), '') from (select md5(x::text) h from {t.Sql} x) s", ct);
            }

            entries.Add(new Entry(t.ToString(), rows, checksum));
        }

        return entries;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        return await cmd.ExecuteScalarAsync(ct);
    }

    public static JsonObject ToJson(IEnumerable<Entry> entries) =>
        new(entries.Select(e => KeyValuePair.Create(e.Table, (JsonNode?)new JsonObject { ["rows"] = e.Rows, ["checksum"] = e.Checksum })));

    public static List<Entry> FromJson(JsonObject? manifest) =>
        [.. (manifest ?? []).Select(p => new Entry(p.Key, p.Value?["rows"]?.GetValue<long>() ?? -1, p.Value?["checksum"]?.GetValue<string?>()))];
}
