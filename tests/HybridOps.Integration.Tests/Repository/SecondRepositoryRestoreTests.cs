using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Sql;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Repository;

/// <summary>
/// A second repository on a real lab (prefix 127.0.196, DR site 127.0.197): the backup module writes
/// org/gcp/object-repo as pgBackRest repo1 and org/azure/object-repo as repo2 (two local repositories),
/// WAL is archived to both and a backup is taken into each. Then repo1 is made unreachable (its directory
/// renamed away) and platform/onprem/postgresql-ha apply_mode restore, given repo_state_ref
/// org/azure/object-repo, restores the DR cluster from repo2: the same restore, another input.
/// With the lab's object stores (object-store site 127.0.199) repo1 is S3 (s3rver, stopped by SIGSTOP)
/// and repo2 Azure Blob (Azurite).
/// </summary>
public sealed class SecondRepositoryRestoreTests : IAsyncLifetime
{
    private const string Ha = "platform/onprem/postgresql-ha";
    private const string Backup = "platform/onprem/postgresql-ha-backup";
    private const string Scope = "gcp-dr-pg";
    private readonly Site site = new("127.0.196");
    private int s3Pid;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await SignalS3Async("CONT");
        await site.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restore_FromRepo2_AfterRepo1IsUnreachable_HasEveryControlledCommit_AndBothRepositoriesHoldTheSameWal(bool objectStores)
    {
        var repo1Dir = Path.Combine(site.Dir, "object-repo1");
        var repo1Ref = objectStores ? "org/aws/object-repo" : "org/gcp/object-repo";
        JsonObject repo1Inputs, repo2Inputs;
        if (objectStores)
        {
            var up = JsonNode.Parse((await site.StartAsync(["--object-stores"])).StdOut)!["object_stores"]!;
            repo1Inputs = up["s3"]!.AsObject();
            repo2Inputs = up["azure"]!.AsObject();
            var lab = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(site.LabDir, "lab.json")))!;
            s3Pid = lab["processes"]!.AsArray().First(p => p!["name"]!.GetValue<string>() == "s3rver")!["pid"]!.GetValue<int>();
        }
        else
        {
            await site.StartAsync();
            repo1Inputs = new JsonObject { ["provider"] = "local", ["bucket"] = "hyops-r1", ["local_root"] = repo1Dir };
            repo2Inputs = new JsonObject { ["provider"] = "local", ["bucket"] = "hyops-r2", ["local_root"] = Path.Combine(site.Dir, "object-repo2") };
        }

        await Ok("module", "deploy", "--module", repo1Ref, "--inputs", site.WriteInputs("repo1.json", repo1Inputs));
        var repo2 = (await Ok("module", "deploy", "--module", "org/azure/object-repo", "--inputs", site.WriteInputs("repo2.json", repo2Inputs)))["outputs"]!;
        var source = (await Ok("module", "deploy", "--module", Ha))["outputs"]!;
        var backupInputs = new JsonObject { ["repo_state_ref"] = repo1Ref, ["repo2_state_ref"] = "org/azure/object-repo", ["repo2_retention_full"] = 3 };
        var configured = (await Ok("module", "deploy", "--module", Backup, "--inputs", site.WriteInputs("configure.json", backupInputs)))["outputs"]!;
        var config = File.ReadAllText(configured["config_path"]!.GetValue<string>());
        var repo2Path = repo2["pgbackrest_options"]!["repo1-path"]!.GetValue<string>();
        config.ShouldContain(objectStores ? "repo1-type=s3" : "repo1-path=" + Path.Combine(repo1Dir, "hyops-r1"));
        config.ShouldContain(objectStores ? "repo2-type=azure" : "repo2-path=" + repo2Path);
        config.ShouldContain("repo2-retention-full=3");

        var leader = site.Endpoint(source["leader_name"]!.GetValue<string>());
        await ExecAsync(leader, "create table repo2_probe(id int primary key, phase text); insert into repo2_probe select g, 'before' from generate_series(1, 5) g");
        backupInputs["apply_mode"] = "backup";
        var backedUp = (await Ok("module", "deploy", "--module", Backup, "--inputs", site.WriteInputs("backup.json", backupInputs)))["outputs"]!;
        var repos = backedUp["repositories"]!.AsArray();
        repos.Select(r => r!["repo_state_ref"]!.GetValue<string>()).ShouldBe([repo1Ref, "org/azure/object-repo"]);
        repos.ShouldAllBe(r => r!["backup_count"]!.GetValue<int>() == 1);
        var repo2Label = repos[1]!["backup_label"]!.GetValue<string>();

        // The controlled commits: written after both backups and archived (to both repositories) before the restore.
        await ExecAsync(leader, "insert into repo2_probe select g, 'after' from generate_series(6, 10) g");
        var switched = await PgProbe.ScalarAsync<string>(leader, "select pg_walfile_name(pg_switch_wal())", CancellationToken.None);
        await WaitUntilAsync(async () => string.CompareOrdinal(await PgProbe.ScalarAsync<string>(leader, "select coalesce(last_archived_wal, '') from pg_stat_archiver", CancellationToken.None), switched) >= 0,
            "the WAL segment with the controlled commits to be archived");

        // status: each repository verified, the same WAL range in both, no RPO event.
        var facts = (await Ok("module", "status", "--module", Backup, "--inputs", site.WriteInputs("status.json", With(backupInputs, "apply_mode", "configure"))))["outputs"]!["repositories"]!.AsArray();
        facts.Count.ShouldBe(2);
        facts[1]!["wal_archive_min"]!.GetValue<string>().ShouldBe(facts[0]!["wal_archive_min"]!.GetValue<string>());
        facts[1]!["wal_archive_max"]!.GetValue<string>().ShouldBe(facts[0]!["wal_archive_max"]!.GetValue<string>());
        string.CompareOrdinal(facts[1]!["wal_archive_max"]!.GetValue<string>(), switched).ShouldBeGreaterThanOrEqualTo(0);
        facts.ShouldAllBe(f => f!["verify_passed"]!.GetValue<bool>() && f["wal_continuous"]!.GetValue<bool>() && f["rpo_events"]!.AsArray().Count == 0);

        // repo1 unreachable: its directory is gone, or its store stopped.
        if (objectStores)
        {
            await SignalS3Async("STOP");
        }
        else
        {
            Directory.Move(repo1Dir, repo1Dir + ".unreachable");
        }

        var dr = (await Ok("module", "deploy", "--module", "org/gcp/dr-hosts"))["outputs"]!;
        var restore = new JsonObject
        {
            ["apply_mode"] = "restore",
            ["hosts_state_ref"] = "org/gcp/dr-hosts",
            ["repo_state_ref"] = "org/azure/object-repo",
            ["backup_state_ref"] = Backup,
            ["cluster_name"] = Scope,
            ["restore_target"] = "latest",
            ["restore_timeout_s"] = 90,
            ["restore_confirm"] = Scope,
        };
        var restored = (await Ok("module", "deploy", "--module", Ha, "--instance", "gcp-dr", "--inputs", site.WriteInputs("restore.json", restore)))["outputs"]!;
        restored["restored_from"]!["backup_label"]!.GetValue<string>().ShouldBe(repo2Label);
        var drLeader = leader with { Host = restored["leader_host"]!.GetValue<string>() };
        drLeader.Host.ShouldStartWith("127.0.197.");
        (await PgProbe.ScalarAsync<long>(drLeader, "select count(*) from repo2_probe", CancellationToken.None)).ShouldBe(10);
        (await PgProbe.ScalarAsync<long>(drLeader, "select count(*) from repo2_probe where phase = 'after'", CancellationToken.None)).ShouldBe(5);
        var drConfig = Directory.EnumerateFiles(dr["data_root"]!.GetValue<string>(), "pgbackrest.conf", SearchOption.AllDirectories).First();
        File.ReadAllText(drConfig).ShouldContain("repo1-path=" + repo2Path);
        File.ReadAllText(drConfig).ShouldContain(objectStores ? "repo1-type=azure" : "repo1-type=posix");
        if (objectStores)
        {
            // The stopped store would hang every call to it; the down status is shown with local repositories.
            (await site.HyopsAsync("module", "destroy", "--module", Ha, "--instance", "gcp-dr")).ExitCode.ShouldBe(0);
            return;
        }


        // While repo1 is unreachable the source's WAL still reaches repo2 (archive-push stores it there and fails,
        // so PostgreSQL retries): repo1's entry carries the RPO event, status is partial.
        await ExecAsync(leader, "insert into repo2_probe values (11, 'repo1 down')");
        var more = await PgProbe.ScalarAsync<string>(leader, "select pg_walfile_name(pg_switch_wal())", CancellationToken.None);
        await WaitUntilAsync(() => Task.FromResult(Directory.EnumerateFiles(Path.Combine(site.Dir, "object-repo2"), more + "-*", SearchOption.AllDirectories).Any()),
            "the segment written while repo1 is unreachable to reach repo2");
        var down = await site.HyopsAsync("--output", "json", "module", "status", "--module", Backup, "--inputs", site.WriteInputs("status-down.json", With(backupInputs, "apply_mode", "configure")));
        down.ExitCode.ShouldNotBe(0, down.ToString());
        var downOutputs = JsonNode.Parse(down.StdOut)!["outputs"]!;
        downOutputs["check_passed"]!.GetValue<bool>().ShouldBeFalse();
        string.CompareOrdinal(downOutputs["last_archived_wal"]!.GetValue<string>(), more).ShouldBeLessThan(0);
        var downRepos = downOutputs["repositories"]!.AsArray();
        string.CompareOrdinal(downRepos[1]!["wal_archive_max"]!.GetValue<string>(), more).ShouldBeGreaterThanOrEqualTo(0);
        downRepos[1]!["rpo_events"]!.AsArray().ShouldBeEmpty();
        var lag = downRepos[0]!["rpo_events"]!.AsArray().Single()!;
        lag["kind"]!.GetValue<string>().ShouldBe("archive_behind");
        lag["repo_state_ref"]!.GetValue<string>().ShouldBe(repo1Ref);

        var destroy = await site.HyopsAsync("module", "destroy", "--module", Ha, "--instance", "gcp-dr");
        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        Directory.Move(repo1Dir + ".unreachable", repo1Dir);
    }

    private static JsonObject With(JsonObject inputs, string key, string value)
    {
        var copy = inputs.DeepClone().AsObject();
        copy[key] = value;
        return copy;
    }

    private async Task SignalS3Async(string signal)
    {
        if (s3Pid > 0 && File.Exists($"/proc/{s3Pid}/cmdline") && File.ReadAllText($"/proc/{s3Pid}/cmdline").Contains("s3rver", StringComparison.Ordinal))
        {
            (await new LocalProcessRunner().RunAsync(ProcessSpec.Of("kill", "-" + signal, s3Pid.ToString(CultureInfo.InvariantCulture)), CancellationToken.None)).EnsureSuccess();
        }
    }

    private async Task<JsonNode> Ok(params string[] args)
    {
        var r = await site.HyopsAsync(["--output", "json", .. args]);
        r.ExitCode.ShouldBe(0, r.ToString());
        return JsonNode.Parse(r.StdOut)!;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 120; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"timed out waiting for {what}");
    }
}
