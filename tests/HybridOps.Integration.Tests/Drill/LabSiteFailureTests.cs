using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Dns;

namespace HybridOps.Integration.Tests.Drill;

/// <summary>
/// The unplanned scenario on its own lab on hosts (block 8; the classes run one after the other): a drill
/// with --disaster onprem-site powers the site's hosts off, the blueprint that needs it fails and the
/// report says so; the DNS host still answers; repair-site brings back the hosts with etcd only.
/// </summary>
[Trait("lab", "hosts")]
public sealed class LabSiteFailureTests : IAsyncLifetime
{
    private static readonly string[] OnpremHosts = ["etcd", "pg1", "pg2", "pg3"];
    private readonly Site site = Site.OnHosts(DrillSiteFixture.Block);

    public async Task InitializeAsync()
    {
        await site.StartAsync();
        site.Environment["HYOPS_CONTENT_ROOT"] = DrillContent.Create(site.Dir);
    }

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task DrillWithOnpremSiteDisaster_KillsTheSite_ReportsTheFailedBlueprint_AndRepairBringsEtcdOnly()
    {
        var drill = await site.HyopsAsync("--output", "json", "blueprint", "drill", "--ref", DrillContent.Blueprint,
            "--disaster", "onprem-site", "--settle-s", "1", "--recovery-timeout-s", "3");

        // The blueprint needs the on-prem cluster, which is gone: it fails, and the drill exits with its code.
        var report = JsonNode.Parse(drill.StdOut)!;
        drill.ExitCode.ShouldNotBe(0, drill.ToString());
        report["exit_code"]!.GetValue<int>().ShouldBe(drill.ExitCode);
        report["status"]!.GetValue<string>().ShouldBe("failed");
        report["blueprint_status"]!.GetValue<string>().ShouldBe("error");
        report["failover_start_source"]!.GetValue<string>().ShouldBe("disaster_injection");
        report["rto"]!["seconds"].ShouldBeNull();
        report["rpo"].ShouldBeNull(); // nothing to read back through: never guessed
        report["writes"]!["acked"]!.GetValue<long>().ShouldBeGreaterThan(0);
        report["writes"]!["failed"]!.GetValue<long>().ShouldBeGreaterThan(0);
        report["phases"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ShouldContain("disaster: onprem-site");
        File.Exists(Path.Combine(report["report_dir"]!.GetValue<string>(), "report.html")).ShouldBeTrue();

        // No on-prem host runs a process; the DNS host still answers; `lab status` says the site failed.
        var down = await site.HyopsAsync("--output", "json", "lab", "status");
        down.ExitCode.ShouldBe(4, down.ToString());
        var status = JsonNode.Parse(down.StdOut)!;
        status["site_status"]!.GetValue<string>().ShouldBe("failed");
        status["healthy"]!.GetValue<bool>().ShouldBeFalse();
        var hosts = status["hosts"]!.AsArray().ToDictionary(h => h!["name"]!.GetValue<string>(), h => h!);
        OnpremHosts.ShouldAllBe(h => !hosts[h]["running"]!.GetValue<bool>());
        OnpremHosts.SelectMany(h => HybridOps.Lab.Hosts.LabHostSet.ProcessesOf(site.LabDir, h)).ShouldBeEmpty();
        hosts["dns"]["service"]!["active"]!.GetValue<bool>().ShouldBeTrue();
        var answer = await DnsQuery.QueryAAsync(site.Address("dns"), 53, "db.hyops.lab.", TimeSpan.FromSeconds(2), CancellationToken.None);
        answer.ShouldNotBeNull();
        answer.Addresses.ShouldBe([site.Address("pg1")]);

        // The hosts come back with etcd only: Patroni (and so PostgreSQL) stays off until a deliberate rebuild.
        var repair = await site.HyopsAsync("--output", "json", "lab", "repair-site");
        repair.ExitCode.ShouldBe(0, repair.ToString());
        var after = JsonNode.Parse((await site.HyopsAsync("--output", "json", "lab", "status")).StdOut)!;
        after["site_status"]!.GetValue<string>().ShouldBe("repaired");
        var back = after["hosts"]!.AsArray().ToDictionary(h => h!["name"]!.GetValue<string>(), h => h!);
        OnpremHosts.ShouldAllBe(h => back[h]["running"]!.GetValue<bool>());
        back["etcd"]["service"]!["active"]!.GetValue<bool>().ShouldBeTrue();
        new[] { "pg1", "pg2", "pg3" }.ShouldAllBe(h => !back[h]["service"]!["active"]!.GetValue<bool>());
        back["dns"]["service"]!["active"]!.GetValue<bool>().ShouldBeTrue();

        var again = await site.HyopsAsync("lab", "repair-site");
        again.ExitCode.ShouldBe(8, again.ToString());
        again.StdErr.ShouldContain("HYO7011");
    }
}
