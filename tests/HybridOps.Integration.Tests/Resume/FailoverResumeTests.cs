using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Sql;
using Npgsql;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Resume;

/// <summary>
/// An interrupted baseline failover resumes, on lab hosts (block 7) reached only over SSH: the
/// on-prem site, the DNS host and the DR site's hosts (dr-etcd, dr1-dr3, provider hosts).
/// hyops runs as a real process and is SIGKILLed while the restore is starting dr1's Patroni; the rerun of the
/// same command recognises its own unfinished restore and redoes it without wipe_confirm. With
/// PowerDNS down the blueprint ends partial (exit 10) with the DR cluster up; with DNS back a rerun
/// publishes without a second restore. A restore interrupted once more is cleaned up by `lab down`:
/// no process of any host is left. The failover is controlled (the on-prem site stays up, fenced, archive
/// drained): every commit acknowledged before it is on the DR cluster.
/// </summary>
[Trait("lab", "hosts")]
public sealed class FailoverResumeTests : IAsyncLifetime
{
    private const string Failover = "dr/postgresql-ha-failover-gcp@v1";
    private const string Ha = "platform/onprem/postgresql-ha";
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);
    private readonly Site site = Site.OnHosts(7);
    private JsonNode lab = null!;

    /// <summary>With the object-store host: the backups go to its S3 server, which every site reaches.</summary>
    public async Task InitializeAsync() => lab = JsonNode.Parse((await site.StartAsync(["--object-stores"])).StdOut)!;

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task KilledRestore_RerunConverges_PublicationFailureIsPartial_RerunPublishesWithoutASecondRestore_LabDownLeavesNoProcess()
    {
        await Ok("blueprint", "deploy", "--ref", "dr/postgresql-ha-backup-gcp@v1", "--inputs",
            Inputs("backup.json", new JsonObject { ["object_repo"] = lab["object_stores"]!["s3"]!.DeepClone() }.ToJsonString()));
        var onprem = await StateAsync("platform__onprem__postgresql-ha");
        var leader = site.Endpoint(onprem["outputs"]!["leader_name"]!.GetValue<string>());
        await ExecAsync(leader, "create table resume_acks(id int primary key)");
        for (var i = 1; i <= 50; i++)
        {
            await ExecAsync(leader, $"insert into resume_acks values ({i})");
        }

        var inputs = Inputs("fo.json", new JsonObject
        {
            ["fence_onprem"] = new JsonObject { ["fence_confirm"] = "hyops-onprem" },
            ["dr_hosts"] = lab["dr_site"]!.DeepClone(),
            ["restore_dr"] = new JsonObject { ["restore_confirm"] = "gcp-dr-pg" },
        }.ToJsonString());

        // 1. SIGKILL hyops while dr1's Patroni (started by the restore) runs the pgBackRest bootstrap.
        var child = await HyopsChild.StartAsync(site, "failover-killed", "blueprint", "deploy", "--ref", Failover, "--inputs", inputs);
        await child.WaitUntilAsync(() => site.RunsOn("dr1", "/usr/bin/patroni"), "the restore started patroni on dr1", Limit);
        await child.KillAsync();
        var interrupted = await StateAsync("platform__onprem__postgresql-ha", "gcp-dr");
        interrupted["status"]!.GetValue<string>().ShouldBe("running");
        (await site.SshAsync("dr1", "find /var/lib/postgresql -maxdepth 3 -name hyops-owner.json")).ShouldNotBeEmpty();

        // 2. PowerDNS down, rerun of the same command: the restore is redone without wipe_confirm, the publication fails -> partial.
        await site.StopServiceAsync("dns", "pdns");
        var partial = await site.HyopsAsync("--output", "json", "blueprint", "deploy", "--ref", Failover, "--inputs", inputs);
        partial.ExitCode.ShouldBe(10, partial.ToString());
        var bp = JsonNode.Parse(partial.StdOut)!;
        bp["status"]!.GetValue<string>().ShouldBe("partial");
        StepStatus(bp, "restore_dr").ShouldBe("ok");
        StepStatus(bp, "publish_endpoint").ShouldBe("error");
        StepStatus(bp, "dr_backup_full").ShouldBe("not_run");
        var restored = await StateAsync("platform__onprem__postgresql-ha", "gcp-dr");
        restored["status"]!.GetValue<string>().ShouldBe("ok");
        restored["outputs"]!["system_identifier"]!.GetValue<string>().ShouldBe(onprem["outputs"]!["system_identifier"]!.GetValue<string>());
        var restoreRecord = ModuleRecordText(restored["run_id"]!.GetValue<string>());
        restoreRecord.ShouldContain("own_unfinished_run");
        restoreRecord.ShouldContain(interrupted["run_id"]!.GetValue<string>());
        var drLeader = leader with { Host = restored["outputs"]!["leader_host"]!.GetValue<string>() };
        drLeader.Host.ShouldBeOneOf(site.Address("dr1"), site.Address("dr2"), site.Address("dr3"));
        (await PgProbe.ScalarAsync<long>(drLeader, "select count(*) from resume_acks", CancellationToken.None)).ShouldBe(50);

        // 3. DNS back (a reconciling `lab up` restarts pdns), rerun: the healthy restore is kept, the endpoint is published.
        await Ok("lab", "up", "--lab-dir", site.LabDir);
        var done = await site.HyopsAsync("--output", "json", "blueprint", "deploy", "--ref", Failover, "--inputs", inputs);
        done.ExitCode.ShouldBe(0, done.ToString());
        var kept = await StateAsync("platform__onprem__postgresql-ha", "gcp-dr");
        kept["outputs"]!["restore_started_at"]!.GetValue<string>().ShouldBe(restored["outputs"]!["restore_started_at"]!.GetValue<string>());
        kept["outputs"]!["timeline"]!.GetValue<long>().ShouldBe(restored["outputs"]!["timeline"]!.GetValue<long>());
        ModuleRecordText(kept["run_id"]!.GetValue<string>()).ShouldContain("completed_restore_kept");
        (await StateAsync("platform__network__dns-routing"))["outputs"]!["target"]!.GetValue<string>().ShouldBe(drLeader.Host);
        (await PgProbe.ScalarAsync<long>(drLeader, "select count(*) from resume_acks", CancellationToken.None)).ShouldBe(50);

        // 4. Interrupted once more (a guarded rebuild, killed once dr1's postmaster runs): `lab down` leaves no process.
        (await site.HyopsAsync("module", "destroy", "--module", Ha, "--instance", "gcp-dr")).ExitCode.ShouldBe(0);
        var rebuild = Inputs("rebuild.json", new JsonObject
        {
            ["apply_mode"] = "restore", ["hosts_state_ref"] = "org/gcp/dr-hosts", ["repo_state_ref"] = "org/gcp/object-repo",
            ["backup_state_ref"] = "platform/onprem/postgresql-ha-backup", ["cluster_name"] = "gcp-dr-pg", ["restore_confirm"] = "gcp-dr-pg", ["wipe_confirm"] = "gcp-dr-pg",
        }.ToJsonString());
        var second = await HyopsChild.StartAsync(site, "rebuild-killed", "module", "deploy", "--module", Ha, "--instance", "gcp-dr", "--inputs", rebuild);
        await second.WaitUntilAsync(() => site.RunsOn("dr1", "/usr/bin/patroni") && site.RunsOn("dr1", "/usr/lib/postgresql/15/bin/postgres"), "dr1's postmaster to run", Limit);
        await second.KillAsync();
        var hostPids = LabHostSet.Hosts(site.LabDir).SelectMany(h => LabHostSet.ProcessesOf(site.LabDir, h.Name)).ToList();
        hostPids.Count.ShouldBeGreaterThan(10);
        var down = await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        down.ExitCode.ShouldBe(0, down.ToString());
        hostPids.Where(ProcessControl.IsAlive).ShouldBeEmpty();
        Site.LiveProcessesMentioning(site.LabDir).ShouldBeEmpty();
    }

    private string ModuleRecordText(string runId)
    {
        var dir = Directory.EnumerateDirectories(Path.Combine(site.Root, "logs", "module"), runId, SearchOption.AllDirectories).Single();
        return string.Join('\n', Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(File.ReadAllText));
    }

    private static string StepStatus(JsonNode bp, string step) =>
        bp["steps"]!.AsArray().Single(s => s!["id"]!.GetValue<string>() == step)!["status"]!.GetValue<string>();

    private async Task Ok(params string[] args)
    {
        var r = await site.HyopsAsync(args);
        r.ExitCode.ShouldBe(0, r.ToString());
    }

    private Task<JsonNode> StateAsync(string moduleId, string? instance = null) =>
        Task.FromResult(JsonNode.Parse(File.ReadAllText(site.StatePath(moduleId, instance)))!);

    private string Inputs(string name, string text)
    {
        var path = Path.Combine(site.Dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
