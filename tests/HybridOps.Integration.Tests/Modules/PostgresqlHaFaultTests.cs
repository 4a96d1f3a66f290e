using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Exec;

namespace HybridOps.Integration.Tests.Modules;

/// <summary>
/// Faults injected outside hyops on the lab's hosts (block 3, reached over SSH), as an operator with a
/// shell on the VM would; each test gets a lab of its own because it breaks it.
/// </summary>
[Trait("lab", "hosts")]
public sealed class PostgresqlHaFaultTests : IAsyncLifetime
{
    private const string ModuleId = "platform__onprem__postgresql-ha";
    private const string PgCtl = "sudo -u postgres /usr/lib/postgresql/15/bin/pg_ctl -D /var/lib/postgresql/15/main";

    /// <summary>SIGKILL of the host's Patroni (so it cannot start or demote PostgreSQL again).</summary>
    private const string KillPatroni = "start-stop-daemon --stop --quiet --pidfile /run/hyops/patroni.pid --signal KILL --remove-pidfile; sleep 0.5";
    private readonly Site site = Site.OnHosts(3);

    public Task InitializeAsync() => site.StartAsync();

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task Status_WithTheLeadersPostgresStoppedOutsideHyops_ReportsConnectivityExitCode_AndLabDownLeavesNoProcess()
    {
        (await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);
        var leader = JsonNode.Parse(File.ReadAllText(site.StatePath(ModuleId)))!["outputs"]!["leader_name"]!.GetValue<string>();
        await site.StopPostgresOutsideHyopsAsync(leader);

        var r = await site.HyopsAsync("--output", "json", "module", "status", "--module", "platform/onprem/postgresql-ha");

        r.ExitCode.ShouldBe(4, r.ToString());
        var doc = JsonNode.Parse(r.StdOut)!;
        doc["diagnostics"]![0]!["code"]!.GetValue<string>().ShouldBe("HYO4002");
        doc["diagnostics"]![0]!["message"]!.GetValue<string>().ShouldContain(leader);

        // Every process of every host (sshd, Patroni, PostgreSQL, etcd, pdns) and the hosts' launchers.
        var pids = HybridOps.Lab.Hosts.LabHostSet.Hosts(site.LabDir).SelectMany(h => HybridOps.Lab.Hosts.LabHostSet.ProcessesOf(site.LabDir, h.Name))
            .Concat(HybridOps.Integration.Tests.LabHosts.LabHostsTestSupport.RecordedPids(site.LabDir)).ToList();
        pids.Count.ShouldBeGreaterThan(10);

        var down = await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        down.ExitCode.ShouldBe(0, down.ToString());
        pids.ShouldAllBe(pid => !ProcessControl.IsAlive(pid));
        Site.LiveProcessesMentioning(site.LabDir).ShouldBeEmpty();
    }

    [Fact]
    public async Task Deploy_WithTwoWritableMembers_IsRefusedAsAmbiguousAndPublishesNothing()
    {
        // Promote a replica behind Patroni's back: kill its Patroni (so it cannot demote it again), then pg_ctl promote on its host.
        (await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);
        var leader = JsonNode.Parse(File.ReadAllText(site.StatePath(ModuleId)))!["outputs"]!["leader_name"]!.GetValue<string>();
        var replica = new[] { "pg1", "pg2", "pg3" }.First(m => m != leader);
        await site.SshAsync(replica, $"{KillPatroni}; {PgCtl} promote -w");

        var r = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha");

        r.ExitCode.ShouldBe(6, r.ToString());
        r.StdErr.ShouldContain("HYO6001");
        var state = JsonNode.Parse(File.ReadAllText(site.StatePath(ModuleId)))!;
        state["status"]!.GetValue<string>().ShouldBe("error");
        state["error"]!["code"]!.GetValue<string>().ShouldBe("HYO6001");
        state["outputs"]!.AsObject().Count.ShouldBe(0);
    }
}
