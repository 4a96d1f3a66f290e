using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Sql;
using Xunit.Abstractions;

using static HybridOps.Integration.Tests.LabHosts.LabHostsTestSupport;

namespace HybridOps.Integration.Tests.LabHosts;

/// <summary>
/// The baseline failover on real hosts reached only over SSH: the lab on hosts of block 5
/// (169.254.250.82-.94) with its on-prem site and an empty DR site (dr-etcd, dr1-dr3). Backups go to
/// the posix repository every host mounts at /var/lib/pgbackrest (a site's NFS export); the on-prem
/// site is power-cut; the failover blueprint restores onto the DR hosts through their executor and
/// service manager and publishes the endpoint on the lab's DNS host.
/// </summary>
public sealed class SshFailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Block = 5;
    private readonly Site site = Site.WithoutLab();
    private JsonObject drSite = null!;

    public async Task InitializeAsync()
    {
        var r = await site.HyopsAsync("--output", "json", "lab", "up", "--block", Block.ToString(CultureInfo.InvariantCulture), "--lab-dir", site.LabDir);
        if (r.ExitCode != 0)
        {
            await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        }

        r.ExitCode.ShouldBe(0, r.ToString());
        drSite = JsonNode.Parse(r.StdOut)!["dr_site"]!.AsObject();
    }

    public async Task DisposeAsync()
    {
        var r = await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        r.ExitCode.ShouldBe(0, r.ToString());
        var netns = LabHostsTestSupport.Runner.RunAsync(new HybridOps.Postgres.Exec.ProcessSpec("ip", ["netns", "list"]), CancellationToken.None).GetAwaiter().GetResult();
        netns.StdOut.ShouldNotContain($"hyops-{Block}-");
        await site.DisposeAsync();
    }

    [Fact]
    public async Task FailoverAndFailback_OverSshOnly_KeepEveryControlledCommit_AndNothingOfTheClustersRunsOnThisMachine()
    {
        // Backups of the on-prem cluster into the hosts' shared repository.
        (await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);
        PublishSharedRepository(site.Root);
        var inputs = Path.Combine(site.Dir, "backup.yml");
        await File.WriteAllTextAsync(inputs, "apply_mode: configure\narchive_timeout_s: 5\n");
        var configure = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", inputs);
        configure.ExitCode.ShouldBe(0, configure.ToString());
        await File.WriteAllTextAsync(inputs, "apply_mode: backup\n");
        var backup = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", inputs);
        backup.ExitCode.ShouldBe(0, backup.ToString());

        // The controlled part: 100 commits after the backup, their WAL archived, then the site loses power.
        var leader = Outputs("platform__onprem__postgresql-ha")["leader_host"]!.GetValue<string>();
        var onprem = new PgEndpoint(leader, 5432, "postgres", site.SuperuserPassword);
        await TestSql.ExecAsync(onprem, "create table controlled(id int primary key); insert into controlled select generate_series(1, 100)");
        var segment = await PgProbe.ScalarAsync<string>(onprem, "select pg_walfile_name(pg_switch_wal())", CancellationToken.None);
        await WaitArchivedAsync(onprem, segment!);
        (await site.HyopsAsync("lab", "fail-site", "--lab-dir", site.LabDir)).ExitCode.ShouldBe(0);

        var failover = Path.Combine(site.Dir, "failover.yml");
        var steps = new JsonObject
        {
            ["fence_onprem"] = new JsonObject { ["fence_confirm"] = "hyops-onprem" },
            ["dr_hosts"] = drSite.DeepClone(),
            ["restore_dr"] = new JsonObject { ["restore_confirm"] = "gcp-dr-pg" },
        };
        await File.WriteAllTextAsync(failover, steps.ToJsonString());
        var run = await site.HyopsAsync("--output", "json", "blueprint", "deploy", "--ref", "dr/postgresql-ha-failover-gcp@v1", "--inputs", failover);
        run.ExitCode.ShouldBe(0, run.ToString());
        var restore = JsonNode.Parse(run.StdOut)!["steps"]!.AsArray().First(st => st!["id"]!.GetValue<string>() == "restore_dr")!;
        output.WriteLine($"ssh failover: restore onto 3 DR hosts {restore["duration_ms"]} ms");

        // Every archived commit is on the restored leader, which is one of the DR hosts.
        var dr = Outputs("platform__onprem__postgresql-ha", "gcp-dr");
        var drLeader = dr["leader_host"]!.GetValue<string>();
        drSite["hosts"]!.AsArray().Select(h => h!["host"]!.GetValue<string>()).ShouldContain(drLeader);
        (await PgProbe.ScalarAsync<long>(new PgEndpoint(drLeader, 5432, "postgres", site.SuperuserPassword), "select count(*) from controlled", CancellationToken.None)).ShouldBe(100);
        dr["members"]!.AsArray().Count.ShouldBe(3);

        // Nothing of the DR cluster runs on, or is written to, this machine: the servers live in the DR hosts.
        var ours = new[] { "dr1", "dr2", "dr3" }.SelectMany(h => LabHostSet.ProcessesOf(site.LabDir, h)).ToHashSet();
        var servers = Processes().Where(p => ours.Contains(p.Pid) && p.Argv.Contains("/var/lib/postgresql/hyops/", StringComparison.Ordinal)).ToList();
        servers.Count(p => p.Argv.Contains("patroni.yml", StringComparison.Ordinal)).ShouldBe(3);
        foreach (var p in servers)
        {
            Ancestors(p.Pid).ShouldNotContain(Environment.ProcessId, $"{p.Pid} {p.Argv} descends from the test process");
        }

        Directory.Exists("/var/lib/postgresql/hyops").ShouldBeFalse("the DR member dirs exist only inside the DR hosts");
        (await SshAsync("dr2", "stat -c '%a %U' /var/lib/postgresql/hyops/dr2/patroni.env /etc/pgbackrest/pgbackrest.conf")).ShouldBe("600 postgres\n600 postgres\n");
        // pg_hba of the restored cluster names the site's network, never the loopback range.
        var hba = await SshAsync("dr1", "sudo -u postgres psql -XAt -h /var/lib/postgresql/hyops/dr1/run -c \"select string_agg(distinct address, ',') from pg_hba_file_rules where type = 'host'\"");
        hba.Trim().ShouldBe(drSite["client_networks"]![0]!.GetValue<string>().Split('/')[0]);

        // The DR lineage is backed up from the DR hosts into its own stanza.
        var info = await SshAsync("dr3", "sudo -u postgres pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=gcp-dr-pg --output=json info");
        JsonNode.Parse(info)![0]!["backup"]!.AsArray().Count.ShouldBe(1, info);

        // Writes on the DR cluster, then the controlled failback: the on-prem hosts come back (etcd only) and the
        // cluster is rebuilt on them over ssh from the DR lineage, next to the old data, with every DR commit.
        var drEndpoint = new PgEndpoint(drLeader, 5432, "postgres", site.SuperuserPassword);
        await TestSql.ExecAsync(drEndpoint, "insert into controlled select generate_series(101, 150)");
        (await site.HyopsAsync("lab", "repair-site", "--lab-dir", site.LabDir)).ExitCode.ShouldBe(0);
        var gate = Path.Combine(site.Dir, "gate.yml");
        await File.WriteAllTextAsync(gate, "gate_id: failback-onprem\ntarget_state_ref: platform/onprem/inventory\ntarget_output_key: cluster_name\n");
        var nonce = await site.HyopsAsync("--output", "json", "module", "status", "--module", "core/shared/manual-gate", "--instance", "failback-onprem", "--inputs", gate);
        var back = new JsonObject
        {
            ["maintenance_gate"] = new JsonObject
            {
                ["confirm"] = true, ["confirm_target"] = "hyops-onprem", ["confirm_nonce"] = JsonNode.Parse(nonce.StdOut)!["outputs"]!["nonce"]!.GetValue<string>(),
            },
            ["fence_dr"] = new JsonObject { ["fence_confirm"] = "gcp-dr-pg" },
            ["rebuild_onprem"] = new JsonObject { ["restore_confirm"] = "hyops-onprem", ["wipe_confirm"] = "hyops-onprem" },
        };
        var failback = Path.Combine(site.Dir, "failback.yml");
        await File.WriteAllTextAsync(failback, back.ToJsonString());
        var fb = await site.HyopsAsync("--output", "json", "blueprint", "deploy", "--ref", "dr/postgresql-ha-failback-onprem@v1", "--inputs", failback);
        fb.ExitCode.ShouldBe(0, fb.ToString());
        var rebuilt = Outputs("platform__onprem__postgresql-ha");
        var onpremLeader = rebuilt["leader_host"]!.GetValue<string>();
        Outputs("platform__onprem__inventory")["members"]!.AsArray().Select(m => m!["host"]!.GetValue<string>()).ShouldContain(onpremLeader);
        (await PgProbe.ScalarAsync<long>(new PgEndpoint(onpremLeader, 5432, "postgres", site.SuperuserPassword), "select count(*) from controlled", CancellationToken.None)).ShouldBe(150);
        (await SshAsync("pg1", "test -f /var/lib/postgresql/hyops-rebuild/hyops-onprem/pg1/patroni.yml && test -f /var/lib/postgresql/15/main/PG_VERSION && echo both")).Trim()
            .ShouldBe("both", "the rebuild sits next to the old cluster's data, which is kept");
        var status = await site.HyopsAsync("lab", "status", "--lab-dir", site.LabDir);
        status.ExitCode.ShouldBe(0, status.ToString());

        foreach (var (path, text) in site.RuntimeFiles())
        {
            text.ShouldNotContain(site.SuperuserPassword, customMessage: path);
            text.ShouldNotContain(site.ReplicationPassword, customMessage: path);
        }
    }

    private JsonObject Outputs(string moduleId, string? instance = null) => StateOutputs(site, moduleId, instance);

    private async Task<string> SshAsync(string host, string command) =>
        (await LabHostsTestSupport.SshAsync(site.LabDir, host, command)).StdOut;
}
