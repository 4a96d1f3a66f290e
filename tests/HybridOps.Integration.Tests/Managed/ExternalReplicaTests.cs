using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Managed;

/// <summary>
/// Premium lane end to end on lab hosts reached over SSH (block 7) and a real managed instance on the `managed` host:
/// establish logical replication from the Patroni leader, rows arrive and keep arriving, status
/// measures lag, promotion is refused on lag, then promoted behind a barrier with sequences ahead
/// of the source; no password anywhere under the runtime root or in CLI output.
/// The DR source contract (platform/onprem/postgresql-dr-source) is written by a test helper.
/// </summary>
[Trait("lab", "hosts")]
public sealed class ExternalReplicaTests : IAsyncLifetime
{
    private const string Db = DrSourceFixture.Db;
    private const string Instance = "hyops-dr-standby";
    private readonly Site site = Site.OnHosts(7);
    private readonly string adminPassword = "ma-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
    private readonly string replPassword = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
    private readonly List<CliResult> outputs = [];
    private JsonObject instance = null!;
    private PgEndpoint leader = null!;

    // hyops' control-plane session options: the standby refuses client DDL/DML until promoted (see docs/premium.md).
    private PgEndpoint Target => new(site.Address("managed"), 5432, "hyops_admin", adminPassword, Db) { Options = "-c default_transaction_read_only=off -c session_replication_role=replica" };

    private PgEndpoint Source => leader with { Database = Db };

    public async Task InitializeAsync()
    {
        site.Environment["HYOPS_MANAGED_ADMIN_PASSWORD"] = adminPassword;
        site.Environment["HYOPS_DR_REPLICATION_PASSWORD"] = replPassword;
        instance = DrSourceFixture.InstanceInputs(JsonNode.Parse((await site.StartAsync([])).StdOut)!);
        leader = await FindLeaderAsync();
    }

    public async Task DisposeAsync()
    {
        await site.DisposeAsync();
    }

