using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.LabHosts;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Dns;
using HybridOps.Postgres.Sql;
using Npgsql;
using Xunit.Abstractions;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Premium;

/// <summary>
/// One lab on hosts (block 7, reached over SSH; the classes of the lab-host group run one after another)
/// with a managed standby on the managed provider's host, for the no-cutover drill.
/// </summary>
public sealed class PremiumNoCutoverFixture : IAsyncLifetime
{
    public const string DrKey = "HYOPS_DR_REPLICATION_PASSWORD";
    public const int Block = 7;

    public PremiumNoCutoverFixture()
    {
        Site.Environment[DrKey] = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    }

    public Site Site { get; } = Site.OnHosts(Block);

    /// <summary>`lab up --output json`: managed_site, dr_site.</summary>
    public JsonNode Lab { get; private set; } = null!;

    public async Task InitializeAsync() => Lab = JsonNode.Parse((await Site.StartAsync([])).StdOut)!;

    public async Task DisposeAsync() => await Site.DisposeAsync();
}

/// <summary>
/// The premium lane's no-cutover drill on lab hosts of block 7, reached only over SSH (the standby and its
/// clone on the managed provider's host), under production writes: the standby is proven
/// promotable (health, lag, drift, a barrier row), a clone of it is promoted and removed, and nothing
/// else moves: no failed production write, the same DNS answer, byte-identical state files but the
/// drill's own, the standby still streaming and read-only from the same slot and walsender.
/// A drifted schema ends the drill failed (HYO7416) before any clone exists.
/// </summary>
[Trait("lab", "hosts")]
[TestCaseOrderer(StepOrderer.Name, StepOrderer.Assembly)]
public sealed class PremiumNoCutoverDrillTests(PremiumNoCutoverFixture f, ITestOutputHelper output) : IClassFixture<PremiumNoCutoverFixture>
{
    private const string Standby = "dr/postgresql-cloudsql-standby-gcp@v1";
    private const string DrillRef = "dr/postgresql-cloudsql-promote-drill-gcp@v1";
    private const string DrillModuleDir = "org__gcp__cloudsql-promote-drill";
    private const string Instance = "hyops-dr-standby";
    private const string Clone = "hyops-dr-standby-drill";
    private const string Slot = "hyops_dr_postgres";

    private Site Site => f.Site;

    /// <summary>The managed provider's host, where the standby and its clone run.</summary>
    private string Managed => Site.Address("managed");

    /// <summary>The clone's files on the managed host (the provider's data root there).</summary>
    private static string CloneDir => $"/var/lib/postgresql/hyops-managed/instances/{Clone}";

