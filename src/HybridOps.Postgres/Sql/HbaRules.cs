using Npgsql;

namespace HybridOps.Postgres.Sql;

/// <summary>What a member's pg_hba file holds right now (pg_hba_file_rules), rules with errors excluded.</summary>
public static class HbaRules
{
    private const string Sql = """
        select type, database, user_name, address, netmask, auth_method, error
        from pg_hba_file_rules order by line_number
        """;

    public static async Task<IReadOnlyList<HbaLine>> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = new NpgsqlCommand(Sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var rules = new List<HbaLine>();
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.IsDBNull(6))
            {
                continue;
            }

            rules.Add(HbaLine.FromFileRule(reader.GetString(0), reader.GetFieldValue<string[]>(1), reader.GetFieldValue<string[]>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5)));
        }

        return rules;
    }

    public static async Task<IReadOnlyList<HbaLine>> ReadAsync(PgEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
            await conn.OpenAsync(cancellationToken);
            return await ReadAsync(conn, cancellationToken);
        }
        catch (Exception ex) when (PgErrors.IsPostgresFailure(ex))
        {
            throw PgErrors.Classify(ex, endpoint);
        }
    }
}
