using System.Text.Json.Nodes;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.Sql;
using Npgsql;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Managed;

/// <summary>
/// Test-side stand-in for platform/onprem/postgresql-dr-source (written in parallel elsewhere): a
/// database with two tables (one with a sequence), a replication role, its pg_hba rule through
/// Patroni's DCS, and the postgresql-dr-source/v1 state written with the real StateStore.
/// </summary>
internal static class DrSourceFixture
{
    public const string Db = "appdb";
    public const string ReplicationUser = "hyops_dr_repl";
    public const string ReplicationKey = "HYOPS_DR_REPLICATION_PASSWORD";

    public static async Task<PgEndpoint> FindLeaderAsync(Site site)
    {
        foreach (var member in new[] { "pg1", "pg2", "pg3" })
        {
            var endpoint = site.Endpoint(member);
            if (!await PgProbe.ScalarAsync<bool>(endpoint, "select pg_is_in_recovery()", CancellationToken.None))
            {
                return endpoint;
            }
        }

        throw new InvalidOperationException("no leader in the lab");
    }

    /// <summary>
    /// The source database, the replication role and its pg_hba rule for <paramref name="consumerCidr"/> (the
    /// address the managed instance connects from; default <see cref="ConsumerCidr"/>).
    /// </summary>
    public static async Task PrepareAsync(Site site, PgEndpoint leader, string replPassword, string? consumerCidr = null)
    {
        var source = leader with { Database = Db };
        await ExecAsync(leader, $"create database {Db}");
        await ExecAsync(source, """
            create table orders (id bigserial primary key, item text not null, qty int not null);
            create table customers (id int primary key, name text not null);
            insert into orders (item, qty) select 'item-' || g, g from generate_series(1, 50) g;
            insert into customers values (1, 'ada'), (2, 'grace'), (3, 'edsger');
            """);
        await ExecAsync(leader, $"create role {ReplicationUser} login replication password '{replPassword}'");
        await ExecAsync(source, $"grant select on all tables in schema public to {ReplicationUser}");

        // The consumer allowlist lives in Patroni's DCS pg_hba: the managed host's address on lab hosts (the
        // subscription connects from there), this machine's loopback source address on the loopback lab.
        using var http = new HttpClient();
        var client = new PatroniClient(http);
        var api = $"http://{site.Address("pg1")}:8008";
        var config = await client.GetConfigAsync(api, CancellationToken.None);
        var hba = config["postgresql"]!["pg_hba"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        hba.Insert(0, $"host {Db} {ReplicationUser} {consumerCidr ?? ConsumerCidr(site)} scram-sha-256");
        await client.PatchConfigAsync(api, new JsonObject { ["postgresql"] = new JsonObject { ["pg_hba"] = new JsonArray([.. hba.Select(h => (JsonNode)JsonValue.Create(h))]) } }, CancellationToken.None);
    }

    public static void WriteState(Site site, PgEndpoint leader, bool ready, string? consumerCidr = null) =>
        new StateStore(site.Root, new Redactor()).Write(new ModuleState
        {
            ModuleRef = "platform/onprem/postgresql-dr-source",
            Status = StateStatus.Ok,
            Action = "deploy",
            RunId = "test-helper-" + (ready ? "ready" : "not-ready"),
            UpdatedAt = DateTimeOffset.UtcNow,
            ContractVersion = "postgresql-dr-source/v1",
            Outputs = new JsonObject
            {
                ["source_cluster_name"] = "hyops-lab",
                ["source_system_identifier"] = "test",
                ["source_host"] = leader.Host,
                ["source_port"] = 5432,
                ["source_databases"] = new JsonArray(Db),
                ["replication_user"] = ReplicationUser,
                ["replication_password_env"] = ReplicationKey,
                ["dr_mode"] = "logical",
                ["allowed_consumer_cidrs"] = new JsonArray(consumerCidr ?? ConsumerCidr(site)),
                ["ready"] = ready,
                ["preflight"] = new JsonObject { [Db] = new JsonObject { ["tables_without_pk"] = new JsonArray(), ["sequences"] = new JsonArray("public.orders_id_seq") } },
                ["contract_version"] = "postgresql-dr-source/v1",
            },
        });

    /// <summary>Where the managed instance connects to the source from.</summary>
    public static string ConsumerCidr(Site site) => site.Address("managed") + "/32";

    /// <summary>Lab hosts: the instance inputs of the local provider on the `managed` host, reached from the site network.</summary>
    public static JsonObject InstanceInputs(JsonNode labUp) => new()
    {
        ["provider_host"] = labUp["managed_site"]!["provider_host"]!.DeepClone(),
        ["authorized_networks"] = new JsonArray(labUp["dr_site"]!["client_networks"]![0]!.GetValue<string>()),
    };

    /// <summary>Lab hosts: the provider's record of an instance, read on the managed host as its operator would.</summary>
    public static async Task<string> InstanceRoleAsync(Site site, string instance) =>
        JsonNode.Parse(await site.SshAsync("managed", $"cat /var/lib/postgresql/hyops-managed/instances/{instance}/instance.json"))!["role"]!.GetValue<string>();

    public static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 150; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(200);
        }

        (await condition()).ShouldBeTrue("condition not met within 30s");
    }
}