    [Fact]
    public async Task Establish_Status_LagRefusal_Promote_NoPasswordLeaks()
    {
        await PrepareSourceAsync();
        WriteDrSourceState(ready: false);
        await Ok("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", Inputs("instance.json", instance));

        // Not ready: refused before anything changes (no publication on the source).
        var notReady = await Run("module", "deploy", "--module", ManagedSiteHelpers.ReplicaRef);
        notReady.ExitCode.ShouldBe(7, notReady.ToString());
        notReady.StdErr.ShouldContain("HYO2051");
        (await Scalar<long>(Source, "select count(*) from pg_publication")).ShouldBe(0);

        WriteDrSourceState(ready: true);
        var leaderBefore = await FindLeaderAsync();
        var dnsBefore = await ServiceRecordAsync();
        dnsBefore.ShouldBe([leaderBefore.Host]);
        var establishRun = await Ok("module", "deploy", "--module", ManagedSiteHelpers.ReplicaRef);
        var established = establishRun["outputs"]!;

        // A standby deploy cuts no traffic: same on-prem leader, same service record.
        (await FindLeaderAsync()).Host.ShouldBe(leaderBefore.Host);
        (await ServiceRecordAsync()).ShouldBe(dnsBefore);
        established["source_host"]!.GetValue<string>().ShouldBe(leader.Host);
        established["target_instance"]!.GetValue<string>().ShouldBe(Instance);
        var establishRecord = File.ReadAllText(Path.Combine(establishRun["record_dir"]!.GetValue<string>(), "record.jsonl"));
        establishRecord.ShouldContain("\"subscription_created\"");
        establishRecord.ShouldContain("passfile=");
        establishRecord.ShouldContain("HYOPS_DR_REPLICATION_PASSWORD");
        establishRecord.ShouldContain("\"initial_copy_complete\"");
        established["replication_state"]!.GetValue<string>().ShouldBe("streaming");
        established["synced_tables"]!.GetValue<int>().ShouldBe(established["total_tables"]!.GetValue<int>());
        established["total_tables"]!.GetValue<int>().ShouldBe(4); // orders, customers, hyops_dr.heartbeat, hyops_dr.barrier
        established["lag_seconds"]!.GetValue<double>().ShouldBeLessThan(10);
        established["lag_bytes"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(0);

        // Initial copy arrived.
        (await Scalar<long>(Target, "select count(*) from orders")).ShouldBe(50);
        (await Scalar<long>(Target, "select count(*) from customers")).ShouldBe(3);

        await TableSyncSlotsSurvivePatroniAsync();

        // Rows written after establish arrive.
        await Exec(Source, "insert into orders (item, qty) select 'late-' || g, g from generate_series(1, 20) g; update customers set name = 'renamed' where id = 2");
        await WaitUntil(async () => await Scalar<long>(Target, "select count(*) from orders") == 70 && await Scalar<string>(Target, "select name from customers where id = 2") == "renamed");

        // Establish again is a no-op on the data path: same subscription, no second copy.
        var again = (await Ok("module", "deploy", "--module", ManagedSiteHelpers.ReplicaRef))["outputs"]!;
        again["replication_state"]!.GetValue<string>().ShouldBe("streaming");
        (await Scalar<long>(Target, "select count(*) from orders")).ShouldBe(70);
        (await Scalar<long>(Target, "select count(*) from pg_subscription")).ShouldBe(1);

        // status measures (and does not publish); deploy apply_mode=status publishes.
        var status = (await Ok("module", "status", "--module", ManagedSiteHelpers.ReplicaRef))["outputs"]!;
        status["replication_state"]!.GetValue<string>().ShouldBe("streaming");
        var published = (await Ok("module", "deploy", "--module", ManagedSiteHelpers.ReplicaRef, "--inputs", Inputs("status.json", new JsonObject { ["apply_mode"] = "status" })))["outputs"]!;
        published["last_status_at"].ShouldNotBeNull();
        published["lag_seconds"].ShouldNotBeNull();

        // Promotion guard: without the typed instance name, exit 3.
        var noConfirm = await Run("module", "deploy", "--module", ManagedSiteHelpers.PromoteRef);
        noConfirm.ExitCode.ShouldBe(3, noConfirm.ToString());
        noConfirm.StdErr.ShouldContain("HYO3001"); // the declared guard answers before the handler (HYO3031 is its typed-name check)

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
        (await InstanceRoleAsync()).ShouldBe("replica");

        // Resume apply: the pending rows arrive; then promote behind the barrier.
        await Exec(Target, "alter subscription hyops_dr_appdb enable");
        await WaitUntil(async () => await Scalar<long>(Target, "select count(*) from orders") == 100);
        // Barrier timeout: the apply worker is held on a lock on the target, so the barrier cannot arrive -> exit 8, HYO6043, nothing changed.
        await using (var blocker = new NpgsqlConnection(Target.ConnectionString))
        {
            await blocker.OpenAsync();
            await using var tx = await blocker.BeginTransactionAsync();
            await using (var lockCmd = new NpgsqlCommand("lock table hyops_dr.barrier in exclusive mode", blocker, tx))
            {
                await lockCmd.ExecuteNonQueryAsync();
            }

            var slow = Inputs("promote-slow.json", new JsonObject { ["promote_confirm"] = Instance, ["barrier_timeout_s"] = 2 });
            var timedOut = await Run("module", "deploy", "--module", ManagedSiteHelpers.PromoteRef, "--inputs", slow);
            timedOut.ExitCode.ShouldBe(8, timedOut.ToString());
            timedOut.StdErr.ShouldContain("HYO6043");
            (await Scalar<bool>(Target, "select subenabled from pg_subscription where subname = 'hyops_dr_appdb'")).ShouldBeTrue();
            (await InstanceRoleAsync()).ShouldBe("replica");
            await tx.RollbackAsync();
        }

        var sourceOrdersSeq = await Scalar<long>(Source, "select last_value from orders_id_seq");
        var promote = Inputs("promote.json", new JsonObject { ["promote_confirm"] = Instance });
        var promoted = (await Ok("module", "deploy", "--module", ManagedSiteHelpers.PromoteRef, "--inputs", promote))["outputs"]!;
        promoted["role"]!.GetValue<string>().ShouldBe("primary");
        promoted["promotion_mode"]!.GetValue<string>().ShouldBe("barrier");
        promoted["barrier_lsn"]!.GetValue<string>().ShouldContain("/");
        promoted["sequences_synced"]!.GetValue<int>().ShouldBeGreaterThanOrEqualTo(1);
        promoted["promoted_at"].ShouldNotBeNull();
        (await InstanceRoleAsync()).ShouldBe("primary");

        // Evidence of the promotion decision: the guard, the lag and health checks, the barrier, the sequence sync.
        // Two runs can share a second (run ids sort by time, then by a random suffix): tell them apart by content.
        var records = Directory.GetDirectories(Path.Combine(site.Root, "logs", "module", "org__gcp__cloudsql-promote"))
            .Select(d => File.ReadAllText(Path.Combine(d, "record.jsonl"))).ToList();
        records.Count.ShouldBe(4); // the guard refusal leaves its own auditable record
        records.Single(r => r.Contains("\"refused\"", StringComparison.Ordinal)).ShouldContain("promote_confirm");
        var barrierRecord = records.Single(r => r.Contains("HYO6043", StringComparison.Ordinal));
        barrierRecord.ShouldContain("\"name\":\"barrier_visible_on_standby\",\"passed\":false");
        barrierRecord.ShouldNotContain("apply_stopped");
        var refusedRecord = records.Single(r => r.Contains("HYO6042", StringComparison.Ordinal));
        refusedRecord.ShouldContain("\"name\":\"lag_within_policy\",\"passed\":false");
        refusedRecord.ShouldContain("HYO6042");
        refusedRecord.ShouldNotContain("apply_stopped");
        var promoteRecord = records.Single(r => r.Contains("\"exit_code\":0", StringComparison.Ordinal));
        foreach (var entry in new[] { "\"type\":\"guard\"", "\"name\":\"promote_confirm\"", "\"name\":\"lag_within_policy\",\"passed\":true", "\"name\":\"replication_healthy\",\"passed\":true", "\"name\":\"barrier_visible_on_standby\",\"passed\":true", "\"name\":\"sequences_synced\"", "PROMOTE_REPLICA", "\"name\":\"target_writable\"" })
        {
            promoteRecord.ShouldContain(entry);
        }

        promoteRecord.IndexOf("barrier_visible_on_standby", StringComparison.Ordinal).ShouldBeLessThan(promoteRecord.IndexOf("apply_stopped", StringComparison.Ordinal));
        promoteRecord.IndexOf("apply_stopped", StringComparison.Ordinal).ShouldBeLessThan(promoteRecord.IndexOf("PROMOTE_REPLICA", StringComparison.Ordinal));

        // The barrier row crossed; the subscription is gone; the target takes writes with ids ahead of the source.
        (await Scalar<long>(Target, "select count(*) from hyops_dr.barrier where id like 'promote-%'")).ShouldBe(2); // the timed-out one arrived later
        (await Scalar<long>(Target, "select count(*) from pg_subscription")).ShouldBe(0);
        var newId = await Scalar<long>(Target, "insert into orders (item, qty) values ('after-promotion', 1) returning id");
        newId.ShouldBeGreaterThan(sourceOrdersSeq + 999);
        (await Scalar<long>(Target, "select last_value from orders_id_seq")).ShouldBeGreaterThan(await Scalar<long>(Source, "select last_value from orders_id_seq"));

        // No autonomous cutover: the service record still points at the on-prem leader. Standby teardown is a
        // separate step: the source publication is still there after promotion.
        (await ServiceRecordAsync()).ShouldBe(dnsBefore);
        (await Scalar<long>(Source, "select count(*) from pg_publication where pubname = 'hyops_dr'")).ShouldBe(1);

        // The instance status re-reads the provider: primary now.
        (await Ok("module", "status", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", Inputs("instance.json", instance)))["outputs"]!["role"]!.GetValue<string>().ShouldBe("primary");

        // Standby teardown is separate from promotion: it retires the source publication and slot, and keeps target data.
        await Ok("module", "destroy", "--module", ManagedSiteHelpers.ReplicaRef);
        (await Scalar<long>(Source, "select count(*) from pg_publication")).ShouldBe(0);
        await WaitUntil(async () => await Scalar<long>(Source, "select count(*) from pg_replication_slots where slot_type = 'logical'") == 0);
        (await Scalar<long>(Target, "select count(*) from orders")).ShouldBe(101);
        using (var http = new HttpClient())
        {
            (await new PatroniClient(http).GetConfigAsync($"http://{site.Address("pg1")}:8008", CancellationToken.None))["ignore_slots"].ShouldBeNull();
        }

        var destroy = (JsonObject)instance.DeepClone();
        destroy["destroy_confirm"] = Instance;
        var confirm = Inputs("destroy.json", destroy);
        await Ok("module", "destroy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", confirm);

        // No password in any file under the runtime root, nor in any CLI output.
        string[] secrets = [adminPassword, replPassword, site.SuperuserPassword, site.ReplicationPassword];
        site.RuntimeFiles().Where(f => secrets.Any(s => f.Text.Contains(s, StringComparison.Ordinal))).Select(f => f.Path).ShouldBeEmpty();
        outputs.Where(o => secrets.Any(s => o.StdOut.Contains(s, StringComparison.Ordinal) || o.StdErr.Contains(s, StringComparison.Ordinal))).ShouldBeEmpty();
    }

    private Task<string> InstanceRoleAsync() => DrSourceFixture.InstanceRoleAsync(site, Instance);

    private Task PrepareSourceAsync() => DrSourceFixture.PrepareAsync(site, leader, replPassword);

    private void WriteDrSourceState(bool ready) => DrSourceFixture.WriteState(site, leader, ready);

    private Task<PgEndpoint> FindLeaderAsync() => DrSourceFixture.FindLeaderAsync(site);

    private async Task<string[]> ServiceRecordAsync() =>
        [.. (await HybridOps.Postgres.Dns.DnsQuery.QueryAAsync(site.Address("dns"), 53, "db.hyops.lab.", TimeSpan.FromSeconds(3), CancellationToken.None))!.Addresses];

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

    /// <summary>
    /// PostgreSQL copies each table through a permanent slot that sits inactive between the copy and the
    /// catch-up, and Patroni drops every inactive slot it does not know when it rereads its slot list. The
    /// link declares an ignore matcher for pgoutput slots of its database: such a slot survives a reread,
    /// while the same slot in a database without a link is dropped (the proof that the reread happened).
    /// </summary>
    private async Task TableSyncSlotsSurvivePatroniAsync()
    {
        using var http = new HttpClient();
        var patroni = new PatroniClient(http);
        var api = $"http://{site.Address("pg1")}:8008";
        var matcher = new JsonObject { ["type"] = "logical", ["database"] = Db, ["plugin"] = "pgoutput" };
        (await patroni.GetConfigAsync(api, CancellationToken.None))["ignore_slots"]!.AsArray().Count(m => JsonNode.DeepEquals(m, matcher)).ShouldBe(1);

        var postgres = leader with { Database = "postgres" };
        await Exec(Source, "select pg_create_logical_replication_slot('pg_1_sync_1_1', 'pgoutput')");
        await Exec(postgres, "select pg_create_logical_replication_slot('hyops_probe_unlinked', 'pgoutput')");
        // Patroni rereads its slot list after it creates a permanent slot.
        await patroni.PatchConfigAsync(api, new JsonObject { ["slots"] = new JsonObject { ["hyops_probe_physical"] = new JsonObject { ["type"] = "physical" } } }, CancellationToken.None);
        await WaitUntil(async () => await Scalar<long>(postgres, "select count(*) from pg_replication_slots where slot_name = 'hyops_probe_unlinked'") == 0);
        (await Scalar<long>(postgres, "select count(*) from pg_replication_slots where slot_name = 'pg_1_sync_1_1'")).ShouldBe(1);

        await patroni.PatchConfigAsync(api, new JsonObject { ["slots"] = new JsonObject { ["hyops_probe_physical"] = null } }, CancellationToken.None);
        await Exec(Source, "select pg_drop_replication_slot('pg_1_sync_1_1')");
    }

    private static Task Exec(PgEndpoint endpoint, string sql) => TestSql.ExecAsync(endpoint, sql);

    private static Task<T> Scalar<T>(PgEndpoint endpoint, string sql) => TestSql.ScalarAsync<T>(endpoint, sql);

    private static Task WaitUntil(Func<Task<bool>> condition) => DrSourceFixture.WaitUntilAsync(condition);
}
