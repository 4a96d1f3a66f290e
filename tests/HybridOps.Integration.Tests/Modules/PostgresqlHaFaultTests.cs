using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.Modules;

/// <summary>Faults injected outside hyops; each test gets a lab of its own because it breaks it.</summary>
public sealed class PostgresqlHaFaultTests : IAsyncLifetime
{
    private const string ModuleId = "platform__onprem__postgresql-ha";
    private readonly Site site = new("127.0.32");

    public Task InitializeAsync() => site.StartAsync();

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task Status_WithTheLeadersPostgresStoppedOutsideHyops_ReportsConnectivityExitCode_AndLabDownLeavesNoProcess()
    {
        (await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);
        await site.StopPostgresOutsideHyopsAsync("pg1");

        var r = await site.HyopsAsync("--output", "json", "module", "status", "--module", "platform/onprem/postgresql-ha");

        r.ExitCode.ShouldBe(4, r.ToString());
        var doc = JsonNode.Parse(r.StdOut)!;
        doc["diagnostics"]![0]!["code"]!.GetValue<string>().ShouldBe("HYO4002");
        doc["diagnostics"]![0]!["message"]!.GetValue<string>().ShouldContain("pg1");

        var labState = JsonNode.Parse(File.ReadAllText(Path.Combine(site.LabDir, "lab.json")))!;
        var pids = labState["processes"]!.AsArray().Select(p => p!["pid"]?.GetValue<int?>()).Where(p => p is not null).Select(p => p!.Value).ToList();
        pids.ShouldNotBeEmpty();

        var down = await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        down.ExitCode.ShouldBe(0, down.ToString());
        pids.ShouldAllBe(pid => !ProcessControl.IsAlive(pid));
        Site.LiveProcessesMentioning(site.LabDir).ShouldBeEmpty();
    }

    [Fact]
    public async Task Deploy_WithTwoWritableMembers_IsRefusedAsAmbiguousAndPublishesNothing()
    {
        // Promote pg2 behind Patroni's back: kill its Patroni (so it cannot demote it again), then pg_ctl promote.
        var labState = JsonNode.Parse(File.ReadAllText(Path.Combine(site.LabDir, "lab.json")))!;
        var pg2Patroni = labState["processes"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "pg2" && p["kind"]!.GetValue<string>() == "patroni")!["pid"]!.GetValue<int>();
        ProcessControl.Signal(pg2Patroni, UnixSignal.Kill).ShouldBeTrue();
        var promote = await new LocalProcessRunner().RunAsync(new ProcessSpec("/usr/lib/postgresql/15/bin/pg_ctl", ["promote", "-w", "-D", Path.Combine(site.LabDir, "pg2", "data")])  { RunAsUser = "postgres" }, CancellationToken.None);
        promote.ExitCode.ShouldBe(0, promote.StdErr);

        var r = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha");

        r.ExitCode.ShouldBe(6, r.ToString());
        r.StdErr.ShouldContain("HYO6001");
        var state = JsonNode.Parse(File.ReadAllText(site.StatePath(ModuleId)))!;
        state["status"]!.GetValue<string>().ShouldBe("error");
        state["error"]!["code"]!.GetValue<string>().ShouldBe("HYO6001");
        state["outputs"]!.AsObject().Count.ShouldBe(0);
    }
}
