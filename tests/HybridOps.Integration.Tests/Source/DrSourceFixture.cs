using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using Npgsql;

namespace HybridOps.Integration.Tests.Source;

/// <summary>
/// One lab on hosts (block 3, reached over SSH) for the DR source tests: the cluster contract published, and a database
/// `appdb` holding what the preflight must report (a table without key, an unlogged table, a
/// sequence, a large object). The replication password lives only in the vault.
/// </summary>
public sealed class DrSourceFixture : IAsyncLifetime
{
    public const string ReplicationEnv = "HYOPS_DR_REPLICATION_PASSWORD";

    public Site Site { get; } = Site.OnHosts(3);

    public string DrPassword { get; } = "dr-" + Guid.NewGuid().ToString("N")[..16];

    public async Task InitializeAsync()
    {
        await Site.StartAsync();
        var ha = await Site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha");
        ha.ExitCode.ShouldBe(0, ha.ToString());
        await ExecAsync("postgres", "create database appdb");
        await ExecAsync("appdb", """
            create table orders(id serial primary key, v text);
            create table audit_log(at timestamptz, v text);
            create unlogged table scratch(id int primary key);
            select lo_create(0);
            """);

        // The replication password is given through the vault only (SRC-3.3b), from a throwaway env var.
        var env = new Dictionary<string, string>(Site.Environment) { ["SEED_DR_PW"] = DrPassword };
        var set = await Site.HyopsWithAsync(env, "secrets", "set", ReplicationEnv, "--from-env", "SEED_DR_PW");
        set.ExitCode.ShouldBe(0, set.ToString());
    }

    public async Task DisposeAsync() => await Site.DisposeAsync();

    public async Task ExecAsync(string database, string sql, string member = "pg1")
    {
        await using var conn = new NpgsqlConnection((Site.Endpoint(member) with { Database = database }).ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, string member = "pg1", string database = "postgres")
    {
        await using var conn = new NpgsqlConnection((Site.Endpoint(member) with { Database = database }).ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public string Inputs(string name, string yaml)
    {
        var path = Path.Combine(Site.Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    public JsonNode State(string moduleId, string? instance = null) => JsonNode.Parse(File.ReadAllText(Site.StatePath(moduleId, instance)))!;
}
