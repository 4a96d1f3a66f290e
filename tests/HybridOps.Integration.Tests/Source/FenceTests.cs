using System.Net.Http.Json;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Source;

/// <summary>
/// platform/onprem/postgresql-fence on lab hosts (block 2, reached over SSH; its own lab): refusals change nothing,
/// a fence makes every TCP write impossible (checked with Npgsql, not only by the module),
/// destroy unfences, and a cluster whose Patroni and PostgreSQL are down is fenced by
/// unreachability. The last step stops the whole cluster.
/// </summary>
[TestCaseOrderer(StepOrderer.Name, StepOrderer.Assembly)]
[Trait("lab", "hosts")]
public sealed class FenceTests(FenceFixture f) : IClassFixture<FenceFixture>
{
    private const string Module = "platform/onprem/postgresql-fence";
    private const string ModuleId = "platform__onprem__postgresql-fence";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private Site Site => f.Site;

    [Fact]
    [Step(1)]
    public async Task Fence_WithoutOrWithWrongConfirmation_IsRefused_AndPgHbaIsUnchanged()
    {
        var before = await DcsHbaAsync();

        var none = await Site.HyopsAsync("module", "deploy", "--module", Module);
        var wrong = await Site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", f.Inputs("wrong.yml", "fence_confirm: other-cluster\n"));

        none.ExitCode.ShouldBe(3, none.ToString());
        none.StdErr.ShouldContain("HYO3001");
        wrong.ExitCode.ShouldBe(3, wrong.ToString());
        wrong.StdErr.ShouldContain("HYO3021");
        File.Exists(Site.StatePath(ModuleId)).ShouldBeFalse();
        (await DcsHbaAsync()).ShouldBe(before);
        (await WriteAsync("pg1")).ShouldBeTrue();
    }

    [Fact]
    [Step(2)]
    public async Task Verify_OnAnUnfencedCluster_FailsWithGuardExitAndItsOwnCode()
    {
        var r = await Site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", f.Inputs("verify.yml", "apply_mode: verify\n"));

        r.ExitCode.ShouldBe(3, r.ToString());
        r.StdErr.ShouldContain("HYO3022");
        r.StdErr.ShouldContain("pg1");
    }

    [Fact]
    [Step(3)]
    public async Task Fence_MakesWritesImpossibleOverTcp_VerifyPasses_AndDestroyMakesWritesWorkAgain()
    {
        var before = await DcsHbaAsync();
        await using var idle = new NpgsqlConnection(Site.Endpoint("pg1").ConnectionString);
        await idle.OpenAsync();

        var r = await Site.HyopsAsync("--output", "json", "module", "deploy", "--module", Module, "--inputs", f.Inputs("fence.yml", $"fence_confirm: {f.ClusterName}\n"));

        r.ExitCode.ShouldBe(0, r.ToString());
        var o = JsonNode.Parse(r.StdOut)!["outputs"]!;
        o["fenced"]!.GetValue<bool>().ShouldBeTrue();
        o["method"]!.GetValue<string>().ShouldBe("pg_hba-reject");
        o["contract_version"]!.GetValue<string>().ShouldBe("postgresql-fence/v1");
        o["previous_pg_hba"]!.AsArray().Select(n => n!.GetValue<string>()).ShouldBe(before);
        o["members"]!.AsArray().Count.ShouldBe(3);
        o["members"]!.AsArray().ShouldAllBe(m => m!["reachable"]!.GetValue<bool>() && !m["accepts_writes"]!.GetValue<bool>());

        // Independently of the module: no member takes a write over TCP from this machine (the bridge address, in the site network).
        await EveryTcpWriteIsRejectedAsync();

        var lastRule = (await DcsHbaAsync())[^2];
        lastRule.ShouldBe("host all all 0.0.0.0/0 reject");

        // The session opened before the fence was terminated.
        await Should.ThrowAsync<Exception>(async () =>
        {
            await using var cmd = new NpgsqlCommand("select 1", idle);
            await cmd.ExecuteScalarAsync();
        });

        // Patroni still manages the cluster (it reaches PostgreSQL over the kept local socket).
        var cluster = await Http.GetFromJsonAsync<JsonObject>($"http://{Site.Address("pg1")}:8008/cluster");
        cluster!["members"]!.AsArray().Count(m => m!["role"]!.GetValue<string>() == "leader").ShouldBe(1);

        var verify = await Site.HyopsAsync("--output", "json", "module", "deploy", "--module", Module, "--inputs", f.Inputs("verify.yml", "apply_mode: verify\n"));
        verify.ExitCode.ShouldBe(0, verify.ToString());
        JsonNode.Parse(verify.StdOut)!["outputs"]!["previous_pg_hba"]!.AsArray().Count.ShouldBe(before.Count);

        var destroy = await Site.HyopsAsync("module", "destroy", "--module", Module, "--inputs", f.Inputs("fence.yml", $"fence_confirm: {f.ClusterName}\n"));
        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        (await DcsHbaAsync()).ShouldBe(before);
        (await WriteAsync("pg1")).ShouldBeTrue();

        foreach (var (path, text) in Site.RuntimeFiles())
        {
            text.Contains(Site.SuperuserPassword, StringComparison.Ordinal).ShouldBeFalse(path);
        }
    }

