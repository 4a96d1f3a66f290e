using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Managed;

/// <summary>
/// Premium lane end to end on a real lab (127.0.91) and a real managed instance (127.0.93.11):
/// establish logical replication from the Patroni leader, rows arrive and keep arriving, status
/// measures lag, promotion is refused on lag, then promoted behind a barrier with sequences ahead
/// of the source; no password anywhere under the runtime root or in CLI output.
/// The DR source contract (platform/onprem/postgresql-dr-source) is written by a test helper.
/// </summary>
public sealed class ExternalReplicaTests : IAsyncLifetime
{
    private const string Db = "appdb";
    private const string Instance = "hyops-dr-standby";
    private readonly Site site = new("127.0.91");
    private readonly string adminPassword = "ma-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
    private readonly string replPassword = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
    private readonly List<CliResult> outputs = [];
    private PgEndpoint leader = null!;

    private PgEndpoint Target => new("127.0.93.11", 5432, "hyops_admin", adminPassword, Db);

    private PgEndpoint Source => leader with { Database = Db };

    public async Task InitializeAsync()
    {
        site.Environment["HYOPS_MANAGED_ADMIN_PASSWORD"] = adminPassword;
        site.Environment["HYOPS_DR_REPLICATION_PASSWORD"] = replPassword;
        await site.StartAsync();
        leader = await FindLeaderAsync();
    }

    public async Task DisposeAsync()
    {
        await site.StopManagedProcessesAsync();
        await site.DisposeAsync();
    }

