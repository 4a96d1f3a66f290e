using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Dns;
using HybridOps.Postgres.Sql;
using Xunit.Abstractions;

using static HybridOps.Integration.Tests.LabHosts.LabHostsTestSupport;

namespace HybridOps.Integration.Tests.LabHosts;

/// <summary>
/// The isolated drill on real hosts reached only over SSH: the lab on hosts of block 12
/// (169.254.250.194-.206). Backups go to the posix repository every host mounts; while a write
/// load runs against the PRODUCTION leader, `blueprint drill` of dr/postgresql-ha-isolated-drill-gcp@v1
/// takes a marker on production, restores onto the DR host dr1 at that restore point under its own
/// scope, verifies and tears the drill cluster down. Production never notices: no failed write, the
/// same leader and members, the same DNS answer, a byte-identical state file.
/// </summary>
public sealed class IsolatedDrillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Block = 12;
    private const string DrillScope = "hyops-onprem-drill";
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
        var r = await site.HyopsAsync("lab", "down", "--lab-dir", site.LabDir, "--purge");
        r.ExitCode.ShouldBe(0, r.ToString());
        var netns = await Runner.RunAsync(new HybridOps.Postgres.Exec.ProcessSpec("ip", ["netns", "list"]), CancellationToken.None);
        netns.StdOut.ShouldNotContain($"hyops-{Block}-");
        await site.DisposeAsync();
    }

    [Fact]
    public async Task IsolatedDrill_UnderProductionWrites_RestoresAndVerifiesACopy_AndProductionNeverNotices()
    {
        // Backups of the production cluster into the hosts' shared repository.
        (await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha")).ExitCode.ShouldBe(0);
        PublishSharedRepository(site.Root);
        var inputs = Path.Combine(site.Dir, "backup.yml");
        await File.WriteAllTextAsync(inputs, "apply_mode: configure\narchive_timeout_s: 5\n");
        var configure = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", inputs);
        configure.ExitCode.ShouldBe(0, configure.ToString());
        await File.WriteAllTextAsync(inputs, "apply_mode: backup\n");
        var backup = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", inputs);
        backup.ExitCode.ShouldBe(0, backup.ToString());

        // Production: data before the marker, and a writer that keeps inserting through the whole drill.
        var productionState = site.StatePath("platform__onprem__postgresql-ha");
        var stateBefore = SHA256.HashData(await File.ReadAllBytesAsync(productionState));
        var prod = StateOutputs(site, "platform__onprem__postgresql-ha");
        var leader = new PgEndpoint(prod["leader_host"]!.GetValue<string>(), 5432, "postgres", site.SuperuserPassword);
        await TestSql.ExecAsync(leader, "create table controlled(id int primary key, v text); insert into controlled select g, md5(g::text) from generate_series(1, 500) g;"
            + "create table prod_writes(id bigserial primary key, at timestamptz not null default clock_timestamp())");
        var topologyBefore = await TopologyAsync();
        var dnsBefore = await ServiceRecordAsync();
        dnsBefore.ShouldNotBeEmpty("the lab publishes db.hyops.lab. at the production leader");

        var drill = new JsonObject
        {
            ["marker"] = new JsonObject
            {
                ["drill_confirm"] = "hyops-onprem", ["manifest_tables"] = new JsonArray("public.controlled", "public.prod_writes"), ["marker_table"] = "public.hyops_drill_marker",
            },
            // One drill host: dr1 of the DR site, its etcd, its network.
            ["drill_hosts"] = DrillHosts(),
            ["restore_drill"] = new JsonObject { ["restore_confirm"] = DrillScope },
        };
        var drillInputs = Path.Combine(site.Dir, "drill.yml");
        await File.WriteAllTextAsync(drillInputs, drill.ToJsonString());

        var writer = new ProductionWriter(leader, TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(150));
        writer.Start();
        CliResult run;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            run = await site.HyopsAsync("--output", "json", "blueprint", "drill", "--ref", "dr/postgresql-ha-isolated-drill-gcp@v1", "--inputs", drillInputs);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        finally
        {
            await writer.StopAsync();
        }

        output.WriteLine(run.StdErr.Length > 4000 ? run.StdErr[^4000..] : run.StdErr);
        run.ExitCode.ShouldBe(0, run.ToString());
        var report = JsonNode.Parse(run.StdOut)!.AsObject();
        var figures = report["isolated"]!.AsObject();
        output.WriteLine($"isolated drill: {figures.ToJsonString()}; production writes {writer.Acked} acked, {writer.Failures.Count} failed");

        // Production never noticed: every write acknowledged, same topology, same DNS answer, same state file.
        writer.Failures.ShouldBeEmpty();
        writer.Acked.ShouldBeGreaterThan(100);
        (await TopologyAsync()).ShouldBe(topologyBefore);
        (await ServiceRecordAsync()).ShouldBe(dnsBefore);
        SHA256.HashData(await File.ReadAllBytesAsync(productionState)).ShouldBe(stateBefore);
        figures["production_state_unchanged"]!.GetValue<bool>().ShouldBeTrue(figures.ToJsonString());
        (await TestSql.ScalarAsync<long>(leader, "select count(*) from prod_writes")).ShouldBe(writer.Acked);

        // The copy: restored on dr1 at the restore point, the manifest matched, pg_amcheck clean, the marker row there.
        report["drill_kind"]!.GetValue<string>().ShouldBe("isolated");
        figures["drill_leader_host"]!.GetValue<string>().ShouldBe(DrillHosts()["hosts"]![0]!["host"]!.GetValue<string>());
        figures["manifest_matched"]!.GetValue<bool>().ShouldBeTrue(figures.ToJsonString());
        figures["manifest_tables"]!.GetValue<int>().ShouldBe(3);
        figures["amcheck_clean"]!.GetValue<bool>().ShouldBeTrue();
        figures["marker_row_found"]!.GetValue<bool>().ShouldBeTrue();
        figures["writes_blocked_ms"]!.GetValue<double>().ShouldBeGreaterThan(0);
        figures["time_to_writable_seconds"]!.GetValue<double>().ShouldBeGreaterThan(0);
        figures["restore_seconds"]!.GetValue<double>().ShouldBeGreaterThan(0);
        figures["replay_seconds"]!.GetValue<double>().ShouldBeGreaterThanOrEqualTo(0);
        await PlotShowsProductionCommittingThroughTheDrillAsync(report, writer.Acked);

        var marker = StateOutputs(site, "platform__onprem__postgresql-drill", "marker");
        var point = marker["restore_point"]!.GetValue<string>();
        (await TestSql.ScalarAsync<long>(leader, $"select count(*) from hyops_drill_marker where restore_point = '{point}'")).ShouldBe(1);
        // The writer kept writing during the drill: the manifest holds the rows up to the restore point, production more.
        marker["manifest"]!["public.prod_writes"]!["rows"]!.GetValue<long>().ShouldBeLessThan(writer.Acked);

        // The drill cluster is gone: no service, no member dir, no process, no DCS key.
        figures["torn_down"]!.GetValue<bool>().ShouldBeTrue();
        (await SshOkAsync(site.LabDir, "dr1", $"ls /etc/hyops/services/; test -e /var/lib/postgresql/hyops-drill && echo left || echo gone")).ShouldNotContain("hyops-onprem-drill");
        (await SshOkAsync(site.LabDir, "dr1", "test -e /var/lib/postgresql/hyops-drill && echo left || echo gone")).ShouldBe("gone");
        LabHostSet.ProcessesOf(site.LabDir, "dr1").Select(p => string.Join(' ', HybridOps.Postgres.Exec.ProcessControl.ReadCommandLine(p)))
            .ShouldNotContain(a => a.Contains("hyops-drill", StringComparison.Ordinal));
        var etcd = drSite["etcd_endpoints"]![0]!.GetValue<string>();
        foreach (var prefix in new[] { $"/service/{DrillScope}/", $"/hyops/owners/{DrillScope}" })
        {
            var keys = await Runner.RunAsync(new HybridOps.Postgres.Exec.ProcessSpec("etcdctl", [$"--endpoints={etcd}", $"--cacert={drSite["etcd_ca_file"]!.GetValue<string>()}", "get", "--prefix", "--keys-only", prefix],
                Environment: new Dictionary<string, string> { ["ETCDCTL_API"] = "3" }, Timeout: TimeSpan.FromSeconds(20)), CancellationToken.None);
            keys.ExitCode.ShouldBe(0, keys.StdErr);
            keys.StdOut.Trim().ShouldBeEmpty(prefix);
        }

        // The repository is as it was: the teardown removed the drill cluster, never a backup.
        var backupState = StateOutputs(site, "platform__onprem__postgresql-ha-backup");
        var info = await SshOkAsync(site.LabDir, "pg2", $"sudo -u postgres pgbackrest --config=/etc/pgbackrest/pgbackrest.conf --stanza={backupState["stanza"]!.GetValue<string>()} --output=json info");
        JsonNode.Parse(info)![0]!["backup"]!.AsArray().Select(b => b!["label"]!.GetValue<string>()).ShouldBe([backupState["backup_label"]!.GetValue<string>()]);

        // The verification can fail: the same steps by hand, and a row lost on the drill cluster before verify is named.
        await LostRowOnTheDrillCluster_IsAManifestMismatch_AndTheTeardownStillRemovesItAsync(leader);

        // The history lists it as isolated; no secret anywhere under the runtime root.
        var history = await site.HyopsAsync("drill", "history");
        history.StdOut.ShouldContain("isolated: writes blocked");
        foreach (var (path, text) in site.RuntimeFiles())
        {
            text.ShouldNotContain(site.SuperuserPassword, customMessage: path);
            text.ShouldNotContain(site.ReplicationPassword, customMessage: path);
        }
    }

    private async Task LostRowOnTheDrillCluster_IsAManifestMismatch_AndTheTeardownStillRemovesItAsync(PgEndpoint leader)
    {
        async Task<CliResult> Module(string action, string module, string instance, JsonObject values)
        {
            var file = Path.Combine(site.Dir, $"{instance}-{action}.json");
            await File.WriteAllTextAsync(file, values.ToJsonString());
            return await site.HyopsAsync("module", action, "--module", module, "--instance", instance, "--inputs", file);
        }

        var refs = new JsonObject { ["hosts_state_ref"] = "org/gcp/dr-hosts#drill", ["repo_state_ref"] = "org/gcp/object-repo", ["backup_state_ref"] = "platform/onprem/postgresql-ha-backup",
            ["cluster_name"] = DrillScope, ["data_root"] = "/var/lib/postgresql/hyops-drill", ["apply_mode"] = "restore" };
        var marker = await Module("deploy", "platform/onprem/postgresql-drill", "marker", new JsonObject
        {
            ["apply_mode"] = "marker", ["drill_confirm"] = "hyops-onprem", ["manifest_tables"] = new JsonArray("public.controlled"),
        });
        marker.ExitCode.ShouldBe(0, marker.ToString());
        var restore = refs.DeepClone().AsObject();
        restore["restore_point_state_ref"] = "platform/onprem/postgresql-drill#marker";
        restore["restore_target"] = "name";
        restore["publish_when"] = "leader";
        restore["restore_confirm"] = DrillScope;
        var restored = await Module("deploy", "platform/onprem/postgresql-ha", "drill", restore);
        restored.ExitCode.ShouldBe(0, restored.ToString());
        var drillLeader = StateOutputs(site, "platform__onprem__postgresql-ha", "drill")["leader_host"]!.GetValue<string>();
        drillLeader.ShouldNotBe(leader.Host);

        // The hosts contract is recorded with its instance, so a later destroy finds the drill hosts, not another instance's.
        StateOutputs(site, "platform__onprem__postgresql-ha", "drill")["hosts_source"]!.GetValue<string>().ShouldBe("org/gcp/dr-hosts#drill");
        await TestSql.ExecAsync(new PgEndpoint(drillLeader, 5432, "postgres", site.SuperuserPassword), "delete from controlled where id = 7");

        var verify = await Module("deploy", "platform/onprem/postgresql-drill", "verify", new JsonObject
        {
            ["apply_mode"] = "verify", ["marker_state_ref"] = "platform/onprem/postgresql-drill#marker",
            ["drill_cluster_state_ref"] = "platform/onprem/postgresql-ha#drill", ["hosts_state_ref"] = "org/gcp/dr-hosts#drill",
        });
        verify.ExitCode.ShouldBe(10, verify.ToString());
        verify.ToString().ShouldContain("HYO7408");
        var verifyState = JsonNode.Parse(await File.ReadAllTextAsync(site.StatePath("platform__onprem__postgresql-drill", "verify")))!;
        verifyState["status"]!.GetValue<string>().ShouldBe("partial");
        verifyState["error"]!["code"]!.GetValue<string>().ShouldBe("HYO7408");
        verifyState["error"]!["message"]!.GetValue<string>().ShouldContain("public.controlled (rows 499 vs 500, checksum differs)");
        var verified = StateOutputs(site, "platform__onprem__postgresql-drill", "verify");
        verified["manifest_matched"]!.GetValue<bool>().ShouldBeFalse();
        verified["manifest"]!["public.controlled"]!["rows"]!.GetValue<long>().ShouldBe(499);
        verified["amcheck_clean"]!.GetValue<bool>().ShouldBeTrue();
        (await TestSql.ScalarAsync<long>(leader, "select count(*) from controlled")).ShouldBe(500, "production never lost the row");

        // A long transaction on a manifest table fails the marker within lock_timeout_ms; the holder commits unharmed.
        await using (var holder = new Npgsql.NpgsqlConnection(leader.ConnectionString))
        {
            await holder.OpenAsync();
            await using var tx = await holder.BeginTransactionAsync();
            await using (var insert = new Npgsql.NpgsqlCommand("insert into controlled values (501, 'held')", holder, tx))
            {
                await insert.ExecuteNonQueryAsync();
            }

            var locked = await Module("deploy", "platform/onprem/postgresql-drill", "marker-held", new JsonObject
            {
                ["apply_mode"] = "marker", ["drill_confirm"] = "hyops-onprem", ["manifest_tables"] = new JsonArray("public.controlled"), ["lock_timeout_ms"] = 300,
            });
            locked.ExitCode.ShouldBe(8, locked.ToString());
            locked.StdErr.ShouldContain("HYO7406");
            await tx.CommitAsync();
        }

        (await TestSql.ScalarAsync<long>(leader, "select count(*) from controlled")).ShouldBe(501);

        var teardown = refs.DeepClone().AsObject();
        teardown["drill_teardown"] = true;
        var down = await Module("destroy", "platform/onprem/postgresql-ha", "drill", teardown);
        down.ExitCode.ShouldBe(0, down.ToString());
        (await SshOkAsync(site.LabDir, "dr1", "test -e /var/lib/postgresql/hyops-drill && echo left || echo gone")).ShouldBe("gone");
    }

    /// <summary>
    /// The report's plot of production's own commits (sampled read-only from pg_stat_database), rendered by
    /// headless Chromium: the restore point, drill-writable and teardown lines in that order, and production
    /// committing before the restore point and after the drill cluster was writable.
    /// </summary>
    private async Task PlotShowsProductionCommittingThroughTheDrillAsync(JsonObject report, long writerAcked)
    {
        var figures = report["isolated"]!;
        var commits = figures["production_commits"]!.GetValue<long>();
        var rollbacks = figures["production_rollbacks"]!.GetValue<long>();
        output.WriteLine($"production while the drill ran: {commits} commits, {rollbacks} rollbacks, {figures["production_samples"]} samples from {figures["production_sampled_from"]}");
        figures["production_sample_failures"]!.GetValue<int>().ShouldBe(0);
        // The writer's inserts are most of production's commits; it also wrote for a second before and after the drill.
        commits.ShouldBeGreaterThan(writerAcked / 2);
        report["series"]!["acked"]!.AsArray().Sum(n => n!.GetValue<int>()).ShouldBe((int)commits);

        var html = Path.Combine(report["report_dir"]!.GetValue<string>(), "report.html");
        (await File.ReadAllTextAsync(html)).ShouldContain("production commits");
        var shot = await HybridOps.Core.Tests.Support.ReportScreenshot.TakeAsync(html, site.Dir);
        var point = shot.MarkerColumn(HybridOps.Core.Drill.DrillPlot.DisasterColour);
        var writable = shot.MarkerColumn(HybridOps.Core.Drill.DrillPlot.PublicationColour);
        var teardown = shot.MarkerColumn(HybridOps.Core.Drill.DrillPlot.FirstAckColour);
        point.X.ShouldBeLessThan(writable.X);
        writable.X.ShouldBeLessThanOrEqualTo(teardown.X);
        var acks = shot.Pixels(HybridOps.Core.Drill.DrillPlot.AckColour, point.Top, point.Bottom);
        acks.Count(x => x < point.X - 2).ShouldBeGreaterThan(0, "commits before the restore point");
        acks.Count(x => x > writable.X + 2).ShouldBeGreaterThan(0, "commits after the drill cluster was writable");
        var red = shot.Pixels(HybridOps.Core.Drill.DrillPlot.FailColour, point.Top, point.Bottom);
        (red.Count > 0).ShouldBe(rollbacks > 0, $"{red.Count} rollback pixels for {rollbacks} rollbacks");
        output.WriteLine($"plot: restore point x={point.X}, writable x={writable.X}, teardown x={teardown.X}; {acks.Count} commit and {red.Count} rollback pixels");
    }

    private JsonObject DrillHosts()
    {
        var hosts = drSite.DeepClone().AsObject();
        hosts["site"] = "gcp-dr-drill";
        hosts["hosts"] = new JsonArray(drSite["hosts"]!.AsArray().First(h => h!["name"]!.GetValue<string>() == "dr1")!.DeepClone());
        return hosts;
    }

    /// <summary>Leader, members and their roles, timeline and system identifier, as a live status sees them (no state written).</summary>
    private async Task<string> TopologyAsync()
    {
        var r = await site.HyopsAsync("--output", "json", "module", "status", "--module", "platform/onprem/postgresql-ha");
        r.ExitCode.ShouldBe(0, r.ToString());
        var o = JsonNode.Parse(r.StdOut)!["outputs"]!;
        var members = o["members"]!.AsArray().Select(m => $"{m!["name"]}={m["role"]}").Order(StringComparer.Ordinal);
        return $"{o["cluster_name"]} {o["system_identifier"]} tl{o["timeline"]} leader {o["leader_name"]} [{string.Join(",", members)}]";
    }

    private async Task<string> ServiceRecordAsync()
    {
        var dns = StateOutputs(site, "platform__network__powerdns-authority");
        var answer = await DnsQuery.QueryAAsync(dns["dns_server_host"]!.GetValue<string>(), dns["dns_server_port"]!.GetValue<int>(), "db.hyops.lab.", TimeSpan.FromSeconds(3), CancellationToken.None);
        return string.Join(",", answer?.Addresses ?? []);
    }
}
