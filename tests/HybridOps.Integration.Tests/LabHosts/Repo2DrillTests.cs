using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;
using Xunit.Abstractions;

using static HybridOps.Integration.Tests.LabHosts.LabHostsTestSupport;

namespace HybridOps.Integration.Tests.LabHosts;

/// <summary>
/// The restore-from-repo2 option, drilled for real on hosts reached only over SSH (block 11,
/// 169.254.250.176-.191, with the object-store host): the on-prem cluster archives to the S3 store as
/// repo1 and to the Azure store as repo2; the failover blueprint is drilled with every repository step
/// given the Azure repository (an input, not a code path), under load, with the on-prem site power-cut.
/// The DR members name only the Azure store, every controlled commit is there (RPO 0 for the
/// controlled part), `dr status` then shows restore-repo2 as drilled and eligible, and the decision
/// service, told on-prem and repo1 are unreachable, picks it.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class Repo2DrillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Block = 11;
    private const string Repo1 = "org/aws/object-repo";
    private const string Repo2 = "org/azure/object-repo";
    private const string Failover = "dr/postgresql-ha-failover-gcp@v1";
    private static readonly string[] RepoSteps = ["drain_archive", "restore_dr", "dr_readiness", "dr_backup_config", "dr_backup_full", "dr_protected"];
    private readonly Site site = Site.WithoutLab();
    private JsonObject up = null!;

    public async Task InitializeAsync()
    {
        site.Environment["HYOPS_LAB_S3_ACCESS_KEY"] = "HYOPSIT" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        site.Environment["HYOPS_LAB_S3_SECRET_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        site.Environment["HYOPS_LAB_AZURE_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var r = await site.HyopsAsync("--output", "json", "lab", "up", "--object-stores", "--block", Block.ToString(CultureInfo.InvariantCulture), "--lab-dir", site.LabDir);
        if (r.ExitCode != 0)
        {
            await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        }

        r.ExitCode.ShouldBe(0, r.ToString());
        up = JsonNode.Parse(r.StdOut)!.AsObject();
    }

    public async Task DisposeAsync()
    {
        var r = await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        r.ExitCode.ShouldBe(0, r.ToString());
        await site.DisposeAsync();
    }

    [Fact]
    public async Task ADrillOfTheFailoverFromRepo2_KeepsEveryControlledCommit_AndMakesRestoreRepo2TheDecisionWhenRepo1IsUnreachable()
    {
        await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha");
        await Ok("module", "deploy", "--module", Repo1, "--inputs", site.WriteInputs("repo1.json", up["object_stores"]!["s3"]!.DeepClone().AsObject()));
        await Ok("module", "deploy", "--module", Repo2, "--inputs", site.WriteInputs("repo2.json", up["object_stores"]!["azure"]!.DeepClone().AsObject()));
        var backup = new JsonObject { ["repo_state_ref"] = Repo1, ["repo2_state_ref"] = Repo2, ["archive_timeout_s"] = 5 };
        await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", site.WriteInputs("configure.json", backup));
        backup["apply_mode"] = "backup";
        await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", site.WriteInputs("backup.json", backup));

        // The controlled part: 100 commits, their WAL archived (to both repositories) before the disaster.
        var leader = StateOutputs(site, "platform__onprem__postgresql-ha")["leader_host"]!.GetValue<string>();
        var onprem = new PgEndpoint(leader, 5432, "postgres", site.SuperuserPassword);
        await TestSql.ExecAsync(onprem, "create table controlled(id int primary key); insert into controlled select generate_series(1, 100)");
        var segment = await PgProbe.ScalarAsync<string>(onprem, "select pg_walfile_name(pg_switch_wal())", CancellationToken.None);
        await WaitArchivedAsync(onprem, segment!);

        var steps = new JsonObject
        {
            ["fence_onprem"] = new JsonObject { ["fence_confirm"] = "hyops-onprem" },
            ["dr_hosts"] = up["dr_site"]!.DeepClone(),
            ["restore_dr"] = new JsonObject { ["restore_confirm"] = "gcp-dr-pg" },
        };
        foreach (var id in RepoSteps)
        {
            var step = steps[id] as JsonObject ?? new JsonObject();
            step["repo_state_ref"] = Repo2;
            steps[id] = step;
        }

        var drill = await site.HyopsAsync("--output", "json", "blueprint", "drill", "--ref", Failover, "--disaster", "onprem-site", "--settle-s", "3",
            "--inputs", site.WriteInputs("failover.json", steps));
        drill.ExitCode.ShouldBe(0, drill.ToString());
        var report = JsonNode.Parse(drill.StdOut)!;
        report["source"]!["repo_state_ref"]!.GetValue<string>().ShouldBe(Repo2);
        output.WriteLine($"repo2 drill: RTO {report["rto"]?["seconds"]} s, writes acked {report["writes"]?["acked"]}, RPO {report["rpo"]?.ToJsonString()}");

        // The DR cluster was restored from the Azure store alone, and has every controlled commit.
        var dr = StateOutputs(site, "platform__onprem__postgresql-ha", "gcp-dr");
        var drLeader = dr["leader_host"]!.GetValue<string>();
        (await PgProbe.ScalarAsync<long>(new PgEndpoint(drLeader, 5432, "postgres", site.SuperuserPassword), "select count(*) from controlled", CancellationToken.None)).ShouldBe(100);
        var configs = await SshAsync(dr["leader_name"]!.GetValue<string>(), "cat /var/lib/postgresql/hyops/*/pgbackrest.conf | grep -E '^repo[0-9]+-type=' | sort -u");
        configs.Trim().ShouldBe("repo1-type=azure");

        // dr status: the repo2 option now has a successful drill and is eligible.
        var status = await Json("dr", "status");
        var repo2 = status["options"]!.AsArray().Single(o => o!["option"]!["id"]!.GetValue<string>() == "restore-repo2")!;
        repo2["last_drill"]!["run_id"]!.GetValue<string>().ShouldBe(report["run_id"]!.GetValue<string>(), repo2.ToJsonString());
        repo2["eligible"]!.GetValue<bool>().ShouldBeTrue(repo2.ToJsonString());
        var table = (await site.HyopsAsync("dr", "status")).StdOut;
        table.ShouldContain($"restore-repo1: restore onto the DR hosts from {Repo1}", customMessage: "repo1 is the backup state's own repo1");
        output.WriteLine(table);

        // On-prem and repo1 unreachable: the decision service picks the drilled repo2 restore, and the record verifies.
        var decide = site.WriteInputs("decide.json", new JsonObject { ["onprem_reachable"] = false, ["unreachable_repositories"] = new JsonArray(Repo1) });
        var chosen = await site.HyopsAsync("--output", "json", "module", "deploy", "--module", "platform/network/decision-service", "--inputs", decide);
        chosen.ExitCode.ShouldBe(0, chosen.ToString());
        var outputs = JsonNode.Parse(chosen.StdOut)!["outputs"]!;
        outputs["chosen_option"]!.GetValue<string>().ShouldBe("restore-repo2");
        outputs["command"]!.GetValue<string>().ShouldContain($"blueprint deploy --ref {Failover} --inputs ");
        File.ReadAllText(outputs["inputs_file"]!.GetValue<string>()).ShouldContain(Repo2);
        var verify = await site.HyopsAsync("evidence", "verify", "--require-chain");
        verify.ExitCode.ShouldBe(0, verify.ToString());

        foreach (var (path, text) in site.RuntimeFiles())
        {
            text.ShouldNotContain(site.Environment["HYOPS_LAB_AZURE_KEY"], customMessage: path);
            text.ShouldNotContain(site.Environment["HYOPS_LAB_S3_SECRET_KEY"], customMessage: path);
            text.ShouldNotContain(site.SuperuserPassword, customMessage: path);
        }
    }

    private async Task Ok(params string[] args)
    {
        var r = await site.HyopsAsync(args);
        r.ExitCode.ShouldBe(0, r.ToString());
    }

    private async Task<JsonNode> Json(params string[] args)
    {
        var r = await site.HyopsAsync([.. args, "--output", "json"]);
        r.ExitCode.ShouldBe(0, r.ToString());
        return JsonNode.Parse(r.StdOut)!;
    }

    private async Task<string> SshAsync(string host, string command) =>
        (await LabHostsTestSupport.SshAsync(site.LabDir, host, command)).StdOut;
}
