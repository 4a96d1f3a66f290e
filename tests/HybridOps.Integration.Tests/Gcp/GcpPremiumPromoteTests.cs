using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Gcp.Fake;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Dns;
using HybridOps.Postgres.Sql;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>
/// The premium lane's standby and promote blueprints with provider gcp, against the fake whose DMS
/// job replicates real data from the lab: the standby holds the lab's rows and refuses client writes,
/// a standby whose job stopped streaming is refused by the preflight before the fence, a DMS promote
/// that fails (operation error, 403) gives its own diagnostic and exit code and changes nothing (or,
/// after the fence, leaves it FENCED naming the cause), and the promotion drill under a write load
/// loses no acknowledged commit, with the barrier row on the standby before the DMS `:promote`.
/// </summary>
[TestCaseOrderer(StepOrderer.Name, StepOrderer.Assembly)]
public sealed class GcpPremiumPromoteTests(GcpPremiumFixture f, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<GcpPremiumFixture>
{
    private const string Standby = "dr/postgresql-cloudsql-standby-gcp@v1";
    private const string Promote = "dr/postgresql-cloudsql-promote-gcp@v1";
    private const string Fence = "platform/onprem/postgresql-fence";
    private const string DrSource = "platform/onprem/postgresql-dr-source";
    private const string Failback = "dr/postgresql-cloudsql-failback-onprem@v1";
    private const string Fqdn = "db.hyops.lab.";
    private const string Instance = "hyops-dr-standby";
    private const string Cluster = "hyops-onprem";
    private const string JobVerb = "migrationJobs/hyops-dr-standby-dr:promote";

    private Site Site => f.Site;

    private GcpFakeSite Gcp => f.Gcp;

    private FakeGoogleCloud Cloud => Gcp.Fake;

    private string Confirmed => $"""
        fence_onprem:
          fence_confirm: {Cluster}
        promote:
          promote_confirm: {Instance}
        publish_endpoint:
          publish_confirm: "{Fqdn}"
        """;

    [Fact]
    [Step(0)]
    public async Task DrSource_ForGcp_NamesWhatDmsLacks_ThenPreparesPglogicalThroughPatroni_WithTheClusterNameConfirmed()
    {
        (await Gcp.RunAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);
        var inputs = $"source_databases: [postgres]\nallowed_consumer_cidrs: [\"{Site.BridgeAddress}/32\"]\nconsumer_provider: gcp\n";
        var refused = await Gcp.RunAsync("module", "deploy", "--module", DrSource, "--inputs", Inputs("src.yml", inputs));
        var unconfirmed = await Gcp.RunAsync("module", "deploy", "--module", DrSource, "--inputs", Inputs("src-wrong.yml", inputs + "prepare_pglogical_confirm: other-cluster\n"));

        refused.ExitCode.ShouldBe(5, refused.ToString());
        refused.StdErr.ShouldContain("HYO8011");
        refused.StdErr.ShouldContain("does not include pglogical");
        unconfirmed.ExitCode.ShouldBe(3, unconfirmed.ToString());
        unconfirmed.StdErr.ShouldContain("HYO8013");
        var leader = Site.Endpoint("pg1") with { Host = await LeaderHostAsync() };
        (await ScalarAsync<long>(leader, "select count(*) from pg_roles where rolname = 'hyops_dr_repl'")).ShouldBe(0);

        var prepared = await Gcp.RunAsync("module", "deploy", "--module", DrSource, "--inputs", Inputs("src-prep.yml", inputs + $"prepare_pglogical_confirm: {Cluster}\n"));

        prepared.ExitCode.ShouldBe(0, prepared.ToString());
        leader = Site.Endpoint("pg1") with { Host = await LeaderHostAsync() };
        (await ScalarAsync<string>(leader, "select current_setting('shared_preload_libraries')")).ShouldContain("pglogical");
        (await ScalarAsync<long>(leader, "select count(*) from pg_extension where extname = 'pglogical'")).ShouldBe(1);
        var evidence = Evidence("platform__onprem__postgresql-dr-source", State("platform__onprem__postgresql-dr-source")["run_id"]!.GetValue<string>());
        evidence.ShouldContain("pglogical_prepared");
        evidence.ShouldContain("patroni_restart");
        foreach (var m in new[] { "pg1", "pg2", "pg3" })
        {
            (await ScalarAsync<string>(Site.Endpoint(m), "select current_setting('shared_preload_libraries')")).ShouldContain("pglogical", customMessage: m);
        }
    }

    [Fact]
    [Step(1)]
    public async Task Standby_WithProviderGcp_ReplicatesTheLabsRowsThroughDms_AndCutsNoTraffic()
    {
        (await Site.HyopsAsync("lab", "load", "--duration", "2")).ExitCode.ShouldBe(0);
        var dnsBefore = await DigAsync();
        var inputs = Site.WriteInputs("standby-gcp.json", new JsonObject
        {
            ["dr_source"] = new JsonObject { ["allowed_consumer_cidrs"] = new JsonArray(Site.BridgeAddress + "/32"), ["consumer_provider"] = "gcp" },
            ["managed_instance"] = new JsonObject { ["provider"] = "gcp", ["inventory_state_ref"] = "", ["authorized_networks"] = new JsonArray(Site.Network), ["gcp"] = Gcp.GcpInputs() },
        });

        var r = await Gcp.RunAsync("blueprint", "deploy", "--ref", Standby, "--inputs", inputs);

        r.ExitCode.ShouldBe(0, r.ToString());
        var replica = State("org__gcp__cloudsql-external-replica")["outputs"]!;
        replica["replication_state"]!.GetValue<string>().ShouldBe("streaming");
        replica["job_phase"]!.GetValue<string>().ShouldBe("CDC");
        replica["read_only"]!.GetValue<bool>().ShouldBeTrue();
        replica["lag_bytes"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(0);
        Cloud.DataMigration.Walk.ShouldContain("RUNNING/FULL_DUMP");
        Cloud.DataMigration.Walk.ShouldContain("RUNNING/CDC");
        var acks = await ScalarAsync<long>(Site.Endpoint("pg1") with { Host = await LeaderHostAsync() }, "select count(*) from hyops_drill.acks");
        acks.ShouldBeGreaterThan(0);
        (await ScalarAsync<long>(ManagedEndpoint(), "select count(*) from hyops_drill.acks")).ShouldBe(acks);
        (await ClientWriteRefusedAsync()).ShouldBeTrue();
        (await DigAsync()).ShouldBe(dnsBefore);
        Cloud.Violations.ShouldBeEmpty();
    }

    [Fact]
    [Step(2)]
    public async Task Promote_WhenTheDmsJobStoppedStreaming_IsRefusedByThePreflightBeforeTheFence()
    {
        await SubscriptionsAsync("disable");
        CliResult r;
        try
        {
            await WaitUntilAsync(async () => await ScalarAsync<long>(Site.Endpoint("pg1") with { Host = await LeaderHostAsync() },
                "select count(*) from pg_stat_replication where usename = 'hyops_dr_repl'") == 0);
            r = await Gcp.RunAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("confirmed.yml", Confirmed));
        }
        finally
        {
            await SubscriptionsAsync("enable");
        }

        r.ExitCode.ShouldNotBe(0, r.ToString());
        r.ToString().ShouldContain("HYO6103");
        r.ToString().ShouldContain("no active consumer slot");
        BlueprintSteps()["standby_contract"].ShouldBe("error");
        BlueprintSteps()["fence_onprem"].ShouldBe("not_run");
        File.Exists(Site.StatePath("platform__onprem__postgresql-fence", "onprem")).ShouldBeFalse();
        (await WritesAsync(Site.Endpoint("pg1") with { Host = await LeaderHostAsync() })).ShouldBeTrue();
        await AssertStillStandbyAsync();
    }

    [Fact]
    [Step(3)]
    public async Task DmsPromote_OperationErrorAnd403_EachGiveTheirOwnDiagnosticAndExitCode_AndChangeNothing()
    {
        await WaitUntilStreamingAsync();
        Cloud.Inject(new FakeFault(FakeFaultKind.OperationError, JobVerb));
        var failed = await PromoteModuleAsync();
        Cloud.Inject(new FakeFault(FakeFaultKind.Status, JobVerb, HttpStatus: 403, RpcStatus: "PERMISSION_DENIED"));
        var denied = await PromoteModuleAsync();

        failed.ExitCode.ShouldBe(5, failed.ToString());
        failed.ToString().ShouldContain("HYO8006");
        denied.ExitCode.ShouldBe(15, denied.ToString());
        denied.ToString().ShouldContain("HYO8004");
        await AssertStillStandbyAsync();
    }

    [Fact]
    [Step(4)]
    public async Task DmsPromoteFailure_AfterTheFence_LeavesItFencedNotPromoted_NamingTheCauseAndTheUnfenceCommand()
    {
        await WaitUntilStreamingAsync();
        Cloud.Inject(new FakeFault(FakeFaultKind.OperationError, JobVerb));
        CliResult r;
        try
        {
            r = await Gcp.RunAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("confirmed.yml", Confirmed));
        }
        finally
        {
            (await UnfenceAsync()).ExitCode.ShouldBe(0);
        }

        r.ExitCode.ShouldBe(13, r.ToString());
        r.ToString().ShouldContain("HYO6104");
        r.ToString().ShouldContain("HYO8006");
        r.ToString().ShouldContain("module destroy --module platform/onprem/postgresql-fence");
        var steps = BlueprintSteps();
        steps["fence_onprem"].ShouldBe("ok");
        steps["verify_fence"].ShouldBe("ok");
        steps["promote"].ShouldBe("error");
        steps["publish_endpoint"].ShouldBe("not_run");
        await AssertStillStandbyAsync();
    }

    [Fact]
    [Step(5)]
    public async Task PromoteDrill_WithProviderGcp_UnderWriteLoad_LosesNoAcknowledgedCommit()
    {
        await WaitUntilStreamingAsync();
        var r = await Gcp.RunAsync("blueprint", "drill", "--ref", Promote, "--inputs", Inputs("confirmed.yml", Confirmed));

        r.ExitCode.ShouldBe(0, r.ToString());
        var report = JsonNode.Parse(r.StdOut)!;
        report["status"]!.GetValue<string>().ShouldBe("ok", report.ToJsonString());
        report["rpo"]!["missing_count"]!.GetValue<long>().ShouldBe(0, report["rpo"]!.ToJsonString());
        report["rpo"]!["acknowledged"]!.GetValue<long>().ShouldBeGreaterThan(0);
        output.WriteLine($"rpo {report["rpo"]!.ToJsonString()} rto {report["rto"]?.ToJsonString()}; job walk {string.Join(" -> ", Cloud.DataMigration.Walk)}");
        output.WriteLine(string.Join("\n", Cloud.DataMigration.Replication!.Log));
        var promoted = State("org__gcp__cloudsql-promote")["outputs"]!;
        promoted["role"]!.GetValue<string>().ShouldBe("primary");
        promoted["promotion_mode"]!.GetValue<string>().ShouldBe("barrier");
        promoted["host"]!.GetValue<string>().ShouldBe(ManagedHost);
        (await DigAsync()).ShouldBe(ManagedHost);
        (await WritesAsync(ManagedEndpoint())).ShouldBeTrue();
        (await WritesAsync(Site.Endpoint("pg1") with { Host = await LeaderHostAsync() })).ShouldBeFalse();
        Cloud.DataMigration.Jobs["hyops-dr-standby-dr"]["state"]!.GetValue<string>().ShouldBe("COMPLETED");
        Cloud.DataMigration.Walk.ShouldContain("RUNNING/PROMOTE_IN_PROGRESS");
        Cloud.SqlAdmin.Instances[Instance]["instanceType"]!.GetValue<string>().ShouldBe("CLOUD_SQL_INSTANCE");

        // The barrier was on the standby before the DMS promote was asked for.
        var evidence = Evidence("org__gcp__cloudsql-promote", State("org__gcp__cloudsql-promote")["run_id"]!.GetValue<string>());
        var barrier = evidence.IndexOf("barrier_visible_on_standby", StringComparison.Ordinal);
        barrier.ShouldBeGreaterThan(0);
        evidence.IndexOf("migration_job_promoted", StringComparison.Ordinal).ShouldBeGreaterThan(barrier);
        evidence.ShouldContain(":promote");
        Cloud.Violations.ShouldBeEmpty();
    }

    [Fact]
    [Step(6)]
    public async Task FailbackDrill_WithProviderGcp_FencesCloudSqlByItsFlag_ReseedsANewOnpremLineage_KeepsEveryAckedCommit()
    {
        // On-prem is fenced since the promotion: its lineage is read from state; the reseed retires the old
        // cluster through each member's service manager (wipe_confirm typed).
        var oldId = State("platform__onprem__postgresql-ha")["outputs"]!["system_identifier"]!.GetValue<string>();
        var now = DateTimeOffset.UtcNow;
        var r = await Gcp.RunAsync("blueprint", "drill", "--ref", Failback, "--rate", "20", "--report-dir", Path.Combine(Site.Dir, "failback-drill"), "--inputs", Inputs("fb.yml", $"""
            maintenance_gate:
              confirm: true
              confirm_target: {Cluster}
              confirm_nonce: {await NonceAsync()}
              window_start: "{now.AddMinutes(-5):O}"
              window_end: "{now.AddMinutes(30):O}"
            fence_managed:
              fence_confirm: {Instance}
            reseed_onprem:
              reseed_confirm: {Cluster}
              wipe_confirm: {Cluster}
            """));

        r.ExitCode.ShouldBe(0, r.ToString());
        var drill = JsonNode.Parse(r.StdOut)!;
        drill["status"]!.GetValue<string>().ShouldBe("ok", drill.ToJsonString());
        drill["rpo"]!["acknowledged"]!.GetValue<long>().ShouldBeGreaterThan(0);
        drill["rpo"]!["missing_count"]!.GetValue<long>().ShouldBe(0, drill["rpo"]!.ToJsonString());
        output.WriteLine($"failback drill: rto {drill["rto"]!.ToJsonString()} rpo {drill["rpo"]!.ToJsonString()}");

        // The managed fence went through the Cloud SQL Admin API (flags.list, then the flag in instances.patch) and holds on the real server.
        Cloud.Calls("sqladmin", "GET", "/flags").ShouldNotBeEmpty();
        Cloud.SqlAdmin.Instances[Instance]["settings"]!["databaseFlags"]!.ToJsonString().ShouldContain("default_transaction_read_only");
        (await ClientWriteRefusedAsync()).ShouldBeTrue();
        var onprem = State("platform__onprem__postgresql-ha")["outputs"]!;
        onprem["apply_mode"]!.GetValue<string>().ShouldBe("reseed");
        onprem["system_identifier"]!.GetValue<string>().ShouldNotBe(oldId);
        State("platform__network__dns-routing")["outputs"]!["target"]!.GetValue<string>().ShouldBe(onprem["leader_host"]!.GetValue<string>());
        (await DigAsync()).ShouldBe(onprem["leader_host"]!.GetValue<string>());
        Cloud.SqlAdmin.Instances[Instance]["state"]!.GetValue<string>().ShouldBe("RUNNABLE");
        Cloud.Violations.ShouldBeEmpty();
    }

    [Fact]
    [Step(7)]
    public void NoKeyTokenOrPasswordInTheRuntimeRootOrAnyOutput() =>
        Gcp.AssertNoSecretAnywhere(f.DrPassword, Site.SuperuserPassword, Site.ReplicationPassword);

    private Task<CliResult> PromoteModuleAsync() => Gcp.ModuleAsync("deploy", "org/gcp/cloudsql-promote", new JsonObject
    {
        ["target_state_ref"] = "org/gcp/cloudsql-postgresql",
        ["replica_state_ref"] = "org/gcp/cloudsql-external-replica",
        ["source_state_ref"] = "platform/onprem/postgresql-dr-source",
        ["inventory_state_ref"] = "platform/onprem/inventory",
        ["max_lag_bytes"] = 16777216,
        ["promote_confirm"] = Instance,
    });

    private async Task<string> NonceAsync()
    {
        var gate = await Gcp.RunAsync("module", "status", "--module", "core/shared/manual-gate", "--instance", "failback-managed", "--inputs", Inputs("gate.yml", """
            gate_id: failback-managed
            target_state_ref: platform/onprem/inventory
            target_output_key: cluster_name
            """));
        gate.ExitCode.ShouldBe(0, gate.ToString());
        return JsonNode.Parse(gate.StdOut)!["outputs"]!["nonce"]!.GetValue<string>();
    }

    private Task<CliResult> UnfenceAsync() =>
        Gcp.RunAsync("module", "destroy", "--module", Fence, "--instance", "onprem", "--inputs", Inputs("fence.yml", $"""
            apply_mode: fence
            cluster_state_ref: platform/onprem/postgresql-ha
            keep_rules_state_ref: platform/onprem/postgresql-dr-source
            fence_confirm: {Cluster}
            """));

    private string ManagedHost => State("org__gcp__cloudsql-postgresql")["outputs"]!["host"]!.GetValue<string>();

    private PgEndpoint ManagedEndpoint() => Site.Endpoint("pg1") with { Host = ManagedHost };

    /// <summary>The fake DMS job's subscriptions on the destination (what stands for DMS stopping and resuming its stream).</summary>
    private async Task SubscriptionsAsync(string verb)
    {
        var slot = FakeDmsReplication.SlotName("hyops-dr-standby-dr", "postgres");
        await ExecAsync(ManagedEndpoint() with { Options = "-c default_transaction_read_only=off" }, $"alter subscription {slot} {verb}");
    }

    private async Task WaitUntilStreamingAsync() => await WaitUntilAsync(async () =>
        await ScalarAsync<long>(Site.Endpoint("pg1") with { Host = await LeaderHostAsync() }, "select count(*) from pg_stat_replication where usename = 'hyops_dr_repl'") > 0);

    private async Task AssertStillStandbyAsync()
    {
        Cloud.SqlAdmin.Instances[Instance]["instanceType"]!.GetValue<string>().ShouldBe("READ_REPLICA_INSTANCE");
        Cloud.DataMigration.Jobs["hyops-dr-standby-dr"]["state"]!.GetValue<string>().ShouldBe("RUNNING");
        (await ClientWriteRefusedAsync()).ShouldBeTrue();
        if (File.Exists(Site.StatePath("org__gcp__cloudsql-promote")))
        {
            // A failed run records itself (status error) and publishes nothing a later step could use.
            var promote = State("org__gcp__cloudsql-promote");
            promote["status"]!.GetValue<string>().ShouldBe("error");
            promote["outputs"]?["role"].ShouldBeNull();
        }
    }

    /// <summary>A plain client session's write into a replicated table is refused with 25006 (read-only until the promote).</summary>
    private async Task<bool> ClientWriteRefusedAsync()
    {
        try
        {
            await ExecAsync(ManagedEndpoint(), $"insert into hyops_dr.barrier (id) values ('client-{Guid.NewGuid():N}')");
            return false;
        }
        catch (Npgsql.PostgresException ex) when (ex.SqlState == "25006")
        {
            return true;
        }
    }

    private Dictionary<string, string> BlueprintSteps()
    {
        var bp = JsonNode.Parse(File.ReadAllText(Path.Combine(Site.Root, "state", "blueprints", "dr__postgresql-cloudsql-promote-gcp@v1", "latest.json")))!;
        return bp["steps"]!.AsArray().ToDictionary(s => s!["id"]!.GetValue<string>(), s => s!["status"]!.GetValue<string>());
    }

    private string Evidence(string moduleId, string runId) =>
        string.Concat(Directory.EnumerateFiles(Path.Combine(Site.Root, "logs", "module", moduleId, runId)).Order(StringComparer.Ordinal).Select(File.ReadAllText));

    private JsonNode State(string moduleId, string? instance = null) => JsonNode.Parse(File.ReadAllText(Site.StatePath(moduleId, instance)))!;

    private string Inputs(string name, string yaml)
    {
        var path = Path.Combine(Site.Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private async Task<string?> DigAsync() =>
        (await DnsQuery.QueryAAsync(Site.Address("dns"), 53, Fqdn, TimeSpan.FromSeconds(2), CancellationToken.None))?.Addresses.FirstOrDefault();

    private async Task<string> LeaderHostAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var cluster = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://{Site.Address("pg1")}:8008/cluster")))!;
        var leader = cluster["members"]!.AsArray().Single(m => m!["role"]!.GetValue<string>() == "leader")!["name"]!.GetValue<string>();
        return Site.Address(leader);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(300);
        }

        (await condition()).ShouldBeTrue("condition not met within 30s");
    }
}
