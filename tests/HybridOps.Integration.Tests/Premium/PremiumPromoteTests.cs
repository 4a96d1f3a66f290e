using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Dns;
using HybridOps.Postgres.Sql;
using Npgsql;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Premium;

/// <summary>
/// One lab on hosts (block 14, reached over SSH) for the premium lane's blueprints: the on-prem site, the
/// DNS host and the managed provider's host, where the standby runs as a service of its service manager.
/// </summary>
public sealed class PremiumFixture : IAsyncLifetime
{
    public const string DrKey = "HYOPS_DR_REPLICATION_PASSWORD";
    public const int Block = 14;

    public PremiumFixture()
    {
        Site.Environment[DrKey] = DrPassword;
    }

    public Site Site { get; } = Site.OnHosts(Block);

    public string DrPassword { get; } = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>`lab up --output json`: managed_site, dr_site.</summary>
    public JsonNode Lab { get; private set; } = null!;

    public async Task InitializeAsync() => Lab = JsonNode.Parse((await Site.StartAsync([])).StdOut)!;

    public async Task DisposeAsync() => await Site.DisposeAsync();
}

/// <summary>
/// The premium lane's standby and promote blueprints through the CLI on lab hosts of block 14, reached
/// only over SSH (the standby on the managed provider's host): the standby cuts no traffic, refusals
/// change nothing, the promotion drill under a write load loses no acknowledged commit, a failed publication after a promotion is PARTIAL (exit 10) and a rerun
/// publishes without promoting again, and no password lands in the runtime root.
/// </summary>
[Trait("lab", "hosts")]
[TestCaseOrderer(StepOrderer.Name, StepOrderer.Assembly)]
public sealed class PremiumPromoteTests(PremiumFixture f) : IClassFixture<PremiumFixture>
{
    private const string Standby = "dr/postgresql-cloudsql-standby-gcp@v1";
    private const string Promote = "dr/postgresql-cloudsql-promote-gcp@v1";
    private const string Fence = "platform/onprem/postgresql-fence";
    private const string Fqdn = "db.hyops.lab.";
    private const string Instance = "hyops-dr-standby";
    private const string Cluster = "hyops-onprem";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private Site Site => f.Site;

    /// <summary>The managed provider's host, where the standby listens.</summary>
    private string Managed => Site.Address("managed");

    private string Confirmed => $"""
        fence_onprem:
          fence_confirm: {Cluster}
        promote:
          promote_confirm: {Instance}
        publish_endpoint:
          publish_confirm: "{Fqdn}"
        """;

    [Fact]
    [Step(1)]
    public async Task Standby_EstablishesStreamingReplication_AndCutsNoTraffic()
    {
        // The load's table must exist (with its primary key) before establish so it is replicated.
        (await Site.HyopsAsync("lab", "load", "--duration", "2")).ExitCode.ShouldBe(0);
        var dnsBefore = await DigAsync();
        var leaderBefore = await LeaderAsync();

        var r = await Site.HyopsAsync("blueprint", "deploy", "--ref", Standby, "--inputs", Inputs("standby.json", PremiumHosts.StandbyInputs(f.Lab).ToJsonString()));

        r.ExitCode.ShouldBe(0, r.ToString());
        var replica = State("org__gcp__cloudsql-external-replica");
        replica["status"]!.GetValue<string>().ShouldBe("ok");
        replica["outputs"]!["replication_state"]!.GetValue<string>().ShouldBe("streaming");
        replica["outputs"]!["target_host"]!.GetValue<string>().ShouldBe(Managed);
        replica["outputs"]!["synced_tables"]!.GetValue<int>().ShouldBe(replica["outputs"]!["total_tables"]!.GetValue<int>());
        State("platform__onprem__postgresql-dr-source")["outputs"]!["pg_hba_rules_added"]!.AsArray().Count.ShouldBeGreaterThan(0);
        (await ScalarAsync<long>(ManagedEndpoint(), "select count(*) from hyops_drill.acks")).ShouldBeGreaterThan(0);

        // MDR-N1: the service record and the on-prem leader are unchanged, the leader still takes writes.
        (await DigAsync()).ShouldBe(dnsBefore);
        (await LeaderAsync()).ShouldBe(leaderBefore);
        (await WritesAsync(Site.Endpoint("pg1") with { Host = dnsBefore! })).ShouldBeTrue();
        File.Exists(Site.StatePath("platform__network__dns-routing")).ShouldBeFalse();
    }

