using System.Text.Json.Nodes;
using HybridOps.Core.Drill;
using HybridOps.Core.Tests.Support;
using HybridOps.Integration.Tests.Support;
using Xunit.Abstractions;

namespace HybridOps.Integration.Tests.Drill;

/// <summary>
/// `hyops dr status` and the decision service on lab hosts reached over SSH (block 14: on-prem site, DNS host,
/// the DR site's hosts, the object-store host's S3 server as repo1):
/// before any drill every option is "not proven" and the service refuses to choose; after a baseline failover
/// drill the restore from repo1 is eligible with a forecast from the drill, the service picks it and emits the
/// blueprint command, and every record, the decision's included, verifies.
/// </summary>
[Trait("lab", "hosts")]
public sealed class DrStatusLabTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Failover = "dr/postgresql-ha-failover-gcp@v1";
    private readonly Site site = Site.OnHosts(14);
    private JsonNode lab = null!;

    public async Task InitializeAsync() => lab = JsonNode.Parse((await site.StartAsync(["--object-stores"])).StdOut)!;

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task AfterAFailoverDrill_DrStatusForecastsRestoreFromRepo1_AndTheDecisionServicePicksIt_WithAVerifiedRecord()
    {
        await Ok("blueprint", "deploy", "--ref", "dr/postgresql-ha-backup-gcp@v1", "--inputs",
            Inputs("backup.json", new JsonObject { ["object_repo"] = lab["object_stores"]!["s3"]!.DeepClone() }.ToJsonString()));
        var decide = Inputs("decide.yml", """
            onprem_reachable: false
            """);

        var before = await Json("dr", "status");
        before["options"]!.AsArray().ShouldAllBe(o => !o!["eligible"]!.GetValue<bool>() && o["not_proven"]!.GetValue<bool>());
        var refused = await site.HyopsAsync("module", "deploy", "--module", "platform/network/decision-service", "--inputs", decide);
        refused.ExitCode.ShouldBe(7, refused.ToString());
        refused.StdErr.ShouldContain("HYO7302");

        var drill = await site.HyopsAsync("blueprint", "drill", "--ref", Failover, "--disaster", "onprem-site", "--output", "json", "--inputs", Inputs("fo.yml", $$"""
            fence_onprem:
              fence_confirm: hyops-onprem
            dr_hosts: {{lab["dr_site"]!.ToJsonString()}}
            restore_dr:
              restore_confirm: gcp-dr-pg
            """));
        drill.ExitCode.ShouldBe(0, drill.ToString());
        var report = JsonNode.Parse(drill.StdOut)!;
        report["source"]!["repo_state_ref"]!.GetValue<string>().ShouldBe("org/gcp/object-repo");
        report["series"]!["acked"]!.AsArray().Sum(n => n!.GetValue<int>()).ShouldBe(report["writes"]!["acked"]!.GetValue<int>());
        await PlotShowsTheOutageAsync(report);

        var status = await Json("dr", "status");
        var repo1 = status["options"]!.AsArray().Single(o => o!["option"]!["id"]!.GetValue<string>() == "restore-repo1")!;
        repo1["eligible"]!.GetValue<bool>().ShouldBeTrue(repo1.ToJsonString());
        repo1["last_drill"]!["run_id"]!.GetValue<string>().ShouldBe(report["run_id"]!.GetValue<string>());
        repo1["forecast"]!["rto_seconds"]!.GetValue<double>().ShouldBeGreaterThan(0);
        repo1["facts"]!["backup_label"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
        var premium = status["options"]!.AsArray().Single(o => o!["option"]!["id"]!.GetValue<string>() == "premium-promote")!;
        premium["reasons"]!.AsArray().Select(r => r!.GetValue<string>()).ShouldContain("never_drilled");
        var text = await site.HyopsAsync("dr", "status");
        text.StdOut.ShouldContain("restore-repo1    yes");
        output.WriteLine(text.StdOut);

        var chosen = await site.HyopsAsync("--output", "json", "module", "deploy", "--module", "platform/network/decision-service", "--inputs", decide);
        chosen.ExitCode.ShouldBe(0, chosen.ToString());
        var outputs = JsonNode.Parse(chosen.StdOut)!["outputs"]!;
        outputs["chosen_option"]!.GetValue<string>().ShouldBe("restore-repo1");
        outputs["command"]!.GetValue<string>().ShouldContain($"blueprint deploy --ref {Failover} --inputs ");
        File.Exists(outputs["inputs_file"]!.GetValue<string>()).ShouldBeTrue();
        output.WriteLine(chosen.StdErr);
        output.WriteLine(outputs["command"]!.GetValue<string>());

        var verify = await site.HyopsAsync("evidence", "verify", "--require-chain");
        verify.ExitCode.ShouldBe(0, verify.ToString());
        var runId = JsonNode.Parse(chosen.StdOut)!["run_id"]!.GetValue<string>();
        var bundle = Path.Combine(site.Dir, "decision.tar.gz");
        (await site.HyopsAsync("evidence", "export", "--run", runId, "--out", bundle)).ExitCode.ShouldBe(0);
        (await site.HyopsAsync("evidence", "verify", "--bundle", bundle, "--require-chain")).ExitCode.ShouldBe(0);
    }

    /// <summary>The real drill's report in headless Chromium: acks before the disaster and after the first ack, every failure in between.</summary>
    private async Task PlotShowsTheOutageAsync(JsonNode report)
    {
        var shot = await ReportScreenshot.TakeAsync(Path.Combine(report["report_dir"]!.GetValue<string>(), "report.html"), site.Dir);
        // The publication line may sit under the first-ack line (both within a pixel or two): only these two are required.
        var disaster = shot.MarkerColumn(DrillPlot.DisasterColour);
        var firstAck = shot.MarkerColumn(DrillPlot.FirstAckColour);
        disaster.X.ShouldBeLessThan(firstAck.X);

        // A bar is drawn at its bucket's place: a write in the disaster's or first ack's bucket may sit one bucket off the line.
        var bucketPx = (int)Math.Ceiling((double)(DrillPlot.Width - 60) / report["series"]!["acked"]!.AsArray().Count) + 1;
        var ack = shot.Pixels(DrillPlot.AckColour, disaster.Top, disaster.Bottom);
        var fail = shot.Pixels(DrillPlot.FailColour, disaster.Top, disaster.Bottom);
        ack.Count(x => x < disaster.X - bucketPx).ShouldBeGreaterThan(0);
        ack.Count(x => x > firstAck.X + bucketPx).ShouldBeGreaterThan(0);
        report["writes"]!["failed"]!.GetValue<long>().ShouldBeGreaterThan(0); // the site was killed under the load
        fail.Count.ShouldBeGreaterThan(0);
        fail.ShouldAllBe(x => x >= disaster.X - bucketPx && x <= firstAck.X + bucketPx);
        output.WriteLine($"plot: disaster x={disaster.X}, first ack x={firstAck.X}, bucket {bucketPx} px; {ack.Count} ack and {fail.Count} failure pixels");
    }

    private async Task<JsonNode> Json(params string[] args)
    {
        var r = await site.HyopsAsync([.. args, "--output", "json"]);
        r.ExitCode.ShouldBe(0, r.ToString());
        return JsonNode.Parse(r.StdOut)!;
    }

    private async Task Ok(params string[] args)
    {
        var r = await site.HyopsAsync(args);
        r.ExitCode.ShouldBe(0, r.ToString());
    }

    private string Inputs(string name, string yaml)
    {
        var path = Path.Combine(site.Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }
}
