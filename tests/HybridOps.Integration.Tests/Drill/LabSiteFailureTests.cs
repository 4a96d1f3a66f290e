using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Dns;

namespace HybridOps.Integration.Tests.Drill;

/// <summary>
/// The unplanned scenario on its own lab (127.0.61; the classes run one after the other): a drill with
/// --disaster onprem-site kills the site, the blueprint that needs it fails and the report says so;
/// DNS still answers; repair-site brings back etcd only.
/// </summary>
public sealed class LabSiteFailureTests : IAsyncLifetime
{
    private readonly Site site = new("127.0.61");

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

        // No on-prem process is alive; the DNS site still answers.
        var status = JsonNode.Parse((await site.HyopsAsync("--output", "json", "lab", "status")).StdOut)!;
        status["site_status"]!.GetValue<string>().ShouldBe("failed");
        var processes = status["processes"]!.AsArray();
        processes.Where(p => p!["kind"]!.GetValue<string>() is "patroni" or "postgres" or "etcd").ShouldAllBe(p => !p!["alive"]!.GetValue<bool>());
        processes.Single(p => p!["kind"]!.GetValue<string>() == "pdns")!["alive"]!.GetValue<bool>().ShouldBeTrue();
        Site.LiveProcessesMentioning(Path.Combine(site.LabDir, "pg1")).ShouldBeEmpty();
        Site.LiveProcessesMentioning(Path.Combine(site.LabDir, "etcd")).ShouldBeEmpty();
        var answer = await DnsQuery.QueryAAsync("127.0.65.1", 53, "db.hyops.lab.", TimeSpan.FromSeconds(2), CancellationToken.None);
        answer.ShouldNotBeNull();
        answer.Addresses.ShouldBe([site.Host(11)]);

        var repair = await site.HyopsAsync("--output", "json", "lab", "repair-site");
        repair.ExitCode.ShouldBe(0, repair.ToString());
        var after = JsonNode.Parse((await site.HyopsAsync("--output", "json", "lab", "status")).StdOut)!;
        after["site_status"]!.GetValue<string>().ShouldBe("repaired");
        var alive = after["processes"]!.AsArray().Where(p => p!["alive"]!.GetValue<bool>()).Select(p => p!["kind"]!.GetValue<string>()).Order().ToList();
        alive.ShouldBe(["etcd", "pdns"]);

        var again = await site.HyopsAsync("lab", "repair-site");
        again.ExitCode.ShouldBe(8, again.ToString());
        again.StdErr.ShouldContain("HYO7011");
    }
}