    [Fact]
    [Step(2)]
    public async Task Promote_WithoutFenceOrPublishConfirmation_IsRefusedBeforeAnyStep()
    {
        var hba = await DcsHbaAsync();

        var noFence = await Site.HyopsAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("nofence.yml", $"""
            promote:
              promote_confirm: {Instance}
            publish_endpoint:
              publish_confirm: "{Fqdn}"
            """));
        var noPublish = await Site.HyopsAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("nopublish.yml", $"""
            fence_onprem:
              fence_confirm: {Cluster}
            promote:
              promote_confirm: {Instance}
            """));

        noFence.ExitCode.ShouldBe(3, noFence.ToString());
        noFence.StdErr.ShouldContain("fence_confirm");
        noPublish.ExitCode.ShouldBe(3, noPublish.ToString());
        noPublish.StdErr.ShouldContain("publish_confirm");
        (await DcsHbaAsync()).ShouldBe(hba);
        File.Exists(Site.StatePath("platform__onprem__postgresql-fence", "onprem")).ShouldBeFalse();
        File.Exists(Site.StatePath("org__gcp__cloudsql-promote")).ShouldBeFalse();
        await AssertStillStandbyAsync();
    }

    [Fact]
    [Step(3)]
    public async Task Promote_WhileThePrimaryStillTakesWrites_TheVerifyStepRefuses_NothingPromoted()
    {
        // A fence state that is ok, but a DBA reopened pg_hba behind hyops' back: the fence step is skipped
        // (state ok, same inputs), the verify step's probes find a writable member and refuse.
        var hba = await DcsHbaAsync();
        var fence = await Site.HyopsAsync("module", "deploy", "--module", Fence, "--instance", "onprem", "--inputs", Inputs("fence.yml", $"""
            apply_mode: fence
            cluster_state_ref: platform/onprem/postgresql-ha
            keep_rules_state_ref: platform/onprem/postgresql-dr-source
            fence_confirm: {Cluster}
            """));
        fence.ExitCode.ShouldBe(0, fence.ToString());
        var kept = State("platform__onprem__postgresql-fence", "onprem")["outputs"]!["kept_rules"]!.AsArray();
        // The consumer's allow lines are kept open; its reject lines need no keeping (the fence rejects every other address).
        var added = State("platform__onprem__postgresql-dr-source")["outputs"]!["pg_hba_rules_added"]!.AsArray().Select(k => k!.GetValue<string>()).ToList();
        added.Count(l => l.EndsWith(" reject", StringComparison.Ordinal)).ShouldBe(4);
        kept.Select(k => k!.GetValue<string>()).ShouldBe(added.Where(l => !l.EndsWith(" reject", StringComparison.Ordinal)));
        (await WritesAsync(Site.Endpoint("pg1") with { Host = await LeaderHostAsync() })).ShouldBeFalse();
        await PatchHbaAsync(hba);
        await WaitUntilAsync(async () => await WritesAsync(Site.Endpoint("pg1") with { Host = await LeaderHostAsync() }));

        CliResult r;
        try
        {
            r = await Site.HyopsAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("confirmed.yml", Confirmed));
        }
        finally
        {
            // Unfence (restores the saved pg_hba) so the next run fences for real.
            (await UnfenceAsync()).ExitCode.ShouldBe(0);
        }

        r.ExitCode.ShouldBe(3, r.ToString());
        r.ToString().ShouldContain("HYO3022");
        var steps = BlueprintSteps();
        steps["fence_onprem"].ShouldBe("skipped");
        steps["verify_fence"].ShouldBe("error");
        steps["promote"].ShouldBe("not_run");
        File.Exists(Site.StatePath("org__gcp__cloudsql-promote")).ShouldBeFalse();
        await AssertStillStandbyAsync();
    }

    private Task<CliResult> UnfenceAsync() =>
        Site.HyopsAsync("module", "destroy", "--module", Fence, "--instance", "onprem", "--inputs", Inputs("fence.yml", $"""
            apply_mode: fence
            cluster_state_ref: platform/onprem/postgresql-ha
            keep_rules_state_ref: platform/onprem/postgresql-dr-source
            fence_confirm: {Cluster}
            """));

    [Fact]
    [Step(5)]
    public async Task PromoteDrill_UnderWriteLoad_LosesNoAcknowledgedCommit()
    {
        var r = await Site.HyopsAsync("blueprint", "drill", "--ref", Promote, "--inputs", Inputs("confirmed.yml", Confirmed), "--output", "json");

        r.ExitCode.ShouldBe(0, r.ToString());
        var report = JsonNode.Parse(r.StdOut)!;
        report["status"]!.GetValue<string>().ShouldBe("ok", report.ToJsonString());
        report["rpo"]!["missing_count"]!.GetValue<long>().ShouldBe(0, report["rpo"]!.ToJsonString());
        report["rpo"]!["acknowledged"]!.GetValue<long>().ShouldBeGreaterThan(0);
        report["rto"]!["seconds"]!.GetValue<double>().ShouldBeGreaterThan(0);
        var phases = report["phases"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
        phases.ShouldContain("step fence_onprem");
        phases.ShouldContain("step promote");
        phases.ShouldContain("step publish_endpoint");

        (await DigAsync()).ShouldBe(Managed);
        var promoted = State("org__gcp__cloudsql-promote")["outputs"]!;
        promoted["role"]!.GetValue<string>().ShouldBe("primary");
        promoted["promotion_mode"]!.GetValue<string>().ShouldBe("barrier");
        promoted["host"]!.GetValue<string>().ShouldBe(Managed);
        (await WritesAsync(ManagedEndpoint())).ShouldBeTrue();
        (await WritesAsync(Site.Endpoint("pg1") with { Host = await LeaderHostAsync() })).ShouldBeFalse();
        State("platform__network__dns-routing")["outputs"]!["previous_target"]!.GetValue<string>().ShouldBeOneOf(OnpremAddresses);
    }

    [Fact]
    [Step(6)]
    public async Task PublicationFailure_AfterPromotion_IsPartialExit10_AndARerunPublishesWithoutPromotingAgain()
    {
        var promotedAt = State("org__gcp__cloudsql-promote")["outputs"]!["promoted_at"]!.GetValue<string>();

        // The record points back on-prem (as after an aborted cutover), then the DNS authority's API is dead.
        var back = await Site.HyopsAsync("module", "deploy", "--module", "platform/network/dns-routing", "--inputs", Inputs("back.yml", $"""
            target_host: "{await LeaderHostAsync()}"
            desired: primary
            """));
        back.ExitCode.ShouldBe(0, back.ToString());
        var authorityPath = Site.StatePath("platform__network__powerdns-authority");
        var authority = File.ReadAllText(authorityPath);
        var dead = JsonNode.Parse(authority)!;
        dead["outputs"]!["api_url"] = $"http://{Site.Address("dns")}:1";
        File.WriteAllText(authorityPath, dead.ToJsonString());
        CliResult partial;
        try
        {
            partial = await Site.HyopsAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("confirmed.yml", Confirmed));
        }
        finally
        {
            File.WriteAllText(authorityPath, authority);
        }

        partial.ExitCode.ShouldBe(10, partial.ToString());
        partial.ToString().ShouldContain("HYO4010");
        var bp = JsonNode.Parse(File.ReadAllText(Path.Combine(Site.Root, "state", "blueprints", "dr__postgresql-cloudsql-promote-gcp@v1", "latest.json")))!;
        bp["status"]!.GetValue<string>().ShouldBe("partial");
        bp["exit_code"]!.GetValue<int>().ShouldBe(10);
        var steps = BlueprintSteps();
        steps["promote"].ShouldBe("ok");
        steps["publish_endpoint"].ShouldBe("error");
        steps["verify_endpoint"].ShouldBe("not_run");
        (await DigAsync()).ShouldBeOneOf(OnpremAddresses);

        var rerun = await Site.HyopsAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("confirmed.yml", Confirmed));

        rerun.ExitCode.ShouldBe(0, rerun.ToString());
        (await DigAsync()).ShouldBe(Managed);
        BlueprintSteps()["fence_onprem"].ShouldBe("skipped");
        State("org__gcp__cloudsql-promote")["outputs"]!["promoted_at"]!.GetValue<string>().ShouldBe(promotedAt);
        var promoteRun = State("org__gcp__cloudsql-promote")["run_id"]!.GetValue<string>();
        var evidence = string.Concat(Directory.EnumerateFiles(Path.Combine(Site.Root, "logs", "module", "org__gcp__cloudsql-promote", promoteRun)).Select(File.ReadAllText));
        evidence.ShouldContain("already primary");
        evidence.ShouldNotContain("provider_operation");
    }

    [Fact]
    [Step(7)]
    public void NoPasswordInAnyRuntimeFile()
    {
        var files = Site.RuntimeFiles().ToList();
        files.Count.ShouldBeGreaterThan(20);
        foreach (var (path, text) in files)
        {
            text.ShouldNotContain(Site.SuperuserPassword, customMessage: path);
            text.ShouldNotContain(Site.ReplicationPassword, customMessage: path);
            text.ShouldNotContain(f.DrPassword, customMessage: path);
        }
    }

    private string RecordsOf(string moduleId)
    {
        var dir = Path.Combine(Site.Root, "logs", "module", moduleId);
        return !Directory.Exists(dir) ? "" : string.Concat(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => "\n" + f + "\n" + File.ReadAllText(f)));
    }

    private string[] OnpremAddresses => [Site.Address("pg1"), Site.Address("pg2"), Site.Address("pg3")];

    /// <summary>The standby as the application reaches it: the host and port the instance's state publishes.</summary>
    private PgEndpoint ManagedEndpoint() =>
        Site.Endpoint("pg1") with { Host = Managed, Port = State("org__gcp__cloudsql-postgresql")["outputs"]!["port"]!.GetValue<int>() };

    /// <summary>Still a subscriber, and the provider's own record on the managed host still says replica.</summary>
    private async Task AssertStillStandbyAsync()
    {
        (await ScalarAsync<long>(ManagedEndpoint(), "select count(*) from pg_subscription")).ShouldBe(1);
        var instance = JsonNode.Parse(await Site.SshAsync("managed", $"cat /var/lib/postgresql/hyops-managed/instances/{Instance}/instance.json"))!;
        instance["role"]!.GetValue<string>().ShouldBe("replica");
    }

    private Dictionary<string, string> BlueprintSteps()
    {
        var bp = JsonNode.Parse(File.ReadAllText(Path.Combine(Site.Root, "state", "blueprints", "dr__postgresql-cloudsql-promote-gcp@v1", "latest.json")))!;
        return bp["steps"]!.AsArray().ToDictionary(s => s!["id"]!.GetValue<string>(), s => s!["status"]!.GetValue<string>());
    }

    private JsonNode State(string moduleId, string? instance = null) => JsonNode.Parse(File.ReadAllText(Site.StatePath(moduleId, instance)))!;

    private string Inputs(string name, string yaml)
    {
        var path = Path.Combine(Site.Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private async Task<string?> DigAsync() =>
        (await DnsQuery.QueryAAsync(Site.Address("dns"), 53, Fqdn, TimeSpan.FromSeconds(2), CancellationToken.None))?.Addresses.FirstOrDefault();

    /// <summary>Patroni's REST API of pg1's host (the cluster view and the DCS config are the same on every member).</summary>
    private Uri Api(string path) => new($"http://{Site.Address("pg1")}:8008/{path}");

    private async Task<string> LeaderAsync()
    {
        var cluster = JsonNode.Parse(await Http.GetStringAsync(Api("cluster")))!;
        return cluster["members"]!.AsArray().Single(m => m!["role"]!.GetValue<string>() == "leader")!["name"]!.GetValue<string>();
    }

    private async Task<string> LeaderHostAsync() => Site.Address(await LeaderAsync());

    private async Task<string> DcsHbaAsync()
    {
        var config = JsonNode.Parse(await Http.GetStringAsync(Api("config")))!;
        return config["postgresql"]!["pg_hba"]!.ToJsonString();
    }

    private async Task PatchHbaAsync(string hbaJson)
    {
        var body = new JsonObject { ["postgresql"] = new JsonObject { ["pg_hba"] = JsonNode.Parse(hbaJson) } };
        using var content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        using var response = await Http.PatchAsync(Api("config"), content);
        response.EnsureSuccessStatusCode();
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
