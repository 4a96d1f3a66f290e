using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Premium;
using HybridOps.Integration.Tests.Support;
using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Sql;

namespace HybridOps.Integration.Tests.Resume;

/// <summary>The premium failback fixture on lab hosts of block 2 (the classes of the lab-host group run one after another).</summary>
public sealed class ReseedResumeFixture() : PremiumFailbackFixture(Block);

/// <summary>
/// An interrupted reseed resumes, on lab hosts of block 2 reached only over SSH: the operator retires the
/// old on-prem database tier (Patroni stopped on every member), hyops (a real process) is SIGKILLed once
/// the reseed has wiped the old cluster and started the new leader's Patroni on its host; the rerun of the
/// same command recognises its own unfinished cluster (owner markers in the member dirs and the DCS),
/// redoes it, and the new on-prem primary holds every row of the fenced managed primary. `lab down` then
/// leaves no process of any host.
/// </summary>
[Trait("lab", "hosts")]
public sealed class ReseedResumeTests(ReseedResumeFixture f) : IClassFixture<ReseedResumeFixture>
{
    private const string Ha = "platform/onprem/postgresql-ha";

    [Fact]
    public async Task KilledReseed_RerunOfTheSameCommand_Converges_WithEveryRowOfTheManagedPrimary()
    {
        var site = f.Site;
        await site.OkAsync("module", "deploy", "--module", "org/gcp/cloudsql-postgresql", "--inputs",
            site.WriteInputs("fence.json", new JsonObject { ["apply_mode"] = "fence", ["fence_confirm"] = PremiumFailbackFixture.Instance }));
        var inputs = site.WriteInputs("reseed.json", new JsonObject
        {
            ["apply_mode"] = "reseed", ["hosts_state_ref"] = "platform/onprem/inventory", ["source_state_ref"] = "org/gcp/cloudsql-postgresql",
            ["cluster_name"] = "hyops-onprem", ["reseed_confirm"] = "hyops-onprem", ["wipe_confirm"] = "hyops-onprem",
        });
        await site.RetireOnpremDatabaseTierAsync();
        var rebuilt = $"{f.Lab["inventory"]!["rebuild_root"]!.GetValue<string>()}/hyops-onprem/";

        var child = await HyopsChild.StartAsync(site, "reseed-killed", "module", "deploy", "--module", Ha, "--inputs", inputs);
        await child.WaitUntilAsync(() => site.RunsOn("pg1", "/usr/bin/patroni " + rebuilt), "the reseed started patroni on pg1", TimeSpan.FromMinutes(8));
        await child.KillAsync();
        var interrupted = JsonNode.Parse(File.ReadAllText(site.StatePath("platform__onprem__postgresql-ha")))!;
        interrupted["status"]!.GetValue<string>().ShouldBe("running");

        var rerun = await site.HyopsAsync("--output", "json", "module", "deploy", "--module", Ha, "--inputs", inputs);
        rerun.ExitCode.ShouldBe(0, rerun.ToString());
        rerun.StdErr.ShouldContain($"redoing the unfinished run {interrupted["run_id"]!.GetValue<string>()}");
        var outputs = JsonNode.Parse(rerun.StdOut)!["outputs"]!;
        outputs["apply_mode"]!.GetValue<string>().ShouldBe("reseed");
        outputs["system_identifier"]!.GetValue<string>().ShouldNotBe(f.OldSystemId);
        var record = Directory.EnumerateDirectories(Path.Combine(site.Root, "logs", "module"), JsonNode.Parse(rerun.StdOut)!["run_id"]!.GetValue<string>(), SearchOption.AllDirectories).Single();
        var evidence = string.Join('\n', Directory.EnumerateFiles(record, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
        evidence.ShouldContain("own_unfinished_run");
        evidence.ShouldContain(interrupted["run_id"]!.GetValue<string>());

        var leader = site.Endpoint("pg1") with { Host = outputs["leader_host"]!.GetValue<string>(), Database = "appdb" };
        (await PgProbe.ScalarAsync<long>(leader, "select count(*) from orders", CancellationToken.None)).ShouldBe(75);
        (await PgProbe.ScalarAsync<long>(f.Managed(), "select count(*) from orders", CancellationToken.None)).ShouldBe(75);

        // Every process of every host (the rebuilt cluster's and the managed instance's among them) ends with `lab down`.
        var hostPids = LabHostSet.Hosts(site.LabDir).SelectMany(h => LabHostSet.ProcessesOf(site.LabDir, h.Name)).ToList();
        hostPids.Count.ShouldBeGreaterThan(10);
        var down = await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        down.ExitCode.ShouldBe(0, down.ToString());
        hostPids.Where(ProcessControl.IsAlive).ShouldBeEmpty();
        Site.LiveProcessesMentioning(site.LabDir).ShouldBeEmpty();
    }
}
