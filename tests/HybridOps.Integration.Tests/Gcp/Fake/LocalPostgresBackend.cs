using System.Collections.Concurrent;
using System.Collections.Immutable;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Sql;
using Npgsql;
using HybridOps.Providers.Local;
using HybridOps.Providers.Managed;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>
/// Real servers behind the fake's instances: each Cloud SQL instance the fake creates is a real
/// PostgreSQL 15 made by the local provider's machinery (initdb as postgres, scram, wal_level logical,
/// pg_hba = authorized networks, a replica read-only until promoted). What is fake is only the API
/// in front of it.
/// </summary>
/// <param name="dataRoot">Where the servers' files live on this machine.</param>
/// <param name="addressPrefix">Loopback /24: instance N listens on &lt;prefix&gt;.(10+N):5432.</param>
/// <param name="hostAddress">
/// Instead, one address of this machine every instance listens on (instance N on port 5431+N): the lab
/// bridge's, so lab hosts reach the "Cloud SQL" servers as on-prem hosts reach a real instance's IP.
/// </param>
public sealed class LocalPostgresBackend(string dataRoot, string addressPrefix, string? hostAddress = null) : IFakeInstanceBackend, IAsyncDisposable
{
    private readonly LocalManagedPostgres local = new(new LocalProviderOptions(dataRoot, addressPrefix) { HostAddress = hostAddress }, new LocalProcessRunner(), TimeProvider.System);
    private readonly ConcurrentDictionary<string, (string User, string Password)> admins = new();

    public async Task<string> CreateAsync(string name, string adminUser, string adminPassword, IReadOnlyList<string> authorizedNetworks, bool replica)
    {
        await local.InsertInstanceAsync(new InstanceRequest(name, "POSTGRES_15", new InstanceSettings("fake", "fake", [.. authorizedNetworks]), adminUser, adminPassword,
            replica ? InstanceRole.Replica : InstanceRole.Primary), CancellationToken.None);
        admins[name] = (adminUser, adminPassword);
        return (await local.GetInstanceAsync(name, CancellationToken.None))!.IpAddress;
    }

    /// <summary>users.insert/update on the real server: a LOGIN role with the password (sent as a SCRAM verifier by the server's own hashing).</summary>
    public async Task SetUserAsync(string name, string user, string password)
    {
        var (admin, adminPassword) = admins[name];
        var i = (await local.GetInstanceAsync(name, CancellationToken.None))!;
        await using var conn = new NpgsqlConnection(new PgEndpoint(i.IpAddress, i.Port, admin, adminPassword).ConnectionString);
        await conn.OpenAsync();
        await using (var off = new NpgsqlCommand("set default_transaction_read_only = off", conn))
        {
            await off.ExecuteNonQueryAsync();
        }

        await using var exists = new NpgsqlCommand("select count(*)::int from pg_roles where rolname = $1", conn) { Parameters = { new() { Value = user } } };
        var verb = (int)(await exists.ExecuteScalarAsync())! == 1 ? "alter" : "create";
        var quoted = "\"" + user.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        await using var role = new NpgsqlCommand($"{verb} role {quoted} login createdb createrole password '{password.Replace("'", "''", StringComparison.Ordinal)}'", conn);
        await role.ExecuteNonQueryAsync();
    }

    /// <summary>The admin endpoint of a real server behind an instance (what the fake's DMS job writes through).</summary>
    public async Task<PgEndpoint> AdminEndpointAsync(string name, string database = "postgres")
    {
        var (admin, adminPassword) = admins[name];
        var i = (await local.GetInstanceAsync(name, CancellationToken.None))!;
        return new PgEndpoint(i.IpAddress, i.Port, admin, adminPassword, database, ConnectTimeoutSeconds: 5);
    }

    /// <summary>A libpq passfile (0600, owned by the server user) on the instance for its outbound connection to a source.</summary>
    public Task<string> PutSourcePassfileAsync(string name, string host, int port, string user, string password) =>
        local.PutSourcePassfileAsync(name, host, port, user, password, CancellationToken.None);

    public Task SetAuthorizedNetworksAsync(string name, IReadOnlyList<string> cidrs) => local.PatchAuthorizedNetworksAsync(name, cidrs, CancellationToken.None);

    public Task SetFlagsAsync(string name, IReadOnlyDictionary<string, string> flags) => local.PatchDatabaseFlagsAsync(name, flags, CancellationToken.None);

    public Task PromoteAsync(string name) => local.PromoteReplicaAsync(name, CancellationToken.None);

    public async Task DeleteAsync(string name)
    {
        if (await local.GetInstanceAsync(name, CancellationToken.None) is not null)
        {
            await local.DeleteInstanceAsync(name, CancellationToken.None);
        }

        admins.TryRemove(name, out _);
    }

    public ImmutableArray<string> Names => [.. admins.Keys];

    public async ValueTask DisposeAsync()
    {
        foreach (var name in admins.Keys.ToList())
        {
            await DeleteAsync(name);
        }
    }
}
