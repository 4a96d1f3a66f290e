using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;
using Npgsql;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Premium;

/// <summary>
/// A premium standby you can trust, on lab hosts of block 14 reached only over SSH (the standby on the
/// managed provider's host, its files read there as an operator would): the standby refuses client writes until promoted
/// while replication applies, no DR password lands in the managed catalog, files or WAL, schema drift
/// and lag refuse the promotion before the fence (on-prem keeps taking writes), and a failure after
/// the fence is "fenced, not promoted" (exit 13) until a rerun after the fix promotes.
/// </summary>
[Trait("lab", "hosts")]
[TestCaseOrderer(StepOrderer.Name, StepOrderer.Assembly)]
public sealed class PremiumTrustTests(PremiumTrustFixture f) : IClassFixture<PremiumTrustFixture>
{
    private const string Standby = "dr/postgresql-cloudsql-standby-gcp@v1";
    private const string Promote = "dr/postgresql-cloudsql-promote-gcp@v1";
    private const string Replica = "org/gcp/cloudsql-external-replica";
    private const string Instance = "hyops-dr-standby";
    private const string Cluster = "hyops-onprem";
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private Site Site => f.Site;

    /// <summary>The managed provider's host, where the standby listens.</summary>
    private string Managed => Site.Address("managed");

    /// <summary>The standby's files on the managed host.</summary>
    private static string InstanceDir => $"/var/lib/postgresql/hyops-managed/instances/{Instance}";

    private string Confirmed(string extraPromote = "") => $"""
        fence_onprem:
          fence_confirm: {Cluster}
        promote:
          promote_confirm: {Instance}
        {extraPromote}
        publish_endpoint:
          publish_confirm: "db.hyops.lab."
        """;

    [Fact]
    [Step(0)]
    public async Task Standby_WithoutAConsumerAllowlist_IsRefusedWithHYO2040_BeforeTheSourceChanges()
    {
        var leader = await LeaderEndpointAsync();
        const string Hba = "select string_agg(line_number || ':' || type || ':' || array_to_string(user_name, ',') || ':' || coalesce(address, ''), ' ' order by line_number) from pg_hba_file_rules";
        const string Roles = "select count(*) from pg_roles where rolname = 'hyops_dr_repl'";
        var hbaBefore = await ScalarAsync<string>(leader, Hba);
        var rolesBefore = await ScalarAsync<long>(leader, Roles);

        // The blueprint names no managed network of its own: the operator's inputs must (here they name the
        // managed instance's host and network, and no consumer allowlist).
        var inputs = PremiumHosts.StandbyInputs(f.Lab);
        inputs["dr_source"] = new JsonObject { ["replication_user"] = "hyops_dr_repl" };
        var r = await Site.HyopsAsync("blueprint", "deploy", "--ref", Standby, "--inputs", Inputs("no-allowlist.json", inputs.ToJsonString()));

        r.ExitCode.ShouldBe(2, r.ToString());
        r.ToString().ShouldContain("HYO2040");
        (await ScalarAsync<string>(leader, Hba)).ShouldBe(hbaBefore);
        (await ScalarAsync<long>(leader, Roles)).ShouldBe(rolesBefore);
        File.Exists(Site.StatePath("platform__onprem__postgresql-dr-source")).ShouldBeFalse();
    }

    [Fact]
    [Step(1)]
    public async Task Standby_PublishesReadOnly_AndNoSchemaDrift()
    {
        (await Site.HyopsAsync("lab", "load", "--duration", "2")).ExitCode.ShouldBe(0);

        var r = await Site.HyopsAsync("blueprint", "deploy", "--ref", Standby, "--inputs", Inputs("standby.json", PremiumHosts.StandbyInputs(f.Lab).ToJsonString()));

        r.ExitCode.ShouldBe(0, r.ToString());
        var outputs = State("org__gcp__cloudsql-external-replica")["outputs"]!;
        outputs["replication_state"]!.GetValue<string>().ShouldBe("streaming");
        outputs["read_only"]!.GetValue<bool>().ShouldBeTrue();
        outputs["schema_drift"]!["drift"]!.GetValue<bool>().ShouldBeFalse(outputs["schema_drift"]!.ToJsonString());
    }

    [Fact]
    [Step(2)]
    public async Task ClientWriteOnTheStandby_FailsEvenAfterSettingTheDefaultOff_AndReplicationStillApplies()
    {
        var insert = await SqlStateAsync(ManagedEndpoint(), "set default_transaction_read_only = off; insert into hyops_drill.acks (id) values (-42)");
        var ddl = await SqlStateAsync(ManagedEndpoint(), "set default_transaction_read_only = off; create table public.rogue (id int primary key)");
        var plain = await SqlStateAsync(ManagedEndpoint(), "insert into hyops_drill.acks (id) values (-43)");

        insert.ShouldBe("25006");
        ddl.ShouldBe("25006");
        plain.ShouldBe("25006");
        await ExecAsync(await LeaderEndpointAsync(), "insert into hyops_dr.barrier (id) values ('trust-applies')");
        await WaitUntilAsync(async () => await ScalarAsync<long>(ManagedEndpoint(), "select count(*) from hyops_dr.barrier where id = 'trust-applies'") == 1);
        (await ScalarAsync<long>(ManagedEndpoint(), "select count(*) from hyops_drill.acks where id in (-42, -43)")).ShouldBe(0);
    }

