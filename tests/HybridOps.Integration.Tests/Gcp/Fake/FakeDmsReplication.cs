using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>
/// What makes the fake's CONTINUOUS migration job move real data. On `:start`, per source database:
/// the schema is copied with pg_dump --schema-only into the real server behind the destination
/// instance, the source gets a publication for the tables of every user schema, and the destination a subscription
/// (copy_data) that connects with the SOURCE profile's host, port, user and password (a passfile on the
/// destination, 0600); pglogical's own schema and extension (a source prepared for DMS has them) are
/// not copied. The job is FULL_DUMP while a table is still in its initial copy and CDC once
/// every table is ready. The promote (and a stop/delete) drops the subscriptions, their source slots
/// and the publication; the data stays. Real DMS does this with pglogical and the profile's user; here
/// the source-side DDL (publication, schema dump) uses the lab superuser. The destination stays
/// read-only for clients until the promote (the local provider's replica default).
/// </summary>
public sealed partial class FakeDmsReplication(LocalPostgresBackend destinations, string sourceSuperuser, string sourceSuperuserPassword)
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private const string ReadWrite = "-c default_transaction_read_only=off";
    private readonly LocalProcessRunner runner = new();
    private readonly ConcurrentDictionary<string, Link> links = new();

    /// <summary>Every replication step the fake took, in order (what the job really did).</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>Source connection profile facts the job replicates from.</summary>
    public sealed record Source(string Host, int Port, string User, string Password);

    private sealed record Link(string Destination, Source From, IReadOnlyList<string> Databases);

    /// <summary>Subscription = source slot name of one job's database (slots are cluster-wide, so the database is in it).</summary>
    public static string SlotName(string jobId, string db) => "dms_" + NonWord().Replace($"{jobId}_{db}".ToLowerInvariant(), "_");

    public bool Replicates(string jobId) => links.ContainsKey(jobId);

    public async Task StartAsync(string jobId, Source from, string destination)
    {
        var su = new PgEndpoint(from.Host, from.Port, sourceSuperuser, sourceSuperuserPassword, "postgres", 5);
        List<string> dbs;
        await using (var c = await OpenAsync(su))
        {
            dbs = await ListAsync(c, "select datname from pg_database where not datistemplate and datallowconn order by 1");
        }

        var passfile = await destinations.PutSourcePassfileAsync(destination, from.Host, from.Port, from.User, from.Password);
        foreach (var db in dbs)
        {
            await using (var admin = await OpenAsync((await destinations.AdminEndpointAsync(destination)) with { Options = ReadWrite }))
            {
                if (await ListAsync(admin, $"select datname from pg_database where datname = {Literal(db)}") is [])
                {
                    await ExecAsync(admin, $"create database {Ident(db)}");
                }
            }

            var target = (await destinations.AdminEndpointAsync(destination, db)) with { Options = ReadWrite };
            await CopySchemaAsync(su with { Database = db }, target);
            var name = SlotName(jobId, db);
            await using (var source = await OpenAsync(su with { Database = db }))
            {
                if (await ListAsync(source, $"select pubname from pg_publication where pubname = {Literal(name)}") is [])
                {
                    // Every user schema; not pglogical's own (DMS does not migrate it).
                    var schemas = await ListAsync(source, $"""
                        select nspname::text from pg_namespace where nspname not in ('pg_catalog', 'information_schema', 'pglogical') and nspname not like 'pg\_%' order by 1
                        """);
                    await ExecAsync(source, $"create publication {Ident(name)} for tables in schema {string.Join(", ", schemas.Select(Ident))}");
                }
            }

            await using (var dst = await OpenAsync(target))
            {
                var conninfo = $"host={from.Host} port={from.Port.ToString(CultureInfo.InvariantCulture)} dbname={db} user={from.User} passfile={passfile} application_name={name}";
                // Keep the conninfo out of the destination's server log if the statement fails.
                await ExecAsync(dst, "set log_min_error_statement = panic");
                await ExecAsync(dst, $"create subscription {Ident(name)} connection {Literal(conninfo)} publication {Ident(name)} with (copy_data = true)");
            }

            Log.Enqueue($"start {db}: schema copied, publication and subscription {name}");
        }

        links[jobId] = new Link(destination, from, dbs);
    }

    /// <summary>True once every replicated table of every database finished its initial copy (the DMS phase CDC).</summary>
    public async Task<bool> InCdcAsync(string jobId)
    {
        var link = links[jobId];
        foreach (var db in link.Databases)
        {
            await using var dst = await OpenAsync(await destinations.AdminEndpointAsync(link.Destination, db));
            var pending = await ListAsync(dst, $"""
                select r.srrelid::regclass::text from pg_subscription_rel r join pg_subscription s on s.oid = r.srsubid
                where s.subname = {Literal(SlotName(jobId, db))} and r.srsubstate not in ('r', 's')
                """);
            if (pending.Count > 0)
            {
                return false;
            }
        }

        Log.Enqueue("cdc: every table copied");
        return true;
    }

    /// <summary>Ends the replication (promote, stop or delete): subscriptions dropped on the destination, slots and publications on the source.</summary>
    public async Task EndAsync(string jobId)
    {
        if (!links.TryRemove(jobId, out var link))
        {
            return;
        }

        foreach (var db in link.Databases)
        {
            var name = SlotName(jobId, db);
            await using (var dst = await OpenAsync((await destinations.AdminEndpointAsync(link.Destination, db)) with { Options = ReadWrite }))
            {
                await ExecAsync(dst, $"alter subscription {Ident(name)} disable");
                await ExecAsync(dst, $"alter subscription {Ident(name)} set (slot_name = NONE)");
                await ExecAsync(dst, $"drop subscription {Ident(name)}");
            }

            await using var source = await OpenAsync(new PgEndpoint(link.From.Host, link.From.Port, sourceSuperuser, sourceSuperuserPassword, db, 5));
            for (var i = 0; i < 100; i++)
            {
                await ExecAsync(source, $"select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = {Literal(name)} and not active");
                if (await ListAsync(source, $"select slot_name::text from pg_replication_slots where slot_name = {Literal(name)}") is [])
                {
                    break;
                }

                await Task.Delay(100);
            }

            await ExecAsync(source, $"drop publication if exists {Ident(name)}");
            Log.Enqueue($"end {db}: subscription, slot and publication {name} dropped");
        }
    }

    private async Task CopySchemaAsync(PgEndpoint source, PgEndpoint target)
    {
        var port = source.Port.ToString(CultureInfo.InvariantCulture);
        var dump = await runner.RunAsync(new ProcessSpec($"{Bin}/pg_dump",
            ["-h", source.Host, "-p", port, "-U", source.User, "-d", source.Database, "--schema-only", "--no-owner", "--no-privileges", "--no-publications", "--no-subscriptions",
             "--extension=plpgsql", "--exclude-schema=pglogical"],
            WorkingDirectory: "/", Environment: new Dictionary<string, string> { ["PGPASSWORD"] = source.Password }, Timeout: TimeSpan.FromMinutes(2)), CancellationToken.None);
        dump.Succeeded.ShouldBeTrue($"fake DMS pg_dump: {dump.StdErr}");
        var load = await runner.RunAsync(new ProcessSpec($"{Bin}/psql",
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", target.Host, "-p", target.Port.ToString(CultureInfo.InvariantCulture), "-U", target.User, "-d", target.Database],
            WorkingDirectory: "/", Environment: new Dictionary<string, string> { ["PGPASSWORD"] = target.Password, ["PGOPTIONS"] = ReadWrite },
            StdinText: dump.StdOut, Timeout: TimeSpan.FromMinutes(2)), CancellationToken.None);
        load.Succeeded.ShouldBeTrue($"fake DMS schema load: {load.StdErr}");
    }

    private static async Task<NpgsqlConnection> OpenAsync(PgEndpoint endpoint)
    {
        var conn = new NpgsqlConnection(endpoint.ConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    private static async Task ExecAsync(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<List<string>> ListAsync(NpgsqlConnection conn, string sql)
    {
        var rows = new List<string>();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }

    private static string Ident(string s) => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static string Literal(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    [GeneratedRegex("[^a-z0-9]")]
    private static partial Regex NonWord();
}
