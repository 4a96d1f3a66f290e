using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;
using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Sql;
using Xunit.Abstractions;

using static HybridOps.Integration.Tests.LabHosts.LabHostsTestSupport;

namespace HybridOps.Integration.Tests.LabHosts;

/// <summary>
/// The premium lane on real hosts reached only over SSH: the lab on hosts of block 10
/// (169.254.250.162-.174) with its on-prem site and the managed provider's host. The standby runs
/// on the managed host as a service of its service manager; the DR source admits the replication
/// role from that host's address only; the on-prem site is then partitioned away from the managed
/// host and from hyops, and the promote blueprint fences it by unreachability and promotes.
/// </summary>
public sealed class SshPremiumTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Block = 10;
    private const string Instance = "hyops-dr-standby";
    private const string DrKey = "HYOPS_DR_REPLICATION_PASSWORD";
    private readonly Site site = Site.WithoutLab();
    private readonly string drPassword = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
    private JsonObject managedSite = null!;
    private string network = null!;

    public async Task InitializeAsync()
    {
        site.Environment[DrKey] = drPassword;
        var r = await site.HyopsAsync("--output", "json", "lab", "up", "--block", Block.ToString(CultureInfo.InvariantCulture), "--lab-dir", site.LabDir);
        if (r.ExitCode != 0)
        {
            await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        }

        r.ExitCode.ShouldBe(0, r.ToString());
        var up = JsonNode.Parse(r.StdOut)!;
        managedSite = up["managed_site"]!.AsObject();
        network = up["dr_site"]!["client_networks"]![0]!.GetValue<string>();
    }

    public async Task DisposeAsync()
    {
        var r = await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        r.ExitCode.ShouldBe(0, r.ToString());
        var netns = await Runner.RunAsync(new HybridOps.Postgres.Exec.ProcessSpec("ip", ["netns", "list"]), CancellationToken.None);
        netns.StdOut.ShouldNotContain($"hyops-{Block}-");
        await site.DisposeAsync();
    }

    [Fact]
    public async Task Standby_OnTheManagedHost_ThenPromote_WithOnpremPartitionedAway_KeepsEveryControlledCommit()
    {
        var managedAddress = managedSite["provider_host"]!["host"]!.GetValue<string>();
        var standbyInputs = new JsonObject
        {
            ["dr_source"] = new JsonObject { ["allowed_consumer_cidrs"] = managedSite["consumer_cidrs"]!.DeepClone() },
            ["managed_instance"] = new JsonObject
            {
                ["provider_host"] = managedSite["provider_host"]!.DeepClone(),
                // hyops and the application reach the instance from the site network.
                ["authorized_networks"] = new JsonArray(network),
            },
        };
        var standbyFile = Path.Combine(site.Dir, "standby.json");
        await File.WriteAllTextAsync(standbyFile, standbyInputs.ToJsonString());
        var leaderHost = await OnpremLeaderAsync();
        var onprem = new PgEndpoint(leaderHost, 5432, "postgres", site.SuperuserPassword);
        await TestSql.ExecAsync(onprem, "create table controlled(id int primary key, note text)");

        var sw = Stopwatch.StartNew();
        var standby = await site.HyopsAsync("--output", "json", "blueprint", "deploy", "--ref", "dr/postgresql-cloudsql-standby-gcp@v1", "--inputs", standbyFile);
        standby.ExitCode.ShouldBe(0, standby.ToString());
        output.WriteLine($"figure: ssh premium: standby blueprint onto the managed host {sw.Elapsed.TotalSeconds:F1} s");
        var target = Outputs("org__gcp__cloudsql-postgresql");
        target["host"]!.GetValue<string>().ShouldBe(managedAddress);

        // The standby is a server of the managed host, not of this machine, and its files live only there.
        var managedPids = LabHostSet.ProcessesOf(site.LabDir, "managed").ToHashSet();
        var server = Processes().Single(p => managedPids.Contains(p.Pid) && p.Argv.Contains($"/instances/{Instance}/data", StringComparison.Ordinal));
        Ancestors(server.Pid).ShouldNotContain(Environment.ProcessId);
        Directory.Exists("/var/lib/postgresql/hyops-managed").ShouldBeFalse();
        (await SshAsync("managed", $"stat -c '%a %U' /var/lib/postgresql/hyops-managed/instances/{Instance}/source.pgpass")).ShouldBe("600 postgres\n");

        // The consumer allowlist names the managed host only: the replication role is refused from another
        // host of the site before any password is asked, and reaches authentication from the managed host.
        var probe = $"psql -X -w 'host={leaderHost} port=5432 dbname=postgres user=hyops_dr_repl' -c 'select 1'";
        (await LabHostsTestSupport.SshAsync(site.LabDir, "dr1", probe)).StdErr.ShouldContain("pg_hba.conf rejects connection for host \"" + (await AddressAsync("dr1")) + "\", user \"hyops_dr_repl\"");
        (await LabHostsTestSupport.SshAsync(site.LabDir, "managed", probe)).StdErr.ShouldContain("no password supplied");

        // The controlled part: 100 commits on the on-prem leader, all on the standby before the partition.
        await TestSql.ExecAsync(onprem, "insert into controlled select g, 'before partition' from generate_series(1, 100) g");
        var standbyEndpoint = new PgEndpoint(managedAddress, target["port"]!.GetValue<int>(), "postgres", site.SuperuserPassword);
        await WaitUntilAsync(async () => await PgProbe.ScalarAsync<long>(standbyEndpoint, "select count(*) from controlled", CancellationToken.None) == 100, "100 rows on the standby");
        // The last known replication state the promotion will rely on once the source is gone.
        var status = await site.HyopsAsync("--output", "json", "module", "deploy", "--module", "org/gcp/cloudsql-external-replica",
            "--inputs", site.WriteInputs("status.json", new JsonObject { ["apply_mode"] = "status" }));
        status.ExitCode.ShouldBe(0, status.ToString());

        // The on-prem site is cut off from the managed host and from hyops: it can be fenced only by unreachability.
        (await site.HyopsAsync("lab", "partition", "onprem", "managed", "--lab-dir", site.LabDir)).ExitCode.ShouldBe(0);
        (await site.HyopsAsync("lab", "partition", "onprem", "hyops", "--lab-dir", site.LabDir)).ExitCode.ShouldBe(0);

        var promoteInputs = new JsonObject
        {
            ["standby_contract"] = new JsonObject { ["allow_source_unreachable"] = true },
            ["fence_onprem"] = new JsonObject { ["fence_confirm"] = "hyops-onprem" },
            ["promote"] = new JsonObject { ["promote_confirm"] = Instance, ["allow_source_unreachable"] = true },
            ["publish_endpoint"] = new JsonObject { ["publish_confirm"] = "db.hyops.lab." },
        };
        sw.Restart();
        var promote = await site.HyopsAsync("--output", "json", "blueprint", "deploy", "--ref", "dr/postgresql-cloudsql-promote-gcp@v1", "--inputs", site.WriteInputs("promote.json", promoteInputs));
        promote.ExitCode.ShouldBe(0, promote.ToString());
        output.WriteLine($"figure: ssh premium: promote with on-prem partitioned away {sw.Elapsed.TotalSeconds:F1} s");
        Outputs("platform__onprem__postgresql-fence", "onprem")["method"]!.GetValue<string>().ShouldBe("unreachable");

        // Every controlled commit is on the promoted instance, which now takes writes.
        var promoted = standbyEndpoint;
        (await PgProbe.ScalarAsync<long>(promoted, "select count(*) from controlled", CancellationToken.None)).ShouldBe(100);
        await TestSql.ExecAsync(promoted, "insert into controlled values (101, 'after promotion')");
        (await PgProbe.ScalarAsync<long>(promoted, "select count(*) from controlled", CancellationToken.None)).ShouldBe(101);

        foreach (var (path, text) in site.RuntimeFiles())
        {
            text.ShouldNotContain(site.SuperuserPassword, customMessage: path);
            text.ShouldNotContain(drPassword, customMessage: path);
        }

        // With the network back the old primary answers again: fencing it now goes through Patroni's pg_hba.
        (await site.HyopsAsync("lab", "heal", "--lab-dir", site.LabDir)).ExitCode.ShouldBe(0);
        var fence = await site.HyopsAsync("--output", "json", "module", "deploy", "--module", "platform/onprem/postgresql-fence", "--instance", "onprem",
            "--inputs", site.WriteInputs("fence.json", new JsonObject
            {
                ["apply_mode"] = "fence", ["cluster_state_ref"] = "platform/onprem/postgresql-ha",
                ["keep_rules_state_ref"] = "platform/onprem/postgresql-dr-source", ["fence_confirm"] = "hyops-onprem",
            }));
        fence.ExitCode.ShouldBe(0, fence.ToString());
        var fenced = Outputs("platform__onprem__postgresql-fence", "onprem");
        fenced["method"]!.GetValue<string>().ShouldBe("pg_hba-reject");
        fenced["fenced"]!.GetValue<bool>().ShouldBeTrue();

        // Failback: 49 more writes on the managed primary; the old on-prem database tier is retired (power cut,
        // the hosts come back with etcd only) and the failback blueprint fences the managed primary and reseeds a
        // new lineage onto the on-prem hosts over ssh, pg_dump and pg_restore running on the new leader's host.
        await TestSql.ExecAsync(promoted, "insert into controlled select g, 'on managed' from generate_series(102, 150) g");
        (await site.HyopsAsync("lab", "fail-site", "--lab-dir", site.LabDir)).ExitCode.ShouldBe(0);
        (await site.HyopsAsync("lab", "repair-site", "--lab-dir", site.LabDir)).ExitCode.ShouldBe(0);
        var gate = site.WriteInputs("gate.json", new JsonObject { ["gate_id"] = "failback-managed", ["target_state_ref"] = "platform/onprem/inventory", ["target_output_key"] = "cluster_name" });
        var nonce = await site.HyopsAsync("--output", "json", "module", "status", "--module", "core/shared/manual-gate", "--instance", "failback-managed", "--inputs", gate);
        var back = new JsonObject
        {
            ["maintenance_gate"] = new JsonObject
            {
                ["confirm"] = true, ["confirm_target"] = "hyops-onprem", ["confirm_nonce"] = JsonNode.Parse(nonce.StdOut)!["outputs"]!["nonce"]!.GetValue<string>(),
            },
            ["fence_managed"] = new JsonObject { ["fence_confirm"] = Instance },
            ["reseed_onprem"] = new JsonObject { ["reseed_confirm"] = "hyops-onprem", ["wipe_confirm"] = "hyops-onprem" },
        };
        sw.Restart();
        var failback = await site.HyopsAsync("--output", "json", "blueprint", "deploy", "--ref", "dr/postgresql-cloudsql-failback-onprem@v1", "--inputs", site.WriteInputs("failback.json", back));
        failback.ExitCode.ShouldBe(0, failback.ToString());
        output.WriteLine($"figure: ssh premium: failback reseed onto the on-prem hosts {sw.Elapsed.TotalSeconds:F1} s");
        var onpremLeader = Outputs("platform__onprem__postgresql-ha")["leader_host"]!.GetValue<string>();
        Outputs("platform__onprem__inventory")["members"]!.AsArray().Select(m => m!["host"]!.GetValue<string>()).ShouldContain(onpremLeader);
        (await PgProbe.ScalarAsync<long>(new PgEndpoint(onpremLeader, 5432, "postgres", site.SuperuserPassword), "select count(*) from controlled", CancellationToken.None)).ShouldBe(150);
        (await SshAsync("pg1", "ls /var/lib/postgresql/hyops-rebuild/hyops-onprem/pg1/reseed-dump | wc -l")).Trim().ShouldBe("0", "the dumps are removed from the leader's host");
        Directory.Exists("/var/lib/postgresql/hyops-rebuild").ShouldBeFalse();
        foreach (var (path, text) in site.RuntimeFiles())
        {
            text.ShouldNotContain(site.SuperuserPassword, customMessage: path);
        }
    }

    private async Task<string> OnpremLeaderAsync()
    {
        (await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha", "--inputs", site.WriteInputs("assess.json", new JsonObject { ["apply_mode"] = "assess" }))).ExitCode.ShouldBe(0);
        return Outputs("platform__onprem__postgresql-ha")["leader_host"]!.GetValue<string>();
    }

    private async Task<string> AddressAsync(string host) =>
        (await SshAsync(host, "hostname -I")).Trim().Split(' ')[0];

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(90), what);
            await Task.Delay(250);
        }
    }

    private JsonObject Outputs(string moduleId, string? instance = null) =>
        JsonNode.Parse(File.ReadAllText(site.StatePath(moduleId, instance)))!["outputs"]!.AsObject();

    private async Task<string> SshAsync(string host, string command) =>
        (await LabHostsTestSupport.SshAsync(site.LabDir, host, command)).StdOut;
}
