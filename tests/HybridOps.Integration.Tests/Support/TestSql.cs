using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Support;

/// <summary>One-shot SQL against a real server, for tests: a statement, a scalar, and "does it take a write transaction".</summary>
public static class TestSql
{
    public static async Task ExecAsync(PgEndpoint endpoint, string sql)
    {
        await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(PgEndpoint endpoint, string sql)
    {
        await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>True when the server gives this session a transaction id in a read-write transaction.</summary>
    public static async Task<bool> WritesAsync(PgEndpoint endpoint)
    {
        try
        {
            await ExecAsync(endpoint, "begin; set transaction read write; select pg_current_xact_id(); rollback");
            return true;
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }
}