    [Fact]
    [Step(3)]
    public async Task TheDrPassword_IsInNoManagedCatalogFileOrWal()
    {
        var conninfo = await ScalarAsync<string>(ManagedEndpoint(), "select string_agg(subconninfo, ' ') from pg_subscription");
        conninfo.ShouldContain("passfile=");
        conninfo.ShouldNotContain(f.DrPassword);
        var passfile = $"{InstanceDir}/source.pgpass";
        (await Site.SshAsync("managed", $"stat -c '%a %U' {passfile}")).ShouldBe("600 postgres");
        await ExecAsync(ManagedAdmin(), "checkpoint");

        // On the managed host, as an operator would look: every file of the instance but the passfile and the
        // sockets, then every WAL record from the first to the last segment.
        var files = $"find {InstanceDir} -type f ! -path {passfile} ! -name '.s.PGSQL*'";
        var scanned = int.Parse(await Site.SshAsync("managed", $"{files} | wc -l"), System.Globalization.CultureInfo.InvariantCulture);
        (await Site.SshAsync("managed", $"{files} -print0 | xargs -0 grep -laF -e '{f.DrPassword}' || true")).ShouldBeEmpty();
        var wal = $"{InstanceDir}/data/pg_wal";
        var segments = (await Site.SshAsync("managed", $"ls {wal} | grep -E '^[0-9A-F]{{24}}$' | sort")).Split('\n');
        var dump = $"sudo -u postgres /usr/lib/postgresql/15/bin/pg_waldump -p {wal} {segments[0]} {segments[^1]} 2>&1";
        var records = long.Parse(await Site.SshAsync("managed", $"{dump} | grep -c 'rmgr:' || true"), System.Globalization.CultureInfo.InvariantCulture);
        scanned.ShouldBeGreaterThan(100);
        records.ShouldBeGreaterThan(0);
        (await Site.SshAsync("managed", $"{dump} | grep -cF -e '{f.DrPassword}' || true")).ShouldBe("0");
    }

    [Fact]
    [Step(4)]
    public async Task Promote_WithLagOverMaxLagBytes_IsRefusedBeforeTheFence_AndOnpremKeepsTakingWrites()
    {
        await ExecAsync(ManagedAdmin(), "alter subscription hyops_dr_postgres disable");
        await ExecAsync(await LeaderEndpointAsync(), "insert into hyops_dr.barrier (id) select 'lag-' || g from generate_series(1, 2000) g");
        CliResult r;
        try
        {
            r = await Site.HyopsAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("lag.yml", Confirmed() + "\n" + """
                standby_contract:
                  max_lag_bytes: 1024
                """));
        }
        finally
        {
            await ExecAsync(ManagedAdmin(), "alter subscription hyops_dr_postgres enable");
        }

