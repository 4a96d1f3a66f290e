using Npgsql;

namespace HybridOps.Postgres.Sql;

/// <summary>
/// One open connection for a short sequence of statements. Every failure is classified by
/// <see cref="PgErrors"/> (connectivity vs configuration), never left as a raw Npgsql exception.
/// </summary>
public sealed class PgSession : IAsyncDisposable
{
    private readonly NpgsqlConnection connection;

    private PgSession(PgEndpoint endpoint, NpgsqlConnection connection)
    {
        Endpoint = endpoint;
        this.connection = connection;
    }

    public PgEndpoint Endpoint { get; }

    public NpgsqlConnection Connection => connection;

    public static async Task<PgSession> OpenAsync(PgEndpoint endpoint, CancellationToken cancellationToken)
    {
        var conn = new NpgsqlConnection(endpoint.ConnectionString);
        try
        {
            await conn.OpenAsync(cancellationToken);
            return new PgSession(endpoint, conn);
        }
        catch (Exception ex) when (PgErrors.IsPostgresFailure(ex))
        {
            await conn.DisposeAsync();
            throw PgErrors.Classify(ex, endpoint);
        }
    }

    public async Task<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken, params object[] args)
    {
        try
        {
            await using var cmd = Command(sql, args);
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(map(reader));
            }

            return rows;
        }
        catch (Exception ex) when (PgErrors.IsPostgresFailure(ex))
        {
            throw PgErrors.Classify(ex, Endpoint);
        }
    }

    public async Task<T> ScalarAsync<T>(string sql, CancellationToken cancellationToken, params object[] args)
    {
        try
        {
            await using var cmd = Command(sql, args);
            return (T)(await cmd.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (Exception ex) when (PgErrors.IsPostgresFailure(ex))
        {
            throw PgErrors.Classify(ex, Endpoint);
        }
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params object[] args)
    {
        try
        {
            await using var cmd = Command(sql, args);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (Exception ex) when (PgErrors.IsPostgresFailure(ex))
        {
            throw PgErrors.Classify(ex, Endpoint);
        }
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();

    private NpgsqlCommand Command(string sql, object[] args)
    {
        var cmd = new NpgsqlCommand(sql, connection);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }

        return cmd;
    }
}
