using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>Small Npgsql helpers for the managed lane; failures are classified by SQLSTATE (PgErrors).</summary>
internal static class Sql
{
    public static async Task<NpgsqlConnection> OpenAsync(PgEndpoint endpoint, CancellationToken ct)
    {
        var conn = new NpgsqlConnection(endpoint.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            return conn;
        }
        catch (Exception ex) when (PgErrors.IsPostgresFailure(ex))
        {
            await conn.DisposeAsync();
            throw PgErrors.Classify(ex, endpoint);
        }
    }

    public static async Task<int> ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct, params object?[] args)
    {
        await using var cmd = Command(conn, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<T?> ScalarAsync<T>(NpgsqlConnection conn, string sql, CancellationToken ct, params object?[] args)
    {
        await using var cmd = Command(conn, sql, args);
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default : (T)value;
    }

    public static async Task<List<object?[]>> RowsAsync(NpgsqlConnection conn, string sql, CancellationToken ct, params object?[] args)
    {
        await using var cmd = Command(conn, sql, args);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(ct))
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>A SQL identifier, double-quoted.</summary>
    public static string Ident(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A SQL string literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A libpq conninfo value, single-quoted with backslash escapes.</summary>
    public static string ConnValue(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static NpgsqlCommand Command(NpgsqlConnection conn, string sql, object?[] args)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a ?? DBNull.Value });
        }

        return cmd;
    }
}