    [Fact]
    [Step(1)]
    public async Task NoCutoverDrill_UnderProductionWrites_PromotesAndRemovesAClone_AndTheStandbyStreamsOnFromTheSameSlot()
    {
        (await Site.HyopsAsync("lab", "load", "--duration", "2")).ExitCode.ShouldBe(0);
        var leader = Site.Endpoint("pg1") with { Host = (await DigAsync())! };
        await ExecAsync(leader, "create table if not exists prod_writes (id bigserial primary key, at timestamptz not null default now())");
        var standby = await Site.HyopsAsync("blueprint", "deploy", "--ref", Standby, "--inputs", Inputs("standby.json", PremiumHosts.StandbyInputs(f.Lab).ToJsonString()));
        standby.ExitCode.ShouldBe(0, standby.ToString());

        var dnsBefore = await DigAsync();
        var statesBefore = StateHashes();
        var slotBefore = await SlotAsync(leader);
        var subBefore = await ScalarAsync<string>(ManagedAdmin(), $"select oid::text || ':' || subslotname from pg_subscription where subname = '{Slot}'");
        var writer = new ProductionWriter(leader, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(90));
        writer.Start();
        CliResult run;
        try
        {
            await Task.Delay(500);
            run = await Site.HyopsAsync("--output", "json", "blueprint", "drill", "--ref", DrillRef, "--inputs", Inputs("drill.yml", $"""
                no_cutover:
                  drill_confirm: {Instance}
                """));
            await Task.Delay(500);
        }
        finally
        {
            await writer.StopAsync();
        }

        output.WriteLine(run.ToString());
        run.ExitCode.ShouldBe(0, run.ToString());
        writer.Failures.ShouldBeEmpty();
        writer.Acked.ShouldBeGreaterThan(10);

        var report = JsonNode.Parse(run.StdOut)!;
        report["drill_kind"]!.GetValue<string>().ShouldBe("no-cutover");
        var n = report["no_cutover"]!;
        n["promotable"]!.GetValue<bool>().ShouldBeTrue();
        n["checks"]!.AsArray().Select(c => c!["result"]!.GetValue<string>()).ShouldAllBe(v => v == "passed", n["checks"]!.ToJsonString());
        n["checks"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()).ShouldBe(
            ["standby_runnable", "standby_healthy", "lag_within_policy", "no_schema_drift", "barrier_seen_on_standby", "clone_promoted", "barrier_on_clone", "clone_table_counts", "clone_removed", "standby_unchanged"]);
        n["clone_time_to_writable_seconds"]!.GetValue<double>().ShouldBeGreaterThan(0);
        n["clone_copy_seconds"]!.GetValue<double>().ShouldBeGreaterThan(0);
        n["clone_barrier_found"]!.GetValue<bool>().ShouldBeTrue();
        n["clone_counts_matched"]!.GetValue<bool>().ShouldBeTrue();
        n["clone_removed"]!.GetValue<bool>().ShouldBeTrue();
        n["standby_unchanged"]!.GetValue<bool>().ShouldBeTrue();
        n["production_state_unchanged"]!.GetValue<bool>().ShouldBeTrue();
        output.WriteLine($"writes {writer.Acked} acked, 0 failed; clone copy {n["clone_copy_seconds"]} s, writable {n["clone_time_to_writable_seconds"]} s, barrier seen {n["barrier_seen_seconds"]} s");

        // Production: the same DNS answer, one barrier row of the drill, nothing else of it.
        (await DigAsync()).ShouldBe(dnsBefore);
        var runId = JsonNode.Parse(File.ReadAllText(Site.StatePath(DrillModuleDir)))!["run_id"]!.GetValue<string>();
        (await ScalarAsync<long>(leader, $"select count(*) from hyops_dr.barrier where id = 'drill-{runId}-postgres'")).ShouldBe(1);
        (await ScalarAsync<long>(leader, "select count(*) from hyops_dr.barrier where id like 'clone-writable-%'")).ShouldBe(0, "the clone's own write stays on the clone");
        StateHashes().ShouldBe(statesBefore);

        // The standby: still streaming read-only from the same slot, behind the same subscription, and it has every production write.
        var slotAfter = await SlotAsync(leader);
        slotAfter.Active.ShouldBeTrue();
        slotAfter.Pid.ShouldBe(slotBefore.Pid, "the same walsender serves the standby: nothing else took the slot");
        (await ScalarAsync<string>(ManagedAdmin(), $"select oid::text || ':' || subslotname from pg_subscription where subname = '{Slot}'")).ShouldBe(subBefore);
        (await ScalarAsync<bool>(ManagedAdmin(), $"select subenabled from pg_subscription where subname = '{Slot}'")).ShouldBeTrue();
        (await ScalarAsync<long>(ManagedAdmin(), "select count(*) from pg_stat_subscription where pid is not null and relid is null")).ShouldBe(1);
        var write = await Should.ThrowAsync<PostgresException>(() => ExecAsync(ManagedEndpoint(), "insert into prod_writes default values"));
        write.SqlState.ShouldBe("25006");
        (await ScalarAsync<long>(ManagedAdmin(), $"select count(*) from hyops_dr.barrier where id = 'drill-{runId}-postgres'")).ShouldBe(1);
        await WaitUntilAsync(async () => await ScalarAsync<long>(ManagedAdmin(), "select count(*) from prod_writes") >= writer.Acked);

        // The clone, on the managed host: no dir, no process, no longer a service of its service manager (the standby still is).
        (await Site.SshAsync("managed", $"test -e {CloneDir} && echo present || echo absent")).ShouldBe("absent");
        Site.RunsOn("managed", CloneDir).ShouldBeFalse();
        Site.RunsOn("managed", $"/instances/{Instance}/data").ShouldBeTrue();
        var services = await Site.SshAsync("managed", "ls /etc/hyops/services /run/hyops");
        services.ShouldContain($"managed-{Instance}.json");
        services.ShouldContain($"managed-{Instance}.pid");
        services.ShouldNotContain($"managed-{Clone}");

        // The run record holds the clone's copy (pg_basebackup) and the drill history lists it.
        var history = await Site.HyopsAsync("drill", "history");
        history.ExitCode.ShouldBe(0, history.ToString());
        history.StdOut.ShouldContain($"{DrillRef}");
        history.StdOut.ShouldContain("no-cutover: promotable yes");
        history.StdOut.ShouldContain($"clone writable {n["clone_time_to_writable_seconds"]!.GetValue<double>().ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} s");
        var records = string.Join("\n", Directory.EnumerateFiles(Path.Combine(Site.Root, "logs", "module", DrillModuleDir), "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        records.ShouldContain("pg_basebackup");
        records.ShouldMatch("\"max_logical_replication_workers\":\\s*\"0\"", "the clone ran with no logical replication worker");
    }

    [Fact]
    [Step(2)]
    public async Task NoCutoverDrill_WithSchemaDrift_FailsWithHYO7416_BeforeAnyClone_AndStillLeavesTheStandbyStreaming()
    {
        var leader = Site.Endpoint("pg1") with { Host = (await DigAsync())! };
        await ExecAsync(leader, "create table public.drift_probe (id int primary key)");
        try
        {
            var run = await Site.HyopsAsync("--output", "json", "blueprint", "drill", "--ref", DrillRef, "--inputs", Inputs("drill.yml", $"""
                no_cutover:
                  drill_confirm: {Instance}
                """));

            run.ExitCode.ShouldBe(8, run.ToString());
            var report = JsonNode.Parse(run.StdOut)!;
            report["status"]!.GetValue<string>().ShouldBe("failed");
            report["no_cutover"]!["promotable"]!.GetValue<bool>().ShouldBeFalse();
            var checks = report["no_cutover"]!["checks"]!.AsArray().ToDictionary(c => c!["name"]!.GetValue<string>(), c => c!["result"]!.GetValue<string>());
            checks["no_schema_drift"].ShouldBe("failed");
            checks.ShouldNotContainKey("clone_promoted");
            checks.ShouldNotContainKey("barrier_seen_on_standby");
            report["notes"]!.ToJsonString().ShouldContain("HYO7416");
            report["notes"]!.ToJsonString().ShouldContain("drift_probe");
            (await Site.SshAsync("managed", $"test -e {CloneDir} && echo present || echo absent")).ShouldBe("absent");
            (await ScalarAsync<long>(ManagedAdmin(), "select count(*) from pg_stat_subscription where pid is not null and relid is null")).ShouldBe(1);
        }
        finally
        {
            await ExecAsync(leader, "drop table public.drift_probe");
        }
    }

    /// <summary>The standby as the application reaches it: the host and port the instance's state publishes.</summary>
    private PgEndpoint ManagedEndpoint() => Site.Endpoint("pg1") with
    {
        Host = Managed, Port = JsonNode.Parse(File.ReadAllText(Site.StatePath("org__gcp__cloudsql-postgresql")))!["outputs"]!["port"]!.GetValue<int>(),
    };

    private PgEndpoint ManagedAdmin() => ManagedEndpoint() with { Options = "-c default_transaction_read_only=off" };

    private static async Task<(bool Active, int? Pid)> SlotAsync(PgEndpoint leader)
    {
        await using var conn = new NpgsqlConnection(leader.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"select active, active_pid from pg_replication_slots where slot_name = '{Slot}'", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue($"slot {Slot} exists");
        return (reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetInt32(1));
    }

    /// <summary>sha256 of every module state file but the drill's own (and every history copy).</summary>
    private Dictionary<string, string> StateHashes()
    {
        var modules = Path.Combine(Site.Root, "state", "modules");
        return Directory.EnumerateFiles(modules, "*", SearchOption.AllDirectories)
            .Where(p => !Path.GetRelativePath(modules, p).StartsWith(DrillModuleDir + "/", StringComparison.Ordinal))
            .ToDictionary(p => Path.GetRelativePath(modules, p), p => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(p))), StringComparer.Ordinal);
    }

    private string Inputs(string name, string yaml)
    {
        var path = Path.Combine(Site.Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private async Task<string?> DigAsync() =>
        (await DnsQuery.QueryAAsync(Site.Address("dns"), 53, "db.hyops.lab.", TimeSpan.FromSeconds(2), CancellationToken.None))?.Addresses.FirstOrDefault();

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
