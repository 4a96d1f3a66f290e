using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Sql;

using static HybridOps.Integration.Tests.LabHosts.LabHostsTestSupport;

namespace HybridOps.Integration.Tests.LabHosts;

/// <summary>
/// `hyops lab up --hosts`: the on-prem site (etcd, three Patroni members of PostgreSQL 15, PowerDNS) on
/// namespaced hosts of block 4 (169.254.250.66-.78), provisioned and driven over SSH only. Modules
/// consume it through the published inventory like any operator's site.
/// </summary>
public sealed class SiteLabTests : IAsyncLifetime
{
    private const int Block = 4;
    private readonly Site site = Site.WithoutLab();

    public async Task InitializeAsync()
    {
        var r = await site.HyopsAsync("lab", "up", "--hosts", "--block", Block.ToString(CultureInfo.InvariantCulture), "--lab-dir", site.LabDir);
        if (r.ExitCode != 0)
        {
            await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        }

        r.ExitCode.ShouldBe(0, r.ToString());
    }

    public async Task DisposeAsync()
    {
        var r = await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir);
        r.ExitCode.ShouldBe(0, r.ToString());
        (await IpAsync("netns", "list")).ShouldNotContain($"hyops-{Block}-");
        (await IpAsync("-o", "link", "show")).ShouldNotContain($"hyb{Block}:");
        await site.DisposeAsync();
    }

    [Fact]
    public async Task Servers_RunInsideTheHosts_NotAsDescendantsOfHyops_AndTheirConfigExistsOnlyInTheHost()
    {
        var ours = new[] { "pg1", "pg2", "pg3" }.SelectMany(h => LabHostSet.ProcessesOf(site.LabDir, h)).ToHashSet();
        var servers = Processes().Where(p => ours.Contains(p.Pid) && (p.Argv.Contains("/etc/patroni/patroni.yml", StringComparison.Ordinal)
            || p.Argv.Contains("postgres -D /var/lib/postgresql/15/main", StringComparison.Ordinal))).ToList();
        servers.Count(p => p.Argv.Contains("patroni.yml", StringComparison.Ordinal)).ShouldBe(3);
        servers.Count(p => p.Argv.Contains("postgres -D", StringComparison.Ordinal)).ShouldBe(3);
        foreach (var p in servers)
        {
            Ancestors(p.Pid).ShouldNotContain(Environment.ProcessId, $"{p.Pid} {p.Argv} descends from the test process");
        }

        // The files hyops wrote exist only in each host's own mount namespace.
        File.Exists("/etc/patroni/patroni.env").ShouldBeFalse();
        File.Exists("/var/lib/postgresql/.pgpass.patroni").ShouldBeFalse();
        (await SshAsync("pg2", "test -f /var/lib/postgresql/.pgpass.patroni && echo present")).Trim().ShouldBe("present");
        var stat = await SshAsync("pg2", "stat -c '%a %U' /etc/patroni/patroni.env /etc/patroni/patroni.yml");
        stat.ShouldBe("600 postgres\n640 postgres\n");
        (await SshAsync("pg2", "hostname")).Trim().ShouldBe("pg2");
    }

    [Fact]
    public async Task PublishedInventory_ReachesEveryMemberOverSsh_AndTheClusterAssessesHealthy()
    {
        var inventory = Outputs("platform__onprem__inventory");
        var members = inventory["members"]!.AsArray();
        members.Count.ShouldBe(3);
        foreach (var m in members)
        {
            m!["host"]!.GetValue<string>().ShouldStartWith("169.254.250.");
            m["ssh"]!["identity_file"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
            m["service_manager"]!.GetValue<string>().ShouldBe("start-stop-daemon");
        }

        inventory.ToJsonString().ShouldNotContain(site.LabDir + "/hosts");
        (inventory["lab_dir"]?.GetValue<string>() ?? "").ShouldBeEmpty();

        var assess = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha");
        assess.ExitCode.ShouldBe(0, assess.ToString());
        var ha = Outputs("platform__onprem__postgresql-ha");
        var leader = ha["leader_host"]!.GetValue<string>();
        var id = await PgProbe.ScalarAsync<long>(new PgEndpoint(leader, 5432, "postgres", site.SuperuserPassword), "select system_identifier from pg_control_system()", CancellationToken.None);
        ha["system_identifier"]!.ToString().ShouldBe(id.ToString(CultureInfo.InvariantCulture));

        var status = await site.HyopsAsync("--output", "json", "lab", "status", "--lab-dir", site.LabDir);
        status.ExitCode.ShouldBe(0, status.ToString());
        JsonNode.Parse(status.StdOut)!["hosts"]!.AsArray().Count.ShouldBe(10, "etcd, pg1-pg3, dns, dr-etcd, dr1-dr3, managed");
    }

    [Fact]
    public async Task NoPassword_InTheRuntimeRoot_InAnyArgvOnTheMachine_OrInTheHostsFilesButTheDocumentedOnes()
    {
        foreach (var (path, text) in site.RuntimeFiles())
        {
            text.ShouldNotContain(site.SuperuserPassword, customMessage: path);
            text.ShouldNotContain(site.ReplicationPassword, customMessage: path);
        }

        foreach (var p in Processes())
        {
            p.Argv.ShouldNotContain(site.SuperuserPassword);
        }

        // On the hosts the passwords sit only in the documented 0600 files (and Patroni's own pgpass).
        var hits = await SshAsync("pg1", $"grep -rlF -- '{site.SuperuserPassword}' /etc /var/lib/postgresql /var/log /tmp 2>/dev/null || true");
        hits.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBeSubsetOf(["/etc/patroni/patroni.env", "/var/lib/postgresql/.pgpass.patroni"]);
    }

    [Fact]
    public async Task AConnection_FromOutsideTheSiteNetwork_IsRefusedByPgHba()
    {
        // pg_hba admits the site's /28 only: a client on the machine's loopback is not in it.
        var hba = await SshAsync("pg1", "sudo -u postgres psql -XAtc \"select string_agg(address || '/' || netmask, ',') from pg_hba_file_rules where type = 'host'\"");
        hba.ShouldNotContain("127.0.0.1");
        hba.ShouldContain("169.254.250.64");
        var fromLoopback = await SshAsync("pg1", "PGPASSWORD=x psql -X -h 127.0.0.1 -U postgres -c 'select 1' 2>&1 || true");
        fromLoopback.ShouldMatch("(no pg_hba.conf entry|Connection refused|could not connect)");
    }

    [Fact]
    public async Task PartitionCutsOnlyBetweenSites_HealRestores_AndFailSiteIsAPowerCutTheModuleReportsAsConnectivity()
    {
        var dns = (await SshAsync("pg1", "getent hosts dns")).Split(' ')[0];
        (await SshAsync("pg1", $"timeout 3 bash -c '</dev/tcp/{dns}/53' && echo open")).Trim().ShouldBe("open");

        (await site.HyopsAsync("lab", "partition", "onprem", "dns", "--lab-dir", site.LabDir)).ExitCode.ShouldBe(0);
        (await SshAsync("pg1", $"timeout 3 bash -c '</dev/tcp/{dns}/53' 2>/dev/null && echo open || echo cut")).Trim().ShouldBe("cut");
        (await SshAsync("dns", "hostname")).Trim().ShouldBe("dns");
        (await site.HyopsAsync("module", "status", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);

        (await site.HyopsAsync("lab", "heal", "--lab-dir", site.LabDir)).ExitCode.ShouldBe(0);
        (await SshAsync("pg1", $"timeout 3 bash -c '</dev/tcp/{dns}/53' && echo open")).Trim().ShouldBe("open");

        var bad = await site.HyopsAsync("lab", "partition", "onprem", "mars", "--lab-dir", site.LabDir);
        bad.ExitCode.ShouldBe(2, bad.ToString());
        bad.StdErr.ShouldContain("mars");

        var cut = await site.HyopsAsync("lab", "fail-site", "--lab-dir", site.LabDir);
        cut.ExitCode.ShouldBe(0, cut.ToString());
        new[] { "etcd", "pg1", "pg2", "pg3" }.SelectMany(h => LabHostSet.ProcessesOf(site.LabDir, h)).ShouldBeEmpty();
        var status = await site.HyopsAsync("module", "status", "--module", "platform/onprem/postgresql-ha");
        status.ExitCode.ShouldBe(4, status.ToString());

        var repair = await site.HyopsAsync("lab", "repair-site", "--lab-dir", site.LabDir);
        repair.ExitCode.ShouldBe(0, repair.ToString());
        (await SshAsync("etcd", "sudo start-stop-daemon --status --pidfile /run/hyops/etcd.pid && echo running")).Trim().ShouldBe("running");
        (await SshAsync("pg1", "test -f /run/hyops/patroni.pid && echo stale || echo none")).Trim().ShouldBe("none");
    }

    [Fact]
    public async Task Backup_OverSsh_WritesPgBackRestConfigOnEveryMember_0600_AndTakesAFullBackupOnTheLeadersHost()
    {
        (await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);
        PublishSharedRepository(site.Root);

        var inputs = Path.Combine(site.Dir, "backup.yml");
        await File.WriteAllTextAsync(inputs, "apply_mode: configure\narchive_timeout_s: 5\n");
        var configure = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", inputs);
        configure.ExitCode.ShouldBe(0, configure.ToString());
        foreach (var member in new[] { "pg1", "pg2", "pg3" })
        {
            (await SshAsync(member, "stat -c '%a %U' /etc/pgbackrest/pgbackrest.conf")).Trim().ShouldBe("600 postgres");
            (await SshAsync(member, "grep -c pg1-path=/var/lib/postgresql/15/main /etc/pgbackrest/pgbackrest.conf")).Trim().ShouldBe("1");
            (await SshAsync(member, "grep -c compress-type=lz4 /etc/pgbackrest/pgbackrest.conf")).Trim().ShouldBe("1");
            // process-max comes from the member's own cores.
            (await SshAsync(member, "grep -o 'process-max=[0-9]*' /etc/pgbackrest/pgbackrest.conf")).Trim().ShouldBe($"process-max={Math.Clamp(int.Parse((await SshAsync(member, "nproc")).Trim()), 1, 8)}");
        }

        File.Exists("/etc/pgbackrest/pgbackrest.conf").ShouldBeFalse("the machine's own /etc is never written");
        await File.WriteAllTextAsync(inputs, "apply_mode: backup\n");
        var backup = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", inputs);
        backup.ExitCode.ShouldBe(0, backup.ToString());
        var info = await SshAsync("pg3", "sudo -u postgres pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza=hyops-onprem --output=json info");
        JsonNode.Parse(info)![0]!["backup"]!.AsArray().Count.ShouldBe(1, info);
        Directory.Exists("/var/lib/pgbackrest/site-repo").ShouldBeFalse("the repository lives on the hosts' share, not on the machine");
    }

    [Fact]
    public async Task Fence_OnTheSshSite_RejectsWritesFromHyopsRealSourceAddress_AndDestroyLiftsIt()
    {
        (await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);
        var leader = Outputs("platform__onprem__postgresql-ha")["leader_host"]!.GetValue<string>();
        var endpoint = new PgEndpoint(leader, 5432, "postgres", site.SuperuserPassword);
        (await TestSql.WritesAsync(endpoint)).ShouldBeTrue();

        var inputs = Path.Combine(site.Dir, "fence.yml");
        await File.WriteAllTextAsync(inputs, "apply_mode: fence\nfence_confirm: hyops-onprem\n");
        var fence = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-fence", "--inputs", inputs);
        fence.ExitCode.ShouldBe(0, fence.ToString());

        // The rejection names hyops' real source address on the site network (the bridge), not a loopback.
        var rejected = await Should.ThrowAsync<Npgsql.PostgresException>(() => TestSql.ExecAsync(endpoint, "select 1"));
        rejected.SqlState.ShouldBe("28000");
        rejected.MessageText.ShouldContain(new LabAddressPlan(Block).BridgeAddress);

        var lift = await site.HyopsWithAsync(new Dictionary<string, string>(site.Environment) { ["HYOPS_INPUT_FENCE_CONFIRM"] = "hyops-onprem" },
            "module", "destroy", "--module", "platform/onprem/postgresql-fence");
        lift.ExitCode.ShouldBe(0, lift.ToString());
        (await TestSql.WritesAsync(endpoint)).ShouldBeTrue();
    }

    private JsonObject Outputs(string moduleId) =>
        JsonNode.Parse(File.ReadAllText(site.StatePath(moduleId)))!["outputs"]!.AsObject();

    private async Task<string> SshAsync(string host, string command)
    {
        var psi = new ProcessStartInfo("ssh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-F", new LabHostPaths(site.LabDir).SshConfigFile, host, command })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = new Process { StartInfo = psi };
        p.Start();
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }

    private static async Task<string> IpAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = new Process { StartInfo = psi };
        p.Start();
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }
}
