using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Premium;

/// <summary>
/// The premium lane's failback on lab hosts of block 2, reached only over SSH (on-prem site, DNS host,
/// the managed provider's host): the fixture makes the managed instance on its host the PRIMARY the way
/// the lane does (dr-source, managed instance, logical replication, fenced-less promote with the source
/// reachable) and points the service record at it. Then: refusals without gate or fencing confirmation
/// change nothing; the operator retires the old on-prem database tier (Patroni stopped on every member,
/// as on any site hyops does not run) and the failback drill (gate, managed fence, reseed into a NEW
/// on-prem lineage on the same hosts, verification, cutback) keeps every acknowledged commit; readiness
/// (8) and publication (9) failures are told apart.
/// </summary>
[Trait("lab", "hosts")]
[TestCaseOrderer(StepOrderer.Name, StepOrderer.Assembly)]
public sealed class PremiumFailbackTests(PremiumFailbackFixture f, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<PremiumFailbackFixture>
{
    private const string Failback = "dr/postgresql-cloudsql-failback-onprem@v1";

    private Site Site => f.Site;

    [Fact]
    [Step(1)]
    public async Task Failback_WithoutGateConfirmation_IsRefusedBeforeAnythingChanges()
    {
        var r = await Site.HyopsAsync("blueprint", "deploy", "--ref", Failback, "--inputs", f.Inputs("nogate.yml", $"""
            fence_managed:
              fence_confirm: {PremiumFailbackFixture.Instance}
            reseed_onprem:
              reseed_confirm: hyops-onprem
              wipe_confirm: hyops-onprem
            """));

        r.ExitCode.ShouldBe(3, r.ToString());
        r.StdErr.ShouldContain("confirm");
        (await ManagedWriteAsync()).ShouldBe("accepted");
        (await OnpremSystemIdAsync()).ShouldBe(f.OldSystemId);
        (await StateAsync("org__gcp__cloudsql-postgresql"))["outputs"]!["write_fenced"]!.GetValue<bool>().ShouldBeFalse();
    }

    [Fact]
    [Step(2)]
    public async Task Failback_WithoutManagedFencingConfirmation_IsRefusedBeforeAnythingChanges()
    {
        var nonce = await f.NonceAsync();
        var r = await Site.HyopsAsync("blueprint", "deploy", "--ref", Failback, "--inputs", f.Inputs("nofence.yml", $"""
            maintenance_gate:
              confirm: true
              confirm_target: hyops-onprem
              confirm_nonce: {nonce}
            reseed_onprem:
              reseed_confirm: hyops-onprem
              wipe_confirm: hyops-onprem
            """));

        r.ExitCode.ShouldBe(3, r.ToString());
        r.StdErr.ShouldContain("fence_confirm");
        (await ManagedWriteAsync()).ShouldBe("accepted");
        (await OnpremSystemIdAsync()).ShouldBe(f.OldSystemId);
    }

    [Fact]
    [Step(3)]
    public async Task FailbackDrill_ReseedsANewLineage_KeepsEveryAckedCommit_CutsBack_AndKeepsTheManagedInstance()
    {
        // The old (fenced) cluster still runs: the reseed retires it itself, through each member's service manager.
        PremiumHosts.Members.ShouldAllBe(m => Site.RunsOn(m, "/usr/bin/patroni"));
        var nonce = await f.NonceAsync();
        var now = DateTimeOffset.UtcNow;
        var reportDir = Path.Combine(Site.Dir, "failback-drill");
        var r = await Site.HyopsAsync("blueprint", "drill", "--ref", Failback, "--output", "json", "--rate", "20", "--report-dir", reportDir, "--inputs", f.Inputs("fb.yml", $"""
            maintenance_gate:
              confirm: true
              confirm_target: hyops-onprem
              confirm_nonce: {nonce}
              window_start: "{now.AddMinutes(-5):O}"
              window_end: "{now.AddMinutes(30):O}"
            fence_managed:
              fence_confirm: {PremiumFailbackFixture.Instance}
            reseed_onprem:
              reseed_confirm: hyops-onprem
              wipe_confirm: hyops-onprem
            """));
        r.ExitCode.ShouldBe(0, r.ToString());
        var drill = JsonNode.Parse(r.StdOut)!;

        // RPO 0: every commit acknowledged on the managed primary before its fence is on the new on-prem primary.
        drill["status"]!.GetValue<string>().ShouldBe("ok", drill.ToJsonString());
        drill["rpo"]!["acknowledged"]!.GetValue<long>().ShouldBeGreaterThan(0);
        drill["rpo"]!["missing_count"]!.GetValue<long>().ShouldBe(0, drill["rpo"]!.ToJsonString());
        drill["rto"]!["seconds"]!.GetValue<double>().ShouldBeGreaterThan(0);
        output.WriteLine($"failback drill: rto {drill["rto"]!.ToJsonString()} rpo {drill["rpo"]!.ToJsonString()}");
        output.WriteLine($"phases: {drill["phases"]!.ToJsonString()}");
        var phases = drill["phases"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
        phases.ShouldContain("step fence_managed");
        phases.ShouldContain("step reseed_onprem");
        phases.ShouldContain("step cutback");

        // New lineage (MDR-R4 / FBK-2.1): a new system identifier, no member of the old timeline running.
        var onprem = (await StateAsync("platform__onprem__postgresql-ha"))["outputs"]!;
        onprem["apply_mode"]!.GetValue<string>().ShouldBe("reseed");
        var newId = onprem["system_identifier"]!.GetValue<string>();
        newId.ShouldNotBe(f.OldSystemId);
        onprem["lineage"]!["previous_system_identifier"]!.GetValue<string>().ShouldBe(f.OldSystemId);
        (await OnpremSystemIdAsync()).ShouldBe(newId);
        // The old members' data dirs and Patroni configs (as the lab published them) serve no process on their
        // hosts; the new cluster's Patroni runs from the rebuild root.
        var inventory = f.Lab["inventory"]!;
        var rebuilt = $"{inventory["rebuild_root"]!.GetValue<string>()}/hyops-onprem/";
        foreach (var member in inventory["members"]!.AsArray())
        {
            var m = member!["name"]!.GetValue<string>();
            Site.RunsOn(m, member["postgres"]!["data_dir"]!.GetValue<string>()).ShouldBeFalse(m);
            Site.RunsOn(m, member["postgres"]!["config_dir"]!.GetValue<string>() + "/patroni.yml").ShouldBeFalse(m);
            Site.RunsOn(m, rebuilt).ShouldBeTrue(m);
            (await PgProbe.ScalarAsync<string>(Site.Endpoint(m), "select system_identifier::text from pg_control_system()", CancellationToken.None)).ShouldBe(newId);
        }

        // Retired over ssh (the typed wipe_confirm): each old member's Patroni service stopped, recorded; etcd untouched.
        var evidence = string.Concat(Directory.EnumerateFiles(Path.Combine(Site.Root, "logs", "module", "platform__onprem__postgresql-ha"), "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        foreach (var m in PremiumHosts.Members)
        {
            evidence.ShouldContain($"retire site member {m}: stop patroni");
        }

        await Site.SshAsync("etcd", "start-stop-daemon --status --pidfile /run/hyops/etcd.pid");

        // Per-table row counts and checksums equal to the managed primary (computed here, independently).
        var leader = Site.Endpoint("pg1") with { Host = onprem["leader_host"]!.GetValue<string>() };
        var managed = f.Managed("postgres");
        (await ManagedWriteAsync()).ShouldBe("read_only");
        var ackLog = Path.Combine(reportDir, "load", "acks.jsonl");
        var acked = File.ReadLines(ackLog).Select(l => JsonNode.Parse(l)!["id"]!.GetValue<long>()).ToList();
        acked.Count.ShouldBeGreaterThan(0);
        foreach (var (db, table) in new[] { ("appdb", "public.orders"), ("appdb", "public.customers"), ("postgres", "hyops_drill.acks") })
        {
            var onManaged = await ChecksumAsync(managed with { Database = db }, table);
            var onPrem = await ChecksumAsync(leader with { Database = db }, table);
            if (table == "hyops_drill.acks")
            {
                // After the cutback the load kept writing on-prem: compare the rows written before the fence.
                var fencedAt = (await StateAsync("org__gcp__cloudsql-postgresql"))["outputs"]!["fence"]!["fenced_at"]!.GetValue<DateTimeOffset>();
                var cut = $"written_at <= '{fencedAt.UtcDateTime:O}'";
                onManaged = await ChecksumAsync(managed with { Database = db }, table, cut);
                onPrem = await ChecksumAsync(leader with { Database = db }, table, cut);
            }

            onPrem.ShouldBe(onManaged, $"{db}.{table}");
            onManaged.Rows.ShouldBeGreaterThan(0);
        }

        var present = await PgProbe.ScalarAsync<long>(leader, $"select count(*) from hyops_drill.acks where id in ({string.Join(",", acked)})", CancellationToken.None);
        present.ShouldBe(acked.Count);
        var verification = onprem["verification"]!["appdb"]!["managed"]!["public.orders"]!;
        verification["rows"]!.GetValue<long>().ShouldBe(75);

        // Cutback: DNS points at the on-prem leader; the managed instance still exists (fenced) - destroy is separate.
        (await StateAsync("platform__network__dns-routing"))["outputs"]!["target"]!.GetValue<string>().ShouldBe(leader.Host);
        var status = await Site.HyopsAsync("--output", "json", "module", "status", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", f.InstanceInputs);
        status.ExitCode.ShouldBe(0, status.ToString());
        JsonNode.Parse(status.StdOut)!["outputs"]!["state"]!.GetValue<string>().ShouldBe("RUNNABLE");
        (await PgProbe.ScalarAsync<long>(managed with { Database = "appdb" }, "select count(*) from orders", CancellationToken.None)).ShouldBe(75);

        string[] secrets = [f.AdminPassword, f.ReplPassword, Site.SuperuserPassword, Site.ReplicationPassword];
        Site.RuntimeFiles().Where(x => secrets.Any(s => x.Text.Contains(s, StringComparison.Ordinal))).Select(x => x.Path).ShouldBeEmpty();
        secrets.Any(s => r.StdOut.Contains(s, StringComparison.Ordinal) || r.StdErr.Contains(s, StringComparison.Ordinal)).ShouldBeFalse();
    }

    [Fact]
    [Step(4)]
    public async Task Failback_PublicationFailure_Exits9_AndReadinessFailure_Exits8()
    {
        var inputs = $"""
            fence_managed:
              fence_confirm: {PremiumFailbackFixture.Instance}
            reseed_onprem:
              reseed_confirm: hyops-onprem
              wipe_confirm: hyops-onprem
            """;

        // DNS authority down (pdns stopped on its host): readiness passes, the cutback publication fails (9).
        await Site.StopServiceAsync("dns", "pdns");
        var pub = await Site.HyopsAsync("--output", "json", "blueprint", "deploy", "--ref", Failback, "--inputs", f.Inputs("pub.yml", Gate(await f.NonceAsync()) + inputs));
        pub.ExitCode.ShouldBe(9, pub.ToString());
        StepStatus(pub, "reseed_onprem").ShouldBe("skipped");
        StepStatus(pub, "onprem_readiness").ShouldBe("ok");

        // A replica of the new cluster gone (its Patroni service stopped on its host, which stops its PostgreSQL):
        // readiness fails (8) and the cutback does not run.
        var onprem = (await StateAsync("platform__onprem__postgresql-ha"))["outputs"]!;
        var replica = PremiumHosts.Members.First(m => Site.Address(m) != onprem["leader_host"]!.GetValue<string>());
        await Site.StopServiceAsync(replica, "patroni-hyops-onprem");

        var ready = await Site.HyopsAsync("--output", "json", "blueprint", "deploy", "--ref", Failback, "--inputs", f.Inputs("ready.yml", Gate(await f.NonceAsync()) + inputs));
        ready.ExitCode.ShouldBe(8, ready.ToString());
        StepStatus(ready, "onprem_readiness").ShouldNotBe("ok");
        StepStatus(ready, "cutback").ShouldBe("not_run");
    }

    private static string Gate(string nonce) => $"""
        maintenance_gate:
          confirm: true
          confirm_target: hyops-onprem
          confirm_nonce: {nonce}

        """;

    private static string StepStatus(CliResult r, string step)
    {
        var json = JsonNode.Parse(r.StdOut)!;
        return json["steps"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == step)!["status"]!.GetValue<string>();
    }

    private async Task<string> ManagedWriteAsync()
    {
        try
        {
            await using var conn = new NpgsqlConnection(f.Managed().ConnectionString);
            await conn.OpenAsync();
            await using var tx = await conn.BeginTransactionAsync();
            await using var cmd = new NpgsqlCommand("insert into customers values (999, 'probe')", conn, tx);
            await cmd.ExecuteNonQueryAsync();
            await tx.RollbackAsync();
            return "accepted";
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction)
        {
            return "read_only";
        }
    }

    private async Task<string> OnpremSystemIdAsync()
    {
        var leader = await DrSourceFixture.FindLeaderAsync(Site);
        return await PgProbe.ScalarAsync<string>(leader, "select system_identifier::text from pg_control_system()", CancellationToken.None);
    }

    private static async Task<(long Rows, string Sum)> ChecksumAsync(PgEndpoint endpoint, string table, string where = "true")
    {
        await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            $"set timezone = 'UTC'; select count(*), coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text) collate \"C\")), '') from {table} t where {where}", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetString(1));
    }

    private Task<JsonNode> StateAsync(string moduleId) => Task.FromResult(JsonNode.Parse(File.ReadAllText(Site.StatePath(moduleId)))!);
}

/// <summary>
/// One lab on hosts for the class (block 2, reached over SSH): the managed instance on the provider's host
/// promoted to primary and serving db.hyops.lab.
/// </summary>
public class PremiumFailbackFixture : IAsyncLifetime
{
    public const string Instance = "hyops-dr-standby";
    public const int Block = 2;

    // xunit builds a class fixture through its one public constructor; other blocks come from subclasses.
    public PremiumFailbackFixture()
        : this(Block)
    {
    }

    protected PremiumFailbackFixture(int block)
    {
        Site = Site.OnHosts(block);
    }

    /// <summary>The managed provider's host, where the instance listens.</summary>
    public string ManagedHost => Site.Address("managed");

    /// <summary>The instance's port on its host, from its state.</summary>
    public int ManagedPort { get; private set; }

    public Site Site { get; }

    public string AdminPassword { get; } = "ma-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    public string ReplPassword { get; } = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));

    public string OldSystemId { get; private set; } = "";

    /// <summary>The managed instance's inputs file (its provider's host, the authorized site network), for deploy and status.</summary>
    public string InstanceInputs { get; private set; } = "";

    /// <summary>`lab up --output json`: the published inventory (the old cluster's members), managed_site, dr_site.</summary>
    public JsonNode Lab { get; private set; } = null!;

    /// <summary>The managed instance as its admin reaches it from the site network.</summary>
    public PgEndpoint Managed(string database = DrSourceFixture.Db) => new(ManagedHost, ManagedPort, "hyops_admin", AdminPassword, database);

    public async Task InitializeAsync()
    {
        Site.Environment["HYOPS_MANAGED_ADMIN_PASSWORD"] = AdminPassword;
        Site.Environment[DrSourceFixture.ReplicationKey] = ReplPassword;
        var up = Lab = JsonNode.Parse((await Site.StartAsync([])).StdOut)!;
        var managedSite = up["managed_site"]!;
        OldSystemId = (await Site.OkAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha"))["outputs"]!["system_identifier"]!.GetValue<string>();
        var leader = await DrSourceFixture.FindLeaderAsync(Site);

        // The source admits the replication role from the managed host's address only (not this machine's bridge address).
        var consumer = managedSite["consumer_cidrs"]![0]!.GetValue<string>();
        await DrSourceFixture.PrepareAsync(Site, leader, ReplPassword, consumer);
        DrSourceFixture.WriteState(Site, leader, ready: true, consumer);
        InstanceInputs = Site.WriteInputs("instance.json", new JsonObject
        {
            ["provider_host"] = managedSite["provider_host"]!.DeepClone(),
            ["authorized_networks"] = new JsonArray(up["dr_site"]!["client_networks"]![0]!.GetValue<string>()),
        });
        ManagedPort = (await Site.OkAsync("module", "deploy", "--module", ManagedSiteHelpers.InstanceRef, "--inputs", InstanceInputs))["outputs"]!["port"]!.GetValue<int>();
        await Site.OkAsync("module", "deploy", "--module", ManagedSiteHelpers.ReplicaRef);
        await TestSql.ExecAsync(leader with { Database = DrSourceFixture.Db }, "insert into orders (item, qty) select 'x-' || g, g from generate_series(1, 25) g");
        var target = Managed();
        await DrSourceFixture.WaitUntilAsync(async () => await TestSql.ScalarAsync<long>(target, "select count(*) from orders") == 75);
        await Site.OkAsync("module", "deploy", "--module", ManagedSiteHelpers.PromoteRef, "--inputs", Site.WriteInputs("promote.json", new JsonObject { ["promote_confirm"] = Instance }));

        // The application's role on the managed primary (the write load connects as postgres with the lab password).
        await TestSql.ExecAsync(target with { Database = "postgres" }, $"create role postgres login superuser password '{Site.SuperuserPassword}'");
        await Site.OkAsync("module", "deploy", "--module", "platform/network/dns-routing", "--inputs", Inputs("dns.yml", $"target_host: \"{ManagedHost}\"\n"));
    }

    public async Task DisposeAsync() => await Site.DisposeAsync();

    public async Task<string> NonceAsync()
    {
        var gate = await Site.OkAsync("module", "status", "--module", "core/shared/manual-gate", "--instance", "failback-managed", "--inputs", Inputs("gate.yml", """
            gate_id: failback-managed
            target_state_ref: platform/onprem/inventory
            target_output_key: cluster_name
            """));
        return gate["outputs"]!["nonce"]!.GetValue<string>();
    }

    public string Inputs(string name, string yaml)
    {
        var path = Path.Combine(Site.Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }
}
