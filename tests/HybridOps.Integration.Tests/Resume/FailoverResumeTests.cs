using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Sql;
using Npgsql;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Resume;

/// <summary>
/// An interrupted baseline failover resumes (on-prem 127.0.181, DR site 127.0.182, DNS 127.0.185).
/// hyops runs as a real process and is SIGKILLed while the restore is starting dr1; the rerun of the
/// same command recognises its own unfinished restore and redoes it without wipe_confirm. With
/// PowerDNS down the blueprint ends partial (exit 10) with the DR cluster up; with DNS back a rerun
/// publishes without a second restore. A restore interrupted once more is cleaned up by `lab down`:
/// no process is left. The failover is controlled (the on-prem site stays up, fenced, archive
/// drained): every commit acknowledged before it is on the DR cluster.
/// </summary>
public sealed class FailoverResumeTests : IAsyncLifetime
{
    private const string Failover = "dr/postgresql-ha-failover-gcp@v1";
    private const string Ha = "platform/onprem/postgresql-ha";
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(8);
    private readonly Site site = new("127.0.181");

    public Task InitializeAsync() => site.StartAsync();

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task KilledRestore_RerunConverges_PublicationFailureIsPartial_RerunPublishesWithoutASecondRestore_LabDownLeavesNoProcess()
    {
        await Ok("blueprint", "deploy", "--ref", "dr/postgresql-ha-backup-gcp@v1");
        var onprem = await StateAsync("platform__onprem__postgresql-ha");
        var leader = site.Endpoint(onprem["outputs"]!["leader_name"]!.GetValue<string>());
        await ExecAsync(leader, "create table resume_acks(id int primary key)");
        for (var i = 1; i <= 50; i++)
        {
            await ExecAsync(leader, $"insert into resume_acks values ({i})");
        }

        var inputs = Inputs("fo.yml", """
            fence_onprem:
              fence_confirm: hyops-onprem
            restore_dr:
              restore_confirm: gcp-dr-pg
            """);

        // 1. SIGKILL hyops while dr1's Patroni (started by the restore) runs the pgBackRest bootstrap.
        var child = await HyopsChild.StartAsync(site, "failover-killed", "blueprint", "deploy", "--ref", Failover, "--inputs", inputs);
        await child.WaitUntilAsync(() => RegisteredAlive("patroni-dr1") is not null, "the restore started patroni dr1", Limit);
        await child.KillAsync();
        var interrupted = await StateAsync("platform__onprem__postgresql-ha", "gcp-dr");
        interrupted["status"]!.GetValue<string>().ShouldBe("running");
        File.Exists(Path.Combine(DataRoot(), "dr1", "hyops-owner.json")).ShouldBeTrue();

        // 2. PowerDNS down, rerun of the same command: the restore is redone without wipe_confirm, the publication fails -> partial.
        var lab = JsonNode.Parse(File.ReadAllText(Path.Combine(site.LabDir, "lab.json")))!;
        var pdns = lab["processes"]!.AsArray().Single(p => p!["kind"]!.GetValue<string>() == "pdns")!["pid"]!.GetValue<int>();
        await ProcessControl.TerminateAsync(pdns, UnixSignal.Terminate, TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
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
        drLeader.Host.ShouldStartWith("127.0.182.");
        (await PgProbe.ScalarAsync<long>(drLeader, "select count(*) from resume_acks", CancellationToken.None)).ShouldBe(50);

        // 3. DNS back (a reconciling `lab up` restarts pdns), rerun: the healthy restore is kept, the endpoint is published.
        await Ok("lab", "up", "--lab-dir", site.LabDir, "--address-prefix", site.Prefix);
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
        await second.WaitUntilAsync(() => RegisteredAlive("patroni-dr1") is not null && ProcessRegistry.PostmasterOf(Path.Combine(DataRoot(), "dr1", "patroni.yml")) is not null,
            "dr1's postmaster to run", Limit);
        await second.KillAsync();
        var down = await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        down.ExitCode.ShouldBe(0, down.ToString());
        Site.LiveProcessesMentioning(site.LabDir).ShouldBeEmpty();
    }

    private string DataRoot() =>
        File.Exists(site.StatePath("org__gcp__dr-hosts"))
            ? JsonNode.Parse(File.ReadAllText(site.StatePath("org__gcp__dr-hosts")))!["outputs"]?["data_root"]?.GetValue<string>() ?? ""
            : "";

    private RegisteredProcess? RegisteredAlive(string name)
    {
        var root = DataRoot();
        return root.Length == 0 ? null : ProcessRegistry.Load(ProcessRegistry.PathIn(root)).FirstOrDefault(p => p.Name == name && p.IsAlive);
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