    [Fact]
    [Step(4)]
    public async Task Fence_WhenAReplicaMissedTheChange_WritesItAgainThroughPatroni_AndTheReplicaIsFencedToo()
    {
        var before = await DcsHbaAsync();
        var fence = f.Inputs("fence.yml", $"fence_confirm: {f.ClusterName}\n");
        (await Site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", fence)).ExitCode.ShouldBe(0);

        // pg2 as Patroni 3.0 leaves a member that was starting when the change came: nothing rewrites its
        // pg_hba.conf until a NEW change.
        await LoseTheFenceAsync("pg2", before);

        var r = await Site.HyopsAsync("--output", "json", "module", "deploy", "--module", Module, "--inputs", fence);

        r.ExitCode.ShouldBe(0, r.ToString());
        r.StdErr.ShouldContain("pg_hba written again through Patroni (attempt 1)");
        RunRecord(r).ShouldContain("patroni_patch_pg_hba_again");
        await EveryTcpWriteIsRejectedAsync();

        // The comment that made the same rules a new change is not a rule; destroy restores exactly what was there.
        var destroy = await Site.HyopsAsync("module", "destroy", "--module", Module, "--inputs", fence);
        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        (await DcsHbaAsync()).ShouldBe(before);
        (await ConnectsAsync("pg2")).ShouldBeTrue();
    }

    [Fact]
    [Step(5)]
    public async Task Fence_WhenAMemberEndsTheAdminSession_ReopensItThroughTheUnixSocketOverSsh_AndFencesTheCluster()
    {
        var before = await DcsHbaAsync();
        var fence = f.Inputs("fence.yml", $"fence_confirm: {f.ClusterName}\n");
        (await Site.HyopsAsync("module", "deploy", "--module", Module, "--inputs", fence)).ExitCode.ShouldBe(0);

        // pg3 loses the fence (as in the step before), so the next fence waits seconds for it to be written again;
        // meanwhile pg2 ends hyops' admin session, as a recovery conflict on a hot standby does (bounded: at most 400
        // polls of 50 ms, then the loop ends by itself). pg2 is fenced: neither the first session nor the reopened
        // one can be TCP; both go through the member's unix socket over ssh, which the fence keeps.
        await LoseTheFenceAsync("pg3", before);
        var killer = Site.SshAsync("pg2", "for i in $(seq 400); do n=$(sudo -u postgres psql -X -At -h /run/postgresql -d postgres -c "
            + "\"select count(pg_terminate_backend(pid)) from pg_stat_activity where application_name = 'hyops'\"); "
            + "[ \"$n\" != 0 ] && echo killed && exit 0; sleep 0.05; done; echo none");
        await Task.Delay(TimeSpan.FromMilliseconds(300));

        var r = await Site.HyopsAsync("--output", "json", "module", "deploy", "--module", Module, "--inputs", fence);
        var killed = await killer;

        killed.ShouldContain("killed");
        r.ExitCode.ShouldBe(0, r.ToString());
        var evidence = RunRecord(r);
        evidence.ShouldContain("\"name\":\"admin_session:pg2\",\"passed\":true");
        evidence.ShouldContain("\"via\":\"unix socket /var/run/postgresql over ssh\"");
        evidence.ShouldContain("admin session to pg2 was lost");
        evidence.ShouldContain("\"name\":\"client_backends_terminated:pg2\",\"passed\":true");
        evidence.ShouldContain("\"name\":\"fence_rules_loaded\",\"passed\":true");
        await EveryTcpWriteIsRejectedAsync();

        var destroy = await Site.HyopsAsync("module", "destroy", "--module", Module, "--inputs", fence);
        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        (await DcsHbaAsync()).ShouldBe(before);
        (await ConnectsAsync("pg2")).ShouldBeTrue();
    }

    [Fact]
    [Step(6)]
    public async Task Fence_OfAClusterWhosePatroniAndPostgresAreDown_IsFencedByUnreachability()
    {
        foreach (var member in new[] { "pg2", "pg3", "pg1" })
        {
            await Site.StopPostgresOutsideHyopsAsync(member);
        }

        var r = await Site.HyopsAsync("--output", "json", "module", "deploy", "--module", Module, "--inputs", f.Inputs("fence.yml", $"fence_confirm: {f.ClusterName}\n"));

        r.ExitCode.ShouldBe(0, r.ToString());
        var o = JsonNode.Parse(r.StdOut)!["outputs"]!;
        o["fenced"]!.GetValue<bool>().ShouldBeTrue();
        o["method"]!.GetValue<string>().ShouldBe("unreachable");
        o["members"]!.AsArray().ShouldAllBe(m => !m!["reachable"]!.GetValue<bool>() && m["evidence"]!["fenced_by"]!.GetValue<string>() == "unreachable");
        await Should.ThrowAsync<NpgsqlException>(() => WriteAsync("pg1"));
    }

    /// <summary>
    /// What Patroni 3.0 leaves when a pg_hba change reaches a member whose PostgreSQL is starting: its copy of the
    /// config is the new one, its pg_hba.conf the old one. On the member's host, as its operator would: the old
    /// rules into the data dir's pg_hba.conf, then a reload over the local socket; the member admits TCP again.
    /// </summary>
    private async Task LoseTheFenceAsync(string member, IReadOnlyList<string> rulesBefore)
    {
        var rules = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', rulesBefore) + "\n"));
        await Site.SshAsync(member, $"echo {rules} | base64 -d | sudo -u postgres tee /var/lib/postgresql/15/main/pg_hba.conf >/dev/null"
            + " && sudo -u postgres psql -X -q -h /run/postgresql -d postgres -c 'select pg_reload_conf()'");
        await Task.Delay(TimeSpan.FromSeconds(1));
        (await ConnectsAsync(member)).ShouldBeTrue($"{member} should have lost the fence for this test to mean anything");
    }

    /// <summary>Every file of the run record of a `--output json` run, as one text.</summary>
    private string RunRecord(CliResult r)
    {
        var record = Directory.EnumerateDirectories(Path.Combine(Site.Root, "logs", "module", ModuleId), JsonNode.Parse(r.StdOut)!["run_id"]!.GetValue<string>(), SearchOption.AllDirectories).Single();
        return string.Concat(Directory.EnumerateFiles(record, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
    }

    /// <summary>No member takes a write over TCP from this machine: pg_hba rejects it (28000).</summary>
    private async Task EveryTcpWriteIsRejectedAsync()
    {
        foreach (var member in new[] { "pg1", "pg2", "pg3" })
        {
            var ex = await Should.ThrowAsync<PostgresException>(() => WriteAsync(member));
            ex.SqlState.ShouldBe(PostgresErrorCodes.InvalidAuthorizationSpecification, member);
        }
    }

    /// <summary>True when a TCP session opens; false when pg_hba rejects it.</summary>
    private async Task<bool> ConnectsAsync(string member)
    {
        try
        {
            await using var conn = new NpgsqlConnection(Site.Endpoint(member).ConnectionString);
            await conn.OpenAsync();
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidAuthorizationSpecification)
        {
            return false;
        }
    }

    /// <summary>A write as an application does it, over TCP; true when a transaction id was assigned.</summary>
    private async Task<bool> WriteAsync(string member)
    {
        await using var conn = new NpgsqlConnection(Site.Endpoint(member).ConnectionString);
        await conn.OpenAsync();
        await using var tx = await conn.BeginTransactionAsync();
        await using (var set = new NpgsqlCommand("set transaction read write", conn, tx))
        {
            await set.ExecuteNonQueryAsync();
        }

        await using var cmd = new NpgsqlCommand("select pg_current_xact_id()::text", conn, tx);
        var id = await cmd.ExecuteScalarAsync();
        await tx.RollbackAsync();
        return id is string;
    }

    private async Task<List<string>> DcsHbaAsync()
    {
        var config = await Http.GetFromJsonAsync<JsonObject>($"http://{Site.Address("pg1")}:8008/config");
        return config!["postgresql"]!["pg_hba"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
    }
}

/// <summary>One lab on hosts (block 2) for the fence tests, with the cluster contract published.</summary>
public sealed class FenceFixture : IAsyncLifetime
{
    public Site Site { get; } = Site.OnHosts(2);

    public string ClusterName { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Site.StartAsync();
        var ha = await Site.HyopsAsync("--output", "json", "module", "deploy", "--module", "platform/onprem/postgresql-ha");
        ha.ExitCode.ShouldBe(0, ha.ToString());
        ClusterName = JsonNode.Parse(ha.StdOut)!["outputs"]!["cluster_name"]!.GetValue<string>();
    }

    public async Task DisposeAsync() => await Site.DisposeAsync();

    public string Inputs(string name, string yaml)
    {
        var path = Path.Combine(Site.Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }
}
