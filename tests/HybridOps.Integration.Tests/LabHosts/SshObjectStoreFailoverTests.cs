using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Sql;
using Xunit.Abstractions;

using static HybridOps.Integration.Tests.LabHosts.LabHostsTestSupport;

namespace HybridOps.Integration.Tests.LabHosts;

/// <summary>
/// The baseline failover on hosts reached only over SSH, through the S3 object store of the host lab:
/// block 6 (169.254.250.98-.110) with the on-prem site, the DR site (dr-etcd, dr1-dr3) and the
/// `objstore` host running Azurite and s3rver under its service manager, the lab CA on every host.
/// Backups and WAL go to s3rver over TLS; the on-prem site is power-cut; the failover blueprint restores
/// onto the DR hosts, whose recovery fetches the WAL by archive-get from the store. Then a secret scan
/// of the runtime root, every lab host's files (except the documented 0600 files) and every output.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SshObjectStoreFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Block = 6;
    private const string Repo = "org/aws/object-repo";
    private static readonly string[] RepoSteps = ["drain_archive", "restore_dr", "dr_readiness", "dr_backup_config", "dr_backup_full", "dr_protected"];
    private readonly Site site = Site.WithoutLab();
    private readonly List<CliResult> outputs = [];
    private JsonObject up = null!;

    public async Task InitializeAsync()
    {
        site.Environment["HYOPS_LAB_S3_ACCESS_KEY"] = "HYOPSIT" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        site.Environment["HYOPS_LAB_S3_SECRET_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        site.Environment["HYOPS_LAB_AZURE_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var r = await Run("--output", "json", "lab", "up", "--object-stores", "--block", Block.ToString(CultureInfo.InvariantCulture), "--lab-dir", site.LabDir);
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
        r.StdErr.ShouldContain("azurite and s3rver stopped");
        var netns = await LabHostsTestSupport.Runner.RunAsync(new HybridOps.Postgres.Exec.ProcessSpec("ip", ["netns", "list"]), CancellationToken.None);
        netns.StdOut.ShouldNotContain($"hyops-{Block}-");
        await site.DisposeAsync();
    }

    [Fact]
    public async Task Failover_ThroughTheS3StoreOnItsOwnHost_FetchesWalByArchiveGetOnTheDrHosts_AndNoKeyLeaksOutsideThe0600Files()
    {
        // The stores run on their own host, under its service manager; every host has the lab CA.
        (await SshAsync("objstore", "start-stop-daemon --status --pidfile /run/hyops/s3rver.pid; echo $?; test -s /etc/ssl/hyops-lab/ca.crt && echo ca")).ShouldContain("ca");
        (await SshAsync("dr2", "stat -c '%a %U' /etc/ssl/hyops-lab/ca.crt")).Trim().ShouldBe("644 root");
        var s3 = up["object_stores"]!["s3"]!.AsObject();
        s3["ca_file"]!.GetValue<string>().ShouldBe("/etc/ssl/hyops-lab/ca.crt");
        s3["endpoint"]!.GetValue<string>().ShouldStartWith("169.254.250.");

        (await Run("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);
        var repoInputs = Path.Combine(site.Dir, "repo.json");
        await File.WriteAllTextAsync(repoInputs, s3.ToJsonString());
        (await Run("module", "deploy", "--module", Repo, "--inputs", repoInputs)).ExitCode.ShouldBe(0);
        var inputs = Path.Combine(site.Dir, "backup.yml");
        await File.WriteAllTextAsync(inputs, $"apply_mode: configure\narchive_timeout_s: 5\nrepo_state_ref: {Repo}\n");
        var configure = await Run("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", inputs);
        configure.ExitCode.ShouldBe(0, configure.ToString());
        await File.WriteAllTextAsync(inputs, $"apply_mode: backup\nrepo_state_ref: {Repo}\n");
        var backup = await Run("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", inputs);
        backup.ExitCode.ShouldBe(0, backup.ToString());
        (await SshAsync("pg2", "stat -c '%a %U' /etc/pgbackrest/pgbackrest.conf; grep -c '^repo1-type=s3$' /etc/pgbackrest/pgbackrest.conf")).ShouldBe("600 postgres\n1\n");

        // 100 commits after the backup, their WAL archived to the store, then the site loses power.
        var leader = Outputs("platform__onprem__postgresql-ha")["leader_host"]!.GetValue<string>();
        var onprem = new PgEndpoint(leader, 5432, "postgres", site.SuperuserPassword);
        await TestSql.ExecAsync(onprem, "create table controlled(id int primary key); insert into controlled select generate_series(1, 100)");
        var segment = await PgProbe.ScalarAsync<string>(onprem, "select pg_walfile_name(pg_switch_wal())", CancellationToken.None);
        await WaitArchivedAsync(onprem, segment!);
        await File.WriteAllTextAsync(inputs, $"repo_state_ref: {Repo}\n");
        var status = await Run("--output", "json", "module", "status", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", inputs);
        status.ExitCode.ShouldBe(0, status.ToString());
        JsonNode.Parse(status.StdOut)!["outputs"]!["verify_passed"]!.GetValue<bool>().ShouldBeTrue();
        (await Run("lab", "fail-site", "--lab-dir", site.LabDir)).ExitCode.ShouldBe(0);

        var steps = new JsonObject
        {
            ["fence_onprem"] = new JsonObject { ["fence_confirm"] = "hyops-onprem" },
            ["dr_hosts"] = up["dr_site"]!.DeepClone(),
            ["restore_dr"] = new JsonObject { ["restore_confirm"] = "gcp-dr-pg" },
        };
        foreach (var id in RepoSteps)
        {
            var step = steps[id] as JsonObject ?? new JsonObject();
            step["repo_state_ref"] = Repo;
            steps[id] = step;
        }

        var failover = Path.Combine(site.Dir, "failover.json");
        await File.WriteAllTextAsync(failover, steps.ToJsonString());
        var clock = Stopwatch.StartNew();
        var run = await Run("--output", "json", "blueprint", "deploy", "--ref", "dr/postgresql-ha-failover-gcp@v1", "--inputs", failover);
        run.ExitCode.ShouldBe(0, run.ToString());
        var restore = JsonNode.Parse(run.StdOut)!["steps"]!.AsArray().First(st => st!["id"]!.GetValue<string>() == "restore_dr")!;
        output.WriteLine($"ssh failover through s3rver: blueprint {clock.Elapsed.TotalSeconds:F1}s, restore onto 3 DR hosts {restore["duration_ms"]} ms");

        // Every archived commit is on the restored leader: replayed from WAL that archive-get fetched from the store.
        var dr = Outputs("platform__onprem__postgresql-ha", "gcp-dr");
        var drLeader = dr["leader_host"]!.GetValue<string>();
        up["dr_site"]!["hosts"]!.AsArray().Select(h => h!["host"]!.GetValue<string>()).ShouldContain(drLeader);
        (await PgProbe.ScalarAsync<long>(new PgEndpoint(drLeader, 5432, "postgres", site.SuperuserPassword), "select count(*) from controlled", CancellationToken.None)).ShouldBe(100);
        var drName = dr["leader_name"]!.GetValue<string>();
        // The restored members' only repository is the S3 store (their pgbackrest.conf names nothing else) and the
        // on-prem site is dead: rows 1-100, committed after the backup, came by archive-get from the store.
        var configs = await SshAsync(drName, "cat /var/lib/postgresql/hyops/*/pgbackrest.conf | grep -E '^repo[0-9]+-type=' | sort -u");
        configs.Trim().ShouldBe("repo1-type=s3");
        (await SshAsync("dr1", "stat -c '%a %U' /etc/pgbackrest/pgbackrest.conf; grep -c '^repo1-s3-endpoint=' /etc/pgbackrest/pgbackrest.conf")).ShouldBe("600 postgres\n1\n");

        // The DR lineage is backed up from the DR hosts into its own stanza, in the same store.
        var info = await SshAsync("dr3", "sudo -u postgres pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=gcp-dr-pg --output=json info");
        JsonNode.Parse(info)![0]!["backup"]!.AsArray().Count.ShouldBe(1, info);
        ScanForKeys();
    }

    /// <summary>No repository key in the runtime root, in any lab host's files except the documented 0600 ones, or in any output.</summary>
    private void ScanForKeys()
    {
        string[] secrets = [site.Environment["HYOPS_LAB_S3_ACCESS_KEY"], site.Environment["HYOPS_LAB_S3_SECRET_KEY"], site.Environment["HYOPS_LAB_AZURE_KEY"]];
        foreach (var (path, text) in site.RuntimeFiles())
        {
            foreach (var s in secrets)
            {
                text.ShouldNotContain(s, customMessage: path);
            }
        }

        var keyFiles = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(site.LabDir, "hosts"), "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(file);
            if (info.LinkTarget is not null || info.Length > 64 << 20)
            {
                continue;
            }

            if (info.Name is "pgbackrest.conf" or "azurite.env" or "s3rver.env")
            {
                // The documented places of the keys: 0600, owned by the service user.
                File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, file);
                keyFiles++;
                continue;
            }

            string text;
            try
            {
                text = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(file));
            }
            catch (IOException)
            {
                continue; // a socket: nothing stored in it
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var s in secrets)
            {
                text.ShouldNotContain(s, customMessage: file);
            }
        }

        keyFiles.ShouldBeGreaterThanOrEqualTo(8, "3 on-prem + 3 DR pgbackrest.conf and the two stores' env files");
        foreach (var r in outputs)
        {
            foreach (var s in secrets)
            {
                r.ToString().ShouldNotContain(s);
            }
        }

        output.WriteLine($"secret scan: runtime root, every lab host's files ({keyFiles} documented 0600 key files skipped), {outputs.Count} outputs: no key");
    }

    private async Task<CliResult> Run(params string[] args)
    {
        var r = await site.HyopsAsync(args);
        outputs.Add(r);
        return r;
    }

    private JsonObject Outputs(string moduleId, string? instance = null) => StateOutputs(site, moduleId, instance);

    private async Task<string> SshAsync(string host, string command) =>
        (await LabHostsTestSupport.SshAsync(site.LabDir, host, command)).StdOut;
}