        r.ExitCode.ShouldBe(8, r.ToString());
        r.ToString().ShouldContain("HYO6103");
        r.ToString().ShouldContain("exceeds max_lag_bytes 1024");
        BlueprintSteps()["standby_contract"].ShouldBe("error");
        BlueprintSteps()["fence_onprem"].ShouldBe("not_run");
        File.Exists(Site.StatePath("platform__onprem__postgresql-fence", "onprem")).ShouldBeFalse();
        await ExecAsync(await LeaderEndpointAsync(), "insert into hyops_drill.acks (id) values (-1001)");
        await WaitUntilAsync(async () => (await Site.HyopsAsync("module", "deploy", "--module", Replica, "--inputs", Inputs("status.yml", "apply_mode: status\n"))).ExitCode == 0);
    }

    [Fact]
    [Step(5)]
    public async Task ATableCreatedOnTheSourceAfterEstablish_FailsStatusByName_RefusesPromotionBeforeTheFence_AndAddTablesFixesIt()
    {
        await ExecAsync(await LeaderEndpointAsync(), "create table public.late_orders (id int primary key, note text); insert into public.late_orders values (1, 'after establish')");

        var promote = await Site.HyopsAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("confirmed.yml", Confirmed()));
        var status = await Site.HyopsAsync("module", "deploy", "--module", Replica, "--inputs", Inputs("status.yml", "apply_mode: status\n"));

        status.ExitCode.ShouldNotBe(0, status.ToString());
        status.ToString().ShouldContain("HYO6101");
        status.ToString().ShouldContain("late_orders");
        State("org__gcp__cloudsql-external-replica")["outputs"]!["schema_drift"]!.ToJsonString().ShouldContain("public.late_orders");
        promote.ExitCode.ShouldBe(8, promote.ToString());
        promote.ToString().ShouldContain("HYO6103");
        promote.ToString().ShouldContain("late_orders");
        BlueprintSteps()["fence_onprem"].ShouldBe("not_run");
        File.Exists(Site.StatePath("platform__onprem__postgresql-fence", "onprem")).ShouldBeFalse();
        await ExecAsync(await LeaderEndpointAsync(), "insert into public.late_orders values (2, 'on-prem still takes writes')");

        var fix = await Site.HyopsAsync("module", "deploy", "--module", Replica, "--inputs", Inputs("add.yml", "apply_mode: add_tables\n"));

        fix.ExitCode.ShouldBe(0, fix + "\n" + (fix.ExitCode == 0 ? "" : await Site.SshAsync("managed", $"tail -n 30 {InstanceDir}/postgres.log")));
        await WaitUntilAsync(async () => await ScalarAsync<long>(ManagedEndpoint(), "select count(*) from public.late_orders") == 2);
        (await SqlStateAsync(ManagedEndpoint(), "set default_transaction_read_only = off; insert into public.late_orders values (3, 'x')")).ShouldBe("25006");
    }

    [Fact]
    [Step(6)]
    public async Task AFailureAfterTheFence_IsFencedNotPromotedExit13_NamingTheUnfenceCommand_AndARerunAfterTheFixPromotes()
    {
        // The promote step is pointed at a socket dir that does not exist: after the fence the source is unreachable over TCP.
        var broken = await Site.HyopsAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("broken.yml", Confirmed("  source_socket_dir: /nonexistent-hyops-socket")));

        broken.ExitCode.ShouldBe(13, broken.ToString());
        broken.ToString().ShouldContain("HYO6104");
        broken.ToString().ShouldContain("hyops module destroy --module platform/onprem/postgresql-fence --instance onprem");
        var bp = JsonNode.Parse(File.ReadAllText(Path.Combine(Site.Root, "state", "blueprints", "dr__postgresql-cloudsql-promote-gcp@v1", "latest.json")))!;
        bp["status"]!.GetValue<string>().ShouldBe("fenced");
        bp["exit_code"]!.GetValue<int>().ShouldBe(13);
        BlueprintSteps()["promote"].ShouldBe("error");
        BlueprintSteps()["publish_endpoint"].ShouldBe("not_run");
        (await WritesAsync(await LeaderEndpointAsync())).ShouldBeFalse();
        (await SqlStateAsync(ManagedEndpoint(), "set default_transaction_read_only = off; insert into hyops_drill.acks (id) values (-44)")).ShouldBe("25006");

        var rerun = await Site.HyopsAsync("blueprint", "deploy", "--ref", Promote, "--inputs", Inputs("confirmed.yml", Confirmed()));

        rerun.ExitCode.ShouldBe(0, rerun.ToString());
        BlueprintSteps()["fence_onprem"].ShouldBe("skipped");
        State("org__gcp__cloudsql-promote")["outputs"]!["role"]!.GetValue<string>().ShouldBe("primary");
        (await SqlStateAsync(ManagedEndpoint(), "insert into hyops_drill.acks (id) values (-45)")).ShouldBe("00000");
        (await ScalarAsync<string>(ManagedEndpoint(), "show default_transaction_read_only")).ShouldBe("off");
    }

    [Fact]
    [Step(7)]
    public void NoPasswordInAnyRuntimeFile()
    {
        foreach (var (path, text) in Site.RuntimeFiles())
        {
            text.ShouldNotContain(Site.SuperuserPassword, customMessage: path);
            text.ShouldNotContain(f.DrPassword, customMessage: path);
        }
    }

    /// <summary>The standby as the application reaches it: the host and port the instance's state publishes.</summary>
    private PgEndpoint ManagedEndpoint() =>
        Site.Endpoint("pg1") with { Host = Managed, Port = State("org__gcp__cloudsql-postgresql")["outputs"]!["port"]!.GetValue<int>() };

    /// <summary>hyops' own control-plane session options (superuser-only session_replication_role, as the apply worker runs).</summary>
    private PgEndpoint ManagedAdmin() => ManagedEndpoint() with { Options = "-c default_transaction_read_only=off -c session_replication_role=replica" };

    private async Task<PgEndpoint> LeaderEndpointAsync()
    {
        var cluster = JsonNode.Parse(await Http.GetStringAsync(new Uri($"http://{Site.Address("pg1")}:8008/cluster")))!;
        var leader = cluster["members"]!.AsArray().Single(m => m!["role"]!.GetValue<string>() == "leader")!["name"]!.GetValue<string>();
        return Site.Endpoint(leader);
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

    private static async Task<string> SqlStateAsync(PgEndpoint endpoint, string sql)
    {
        try
        {
            await ExecAsync(endpoint, sql);
            return "00000";
        }
        catch (PostgresException ex)
        {
            return ex.SqlState;
        }
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
