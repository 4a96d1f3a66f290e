using Npgsql;

namespace HybridOps.Postgres.Sql;

/// <summary>Read-only SQL probes against one member. Failures are classified by <see cref="PgErrors"/>.</summary>
public static class PgProbe
{
    private const string FactsSql = """
        select (select system_identifier::text from pg_control_system()),
               pg_is_in_recovery(),
               current_setting('wal_level'),
               (select timeline_id from pg_control_checkpoint()),
               current_setting('server_version_num')::int,
               case when pg_is_in_recovery() then null else pg_current_wal_lsn()::text end,
               pg_last_wal_replay_lsn()::text,
               current_setting('default_transaction_read_only') = 'on'
        """;

    public static async Task<MemberFacts> FactsAsync(PgEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
            await conn.OpenAsync(cancellationToken);
            await using var cmd = new NpgsqlCommand(FactsSql, conn);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var inRecovery = reader.GetBoolean(1);
            return new MemberFacts
            {
                SystemIdentifier = reader.GetString(0),
                InRecovery = inRecovery,
                WalLevel = reader.GetString(2),
                Timeline = reader.GetInt32(3),
                ServerVersionNum = reader.GetInt32(4),
                CurrentLsn = reader.IsDBNull(5) ? null : reader.GetString(5),
                ReplayLsn = reader.IsDBNull(6) ? null : reader.GetString(6),
                DefaultReadOnly = reader.GetBoolean(7),
            };
        }
        catch (Exception ex) when (PgErrors.IsPostgresFailure(ex))
        {
            throw PgErrors.Classify(ex, endpoint);
        }
    }

    public static async Task<T> ScalarAsync<T>(PgEndpoint endpoint, string sql, CancellationToken cancellationToken)
    {
        try
        {
            await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
            await conn.OpenAsync(cancellationToken);
            await using var cmd = new NpgsqlCommand(sql, conn);
            return (T)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (Exception ex) when (PgErrors.IsPostgresFailure(ex))
        {
            throw PgErrors.Classify(ex, endpoint);
        }
    }
}
