using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Sql;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Repository;

/// <summary>
/// A second repository on a lab of hosts (block 6) reached only over SSH: the backup module writes
/// org/gcp/object-repo as pgBackRest repo1 and org/azure/object-repo as repo2 (two posix repositories on
/// the share every lab host mounts), WAL is archived to both and a backup is taken into each. Then repo1 is
/// made unreachable (its directory renamed away on the share) and platform/onprem/postgresql-ha apply_mode
/// restore, given repo_state_ref org/azure/object-repo, restores the DR cluster onto dr1-dr3 from repo2:
/// the same restore, another input. With the lab's object stores (the objstore host) repo1 is S3 (s3rver,
/// stopped by SIGSTOP) and repo2 Azure Blob (Azurite).
/// </summary>
public sealed class SecondRepositoryRestoreTests : IAsyncLifetime
{
    private const string Ha = "platform/onprem/postgresql-ha";
    private const string Backup = "platform/onprem/postgresql-ha-backup";
    private const string Scope = "gcp-dr-pg";
    private const string DrDataRoot = "/var/lib/postgresql/hyops";
    private readonly Site site = Site.OnHosts(6);
    private readonly string share = "/var/lib/pgbackrest/it-" + Guid.NewGuid().ToString("N")[..8];
    private IReadOnlyList<int> s3Pids = [];

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
        var repo1Dir = $"{share}/r1";
        var repo1Ref = objectStores ? "org/aws/object-repo" : "org/gcp/object-repo";
        JsonObject repo1Inputs, repo2Inputs, lab;
        if (objectStores)
        {
            site.Environment["HYOPS_LAB_S3_ACCESS_KEY"] = "HYOPSIT" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
            site.Environment["HYOPS_LAB_S3_SECRET_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
            site.Environment["HYOPS_LAB_AZURE_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            lab = JsonNode.Parse((await site.StartAsync(["--object-stores"])).StdOut)!.AsObject();
            repo1Inputs = lab["object_stores"]!["s3"]!.AsObject();
            repo2Inputs = lab["object_stores"]!["azure"]!.AsObject();
            s3Pids = [.. HybridOps.Lab.Hosts.LabHostSet.ProcessesOf(site.LabDir, "objstore").Where(p => ProcessControl.CommandLineContains(p, "s3rver"))];
            s3Pids.ShouldNotBeEmpty();
        }
        else
        {
            lab = JsonNode.Parse((await site.StartAsync([])).StdOut)!.AsObject();
            repo1Inputs = new JsonObject { ["provider"] = "local", ["bucket"] = "hyops-r1", ["local_root"] = repo1Dir };
            repo2Inputs = new JsonObject { ["provider"] = "local", ["bucket"] = "hyops-r2", ["local_root"] = $"{share}/r2" };
        }

        await Ok("module", "deploy", "--module", repo1Ref, "--inputs", site.WriteInputs("repo1.json", repo1Inputs));
        var repo2 = (await Ok("module", "deploy", "--module", "org/azure/object-repo", "--inputs", site.WriteInputs("repo2.json", repo2Inputs)))["outputs"]!;
        var source = (await Ok("module", "deploy", "--module", Ha))["outputs"]!;
        var backupInputs = new JsonObject { ["repo_state_ref"] = repo1Ref, ["repo2_state_ref"] = "org/azure/object-repo", ["repo2_retention_full"] = 3 };
        var configured = (await Ok("module", "deploy", "--module", Backup, "--inputs", site.WriteInputs("configure.json", backupInputs)))["outputs"]!;
        var config = await site.SshAsync("pg1", "cat " + configured["config_path"]!.GetValue<string>());
        var repo2Path = repo2["pgbackrest_options"]!["repo1-path"]!.GetValue<string>();
        config.ShouldContain(objectStores ? "repo1-type=s3" : "repo1-path=" + repo1Dir + "/hyops-r1");
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
            await site.SshAsync("pg1", $"mv {repo1Dir} {repo1Dir}.unreachable");
        }

        (await Ok("module", "deploy", "--module", "org/gcp/dr-hosts", "--inputs", site.WriteInputs("dr.json", lab["dr_site"]!.AsObject()))).ShouldNotBeNull();
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
        drLeader.Host.ShouldBeOneOf(site.Address("dr1"), site.Address("dr2"), site.Address("dr3"));
        (await PgProbe.ScalarAsync<long>(drLeader, "select count(*) from repo2_probe", CancellationToken.None)).ShouldBe(10);
        (await PgProbe.ScalarAsync<long>(drLeader, "select count(*) from repo2_probe where phase = 'after'", CancellationToken.None)).ShouldBe(5);
        var drConfig = await site.SshAsync("dr1", $"cat {DrDataRoot}/dr1/pgbackrest.conf");
        drConfig.ShouldContain("repo1-path=" + repo2Path);
        drConfig.ShouldContain(objectStores ? "repo1-type=azure" : "repo1-type=posix");
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
        await WaitUntilAsync(async () => (await site.SshAsync("pg2", $"find {share}/r2 -name '{more}-*' | wc -l")) != "0",
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
        await site.SshAsync("pg1", $"mv {repo1Dir}.unreachable {repo1Dir}");
    }

    private static JsonObject With(JsonObject inputs, string key, string value)
    {
        var copy = inputs.DeepClone().AsObject();
        copy[key] = value;
        return copy;
    }

    /// <summary>s3rver's processes on the object-store host (its own pid namespace; the host's kernel is this machine's).</summary>
    private async Task SignalS3Async(string signal)
    {
        foreach (var pid in s3Pids.Where(p => ProcessControl.CommandLineContains(p, "s3rver")))
        {
            (await new LocalProcessRunner().RunAsync(ProcessSpec.Of("kill", "-" + signal, pid.ToString(CultureInfo.InvariantCulture)), CancellationToken.None)).EnsureSuccess();
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