    [Fact]
    public async Task Establish_Status_LagRefusal_Promote_NoPasswordLeaks()
    {
        await PrepareSourceAsync();
        WriteDrSourceState(ready: false);
        await Ok("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef);

        // Not ready: refused before anything changes (no publication on the source).
        var notReady = await Run("module", "deploy", "--module", ManagedSiteHelpers.ReplicaRef);
        notReady.ExitCode.ShouldBe(7, notReady.ToString());
        notReady.StdErr.ShouldContain("HYO2051");
        (await Scalar<long>(Source, "select count(*) from pg_publication")).ShouldBe(0);

        WriteDrSourceState(ready: true);
        var established = (await Ok("module", "deploy", "--module", ManagedSiteHelpers.ReplicaRef))["outputs"]!;
        established["replication_state"]!.GetValue<string>().ShouldBe("streaming");
        established["synced_tables"]!.GetValue<int>().ShouldBe(established["total_tables"]!.GetValue<int>());
        established["total_tables"]!.GetValue<int>().ShouldBe(4); // orders, customers, hyops_dr.heartbeat, hyops_dr.barrier
        established["lag_seconds"]!.GetValue<double>().ShouldBeLessThan(10);
        established["lag_bytes"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(0);

        // Initial copy arrived.
        (await Scalar<long>(Target, "select count(*) from orders")).ShouldBe(50);
        (await Scalar<long>(Target, "select count(*) from customers")).ShouldBe(3);

        // Rows written after establish arrive.
        await Exec(Source, "insert into orders (item, qty) select 'late-' || g, g from generate_series(1, 20) g; update customers set name = 'renamed' where id = 2");
        await WaitUntil(async () => await Scalar<long>(Target, "select count(*) from orders") == 70 && await Scalar<string>(Target, "select name from customers where id = 2") == "renamed");

        // status measures (and does not publish); deploy apply_mode=status publishes.
        var status = (await Ok("module", "status", "--module", ManagedSiteHelpers.ReplicaRef))["outputs"]!;
        status["replication_state"]!.GetValue<string>().ShouldBe("streaming");
        var published = (await Ok("module", "deploy", "--module", ManagedSiteHelpers.ReplicaRef, "--inputs", Inputs("status.json", new JsonObject { ["apply_mode"] = "status" })))["outputs"]!;
        published["last_status_at"].ShouldNotBeNull();
        published["lag_seconds"].ShouldNotBeNull();

        // Promotion guard: without the typed instance name, exit 3.
        var noConfirm = await Run("module", "deploy", "--module", ManagedSiteHelpers.PromoteRef);
        noConfirm.ExitCode.ShouldBe(3, noConfirm.ToString());
        noConfirm.StdErr.ShouldContain("HYO3031");

        // Lag over policy: apply stopped, rows pending on the source -> refused (exit 8, HYO6042), nothing changed.
        await Exec(Target, "alter subscription hyops_dr_appdb disable");
        await WaitUntil(async () => await Scalar<bool>(Source, "select not active from pg_replication_slots where slot_name = 'hyops_dr_appdb'"));
        await Exec(Source, "insert into orders (item, qty) select 'pending-' || g, g from generate_series(1, 30) g");
        var lagStatus = await Run("--output", "json", "module", "status", "--module", ManagedSiteHelpers.ReplicaRef);
        JsonNode.Parse(lagStatus.StdOut)!["outputs"]!["lag_bytes"]!.GetValue<long>().ShouldBeGreaterThan(0);
        var strict = Inputs("promote-strict.json", new JsonObject { ["promote_confirm"] = Instance, ["max_lag_bytes"] = 0 });
        var refused = await Run("module", "deploy", "--module", ManagedSiteHelpers.PromoteRef, "--inputs", strict);
        refused.ExitCode.ShouldBe(8, refused.ToString());
        refused.StdErr.ShouldContain("HYO6042");
        (await Scalar<bool>(Target, "select subenabled from pg_subscription where subname = 'hyops_dr_appdb'")).ShouldBeFalse();
        (await Scalar<long>(Target, "select count(*) from orders")).ShouldBe(70);
        InstanceRole().ShouldBe("replica");

        // Resume apply: the pending rows arrive; then promote behind the barrier.
        await Exec(Target, "alter subscription hyops_dr_appdb enable");
        await WaitUntil(async () => await Scalar<long>(Target, "select count(*) from orders") == 100);
        var sourceOrdersSeq = await Scalar<long>(Source, "select last_value from orders_id_seq");
        var promote = Inputs("promote.json", new JsonObject { ["promote_confirm"] = Instance });
        var promoted = (await Ok("module", "deploy", "--module", ManagedSiteHelpers.PromoteRef, "--inputs", promote))["outputs"]!;
        promoted["role"]!.GetValue<string>().ShouldBe("primary");
        promoted["promotion_mode"]!.GetValue<string>().ShouldBe("barrier");
        promoted["barrier_lsn"]!.GetValue<string>().ShouldContain("/");
        promoted["sequences_synced"]!.GetValue<int>().ShouldBeGreaterThanOrEqualTo(1);
        promoted["promoted_at"].ShouldNotBeNull();
        InstanceRole().ShouldBe("primary");

        // The barrier row crossed; the subscription is gone; the target takes writes with ids ahead of the source.
        (await Scalar<long>(Target, "select count(*) from hyops_dr.barrier where id like 'promote-%'")).ShouldBe(1);
        (await Scalar<long>(Target, "select count(*) from pg_subscription")).ShouldBe(0);
        var newId = await Scalar<long>(Target, "insert into orders (item, qty) values ('after-promotion', 1) returning id");
        newId.ShouldBeGreaterThan(sourceOrdersSeq + 999);
        (await Scalar<long>(Target, "select last_value from orders_id_seq")).ShouldBeGreaterThan(await Scalar<long>(Source, "select last_value from orders_id_seq"));

        // The instance status re-reads the provider: primary now.
        (await Ok("module", "status", "--module", ManagedSiteHelpers.InstanceRef))["outputs"]!["role"]!.GetValue<string>().ShouldBe("primary");

        // Standby teardown is separate from promotion: it retires the source publication and slot, and keeps target data.
        await Ok("module", "destroy", "--module", ManagedSiteHelpers.ReplicaRef);
        (await Scalar<long>(Source, "select count(*) from pg_publication")).ShouldBe(0);
        await WaitUntil(async () => await Scalar<long>(Source, "select count(*) from pg_replication_slots where slot_type = 'logical'") == 0);
        (await Scalar<long>(Target, "select count(*) from orders")).ShouldBe(101);

        var confirm = Inputs("destroy.json", new JsonObject { ["destroy_confirm"] = Instance });
        await Ok("module", "destroy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", confirm);

        // No password in any file under the runtime root, nor in any CLI output.
        string[] secrets = [adminPassword, replPassword, site.SuperuserPassword, site.ReplicationPassword];
        site.RuntimeFiles().Where(f => secrets.Any(s => f.Text.Contains(s, StringComparison.Ordinal))).Select(f => f.Path).ShouldBeEmpty();
        outputs.Where(o => secrets.Any(s => o.StdOut.Contains(s, StringComparison.Ordinal) || o.StdErr.Contains(s, StringComparison.Ordinal))).ShouldBeEmpty();
    }

    private string InstanceRole()
    {
        var path = Path.Combine(site.LabDir, "sites", "managed", "instances", Instance, "instance.json");
        return JsonNode.Parse(File.ReadAllText(path))!["role"]!.GetValue<string>();
    }

    private async Task PrepareSourceAsync()
    {
        await Exec(leader, $"create database {Db}");
        await Exec(Source, """
            create table orders (id bigserial primary key, item text not null, qty int not null);
            create table customers (id int primary key, name text not null);
            insert into orders (item, qty) select 'item-' || g, g from generate_series(1, 50) g;
            insert into customers values (1, 'ada'), (2, 'grace'), (3, 'edsger');
            """);
        await Exec(leader, $"create role hyops_dr_repl login replication password '{replPassword}'");
        await Exec(Source, "grant select on all tables in schema public to hyops_dr_repl");

        // The consumer allowlist lives in Patroni's DCS pg_hba (this host's loopback source address is 127.0.0.1).
        using var patroni = new HttpClient();
        var client = new PatroniClient(patroni);
        var api = $"http://{site.Host(11)}:8008";
        var config = await client.GetConfigAsync(api, CancellationToken.None);
        var hba = config["postgresql"]!["pg_hba"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        hba.Insert(0, $"host {Db} hyops_dr_repl 127.0.0.1/32 scram-sha-256");
        await client.PatchConfigAsync(api, new JsonObject { ["postgresql"] = new JsonObject { ["pg_hba"] = new JsonArray([.. hba.Select(h => (JsonNode)JsonValue.Create(h))]) } }, CancellationToken.None);
    }

    private void WriteDrSourceState(bool ready)
    {
        var store = new StateStore(site.Root, new Redactor());
        store.Write(new ModuleState
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
                ["replication_user"] = "hyops_dr_repl",
                ["replication_password_env"] = "HYOPS_DR_REPLICATION_PASSWORD",
                ["dr_mode"] = "logical",
                ["allowed_consumer_cidrs"] = new JsonArray("127.0.0.1/32"),
                ["ready"] = ready,
                ["preflight"] = new JsonObject { [Db] = new JsonObject { ["tables_without_pk"] = new JsonArray(), ["sequences"] = new JsonArray("public.orders_id_seq") } },
                ["contract_version"] = "postgresql-dr-source/v1",
            },
        });
    }

    private async Task<PgEndpoint> FindLeaderAsync()
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

    private string Inputs(string name, JsonObject inputs) => site.WriteInputs(name, inputs);

    private async Task<CliResult> Run(params string[] args)
    {
        var r = await site.HyopsAsync(args);
        outputs.Add(r);
        return r;
    }

    private async Task<JsonNode> Ok(params string[] args)
    {
        var r = await Run(["--output", "json", .. args]);
        r.ExitCode.ShouldBe(0, r.ToString());
        return JsonNode.Parse(r.StdOut)!;
    }

    private static async Task Exec(PgEndpoint endpoint, string sql)
    {
        await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private static async Task<T> Scalar<T>(PgEndpoint endpoint, string sql)
    {
        await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
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
