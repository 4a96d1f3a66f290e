using Npgsql;

namespace HybridOps.Postgres.Sql;

/// <summary>Where and as whom to connect. The password is held in memory only, never serialized.</summary>
public sealed record PgEndpoint(string Host, int Port, string User, string Password, string Database = "postgres", int ConnectTimeoutSeconds = 3)
{
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = User,
        Password = Password,
        Database = Database,
        Timeout = ConnectTimeoutSeconds,
        CommandTimeout = 10,
        Pooling = false,
        ApplicationName = "hyops",
        Options = Options,
    }.ConnectionString;

    /// <summary>Session settings sent at connect (libpq options, e.g. "-c default_transaction_read_only=off"); null = none.</summary>
    public string? Options { get; init; }

    public override string ToString() => $"{User}@{Host}:{Port}/{Database}";
}
