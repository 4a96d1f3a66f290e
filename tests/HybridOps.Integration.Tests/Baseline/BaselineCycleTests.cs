using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Lab.Hosts;
using HybridOps.Postgres.Sql;
using Npgsql;

namespace HybridOps.Integration.Tests.Baseline;

/// <summary>
/// The baseline lane's whole cycle on lab hosts reached only over SSH (block 13: the on-prem site, the DNS
/// host, the DR site's hosts as provider `hosts`, and the object-store host whose S3 server holds the
/// repository), driven through the CLI exactly as the README's main job does: backups, refusals that change nothing,
/// the whole on-prem site killed under a write load, the failover drill (restore on the DR site, DR
/// lineage backups, endpoint publication), writes on the DR cluster, then the controlled failback drill
/// (gate, fence of the DR primary, final backup, on-prem rebuilt fresh from the DR lineage, cutback).
/// RPO is counted row by row from the load's ack log; the unplanned loss must lie in the unarchived tail.
/// </summary>
[Trait("lab", "hosts")]
public sealed class BaselineCycleTests : IAsyncLifetime
{
    private const string Failover = "dr/postgresql-ha-failover-gcp@v1";
    private const string Failback = "dr/postgresql-ha-failback-onprem@v1";
    private const int ArchiveTimeoutS = 10;
    private readonly Site site = Site.OnHosts(13);
    private JsonNode lab = null!;

    public async Task InitializeAsync() => lab = JsonNode.Parse((await site.StartAsync(["--object-stores"])).StdOut)!;

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task Backup_SiteLoss_Failover_DrWrites_Failback_KeepsEveryAcknowledgedCommitOfTheControlledFailback()
    {
        await Ok("blueprint", "deploy", "--ref", "dr/postgresql-ha-backup-gcp@v1", "--inputs",
            Inputs("backup.json", new JsonObject { ["object_repo"] = lab["object_stores"]!["s3"]!.DeepClone() }.ToJsonString()));
        var onprem = await StateAsync("platform__onprem__postgresql-ha");
        var onpremHba = await PatroniHbaAsync(site.Address("pg1"));
        var drHosts = lab["dr_site"]!.ToJsonString();
        await OnlyTheHostsRunTheClusterAsync((await StateAsync("platform__onprem__postgresql-ha-backup"))["outputs"]!["stanza"]!.GetValue<string>());

        // Failover without restore_confirm: refused before the first step (the fence) changes anything.
        var refused = await site.HyopsAsync("blueprint", "deploy", "--ref", Failover, "--inputs", Inputs("fo-unconfirmed.yml", $$"""
            fence_onprem:
              fence_confirm: hyops-onprem
            dr_hosts: {{drHosts}}
            """));
        refused.ExitCode.ShouldBe(3, refused.ToString());
        refused.StdErr.ShouldContain("restore_confirm");
        (await PatroniHbaAsync(site.Address("pg1"))).ShouldBe(onpremHba);
        File.Exists(site.StatePath("platform__onprem__postgresql-fence", "onprem")).ShouldBeFalse();
        File.Exists(site.StatePath("org__gcp__dr-hosts")).ShouldBeFalse();
        (await site.SshAsync("dr1", "ls -A /run/hyops 2>/dev/null | grep -c patroni || true")).ShouldBe("0");
        await WriteProbeAsync(site.Endpoint("pg1"));

        // Unplanned failover drill: steady load, the whole on-prem site SIGKILLed, then the blueprint.
        var settle = ArchiveTimeoutS * 2 + 5;
        var failover = await DrillAsync(Failover, Inputs("fo.yml", $$"""
            fence_onprem:
              fence_confirm: hyops-onprem
            dr_hosts: {{drHosts}}
            restore_dr:
              restore_confirm: gcp-dr-pg
            """), "--disaster", "onprem-site", "--settle-s", settle.ToString(System.Globalization.CultureInfo.InvariantCulture));
        failover["status"]!.GetValue<string>().ShouldBe("ok", failover.ToJsonString());
        failover["rto"]!["seconds"]!.GetValue<double>().ShouldBeGreaterThan(0);

        // Published at the first writable leader: writes are acknowledged through the endpoint before the
        // DR lineage's first backup ends, and the cluster is protected (every step done) only after that.
        var steps = failover["phases"]!.AsArray().ToDictionary(p => p!["name"]!.GetValue<string>(), p => p!);
        steps["step publish_endpoint"]["ended_at"]!.GetValue<DateTimeOffset>().ShouldBeLessThanOrEqualTo(steps["step dr_backup_full"]["started_at"]!.GetValue<DateTimeOffset>());
        failover["rto"]!["first_ack_after"]!.GetValue<DateTimeOffset>().ShouldBeLessThan(steps["step dr_backup_full"]["ended_at"]!.GetValue<DateTimeOffset>());
        failover["time_to_protected_seconds"]!.GetValue<double>().ShouldBeGreaterThan(failover["rto"]!["seconds"]!.GetValue<double>());
        var rpo = failover["rpo"]!;
        var disasterAt = failover["failover_start"]!.GetValue<DateTimeOffset>();
        if (rpo["missing_count"]!.GetValue<long>() > 0)
        {
            // Lost commits are only the ones not yet archived: archive_timeout bounds the tail.
            rpo["missing_first_ack_at"]!.GetValue<DateTimeOffset>().ShouldBeGreaterThan(disasterAt.AddSeconds(-(ArchiveTimeoutS + 5)), rpo.ToJsonString());
        }

        rpo["found"]!.GetValue<long>().ShouldBeGreaterThan(0);
        var dr = await StateAsync("platform__onprem__postgresql-ha", "gcp-dr");
        dr["outputs"]!["system_identifier"]!.GetValue<string>().ShouldBe(onprem["outputs"]!["system_identifier"]!.GetValue<string>());
        dr["outputs"]!["timeline"]!.GetValue<int>().ShouldBeGreaterThan(onprem["outputs"]!["timeline"]!.GetValue<int>());
        (await StateAsync("platform__onprem__postgresql-ha-backup", "gcp-dr"))["outputs"]!["stanza"]!.GetValue<string>().ShouldBe("gcp-dr-pg");
        var drLeaderHost = dr["outputs"]!["leader_host"]!.GetValue<string>();
        drLeaderHost.ShouldBeOneOf(site.Address("dr1"), site.Address("dr2"), site.Address("dr3"));
        (await StateAsync("platform__network__dns-routing"))["outputs"]!["target"]!.GetValue<string>().ShouldBe(drLeaderHost);

        // Writes on the DR cluster through the published endpoint.
        var drLoad = await Ok("lab", "load", "--duration", "3", "--output", "json");
        drLoad["acked"]!.GetValue<long>().ShouldBeGreaterThan(0);
        var drAckLog = drLoad["ack_log"]!.GetValue<string>();

        // The hosts come back (etcd only); failback without the gate's confirmation changes nothing.
        await Ok("lab", "repair-site");
        var noGate = await site.HyopsAsync("blueprint", "deploy", "--ref", Failback, "--inputs", Inputs("fb-unconfirmed.yml", """
            fence_dr:
              fence_confirm: gcp-dr-pg
            rebuild_onprem:
              restore_confirm: hyops-onprem
              wipe_confirm: hyops-onprem
            """));
        noGate.ExitCode.ShouldBe(3, noGate.ToString());
        noGate.StdErr.ShouldContain("confirm");
        await WriteProbeAsync(site.Endpoint("pg1") with { Host = drLeaderHost });
        File.Exists(site.StatePath("platform__onprem__postgresql-fence", "gcp-dr")).ShouldBeFalse();

        // Controlled failback drill: gate nonce, fence DR, final backup, rebuild on-prem, cutback.
        var gate = await Ok("module", "status", "--module", "core/shared/manual-gate", "--instance", "failback-onprem", "--output", "json", "--inputs", Inputs("gate.yml", """
            gate_id: failback-onprem
            target_state_ref: platform/onprem/inventory
            target_output_key: cluster_name
            """));
        var nonce = gate["outputs"]!["nonce"]!.GetValue<string>();
        var failback = await DrillAsync(Failback, Inputs("fb.yml", $"""
            maintenance_gate:
              confirm: true
              confirm_target: hyops-onprem
              confirm_nonce: {nonce}
            fence_dr:
              fence_confirm: gcp-dr-pg
            rebuild_onprem:
              restore_confirm: hyops-onprem
              wipe_confirm: hyops-onprem
            """));
        failback["status"]!.GetValue<string>().ShouldBe("ok", failback.ToJsonString());
        failback["rpo"]!["missing_count"]!.GetValue<long>().ShouldBe(0, failback["rpo"]!.ToJsonString());
        failback["rpo"]!["acknowledged"]!.GetValue<long>().ShouldBeGreaterThan(0);
        failback["rto"]!["seconds"]!.GetValue<double>().ShouldBeGreaterThan(0);
        failback["phases"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()).ShouldContain("step rebuild_onprem");

        // The rebuilt on-prem primary holds every commit acknowledged on the DR cluster, on a new timeline.
        var rebuilt = await StateAsync("platform__onprem__postgresql-ha");
        string[] onpremHosts = [site.Address("pg1"), site.Address("pg2"), site.Address("pg3")];
        rebuilt["outputs"]!["leader_host"]!.GetValue<string>().ShouldBeOneOf(onpremHosts);
        rebuilt["outputs"]!["timeline"]!.GetValue<int>().ShouldBeGreaterThan(dr["outputs"]!["timeline"]!.GetValue<int>());
        rebuilt["outputs"]!["lineage"].ShouldNotBeNull();
        var leader = site.Endpoint("pg1") with { Host = rebuilt["outputs"]!["leader_host"]!.GetValue<string>() };
        var ids = File.ReadLines(drAckLog).Select(l => JsonNode.Parse(l)!["id"]!.GetValue<long>()).ToList();
        var present = await PgProbe.ScalarAsync<long>(leader, $"select count(*) from hyops_drill.acks where id in ({string.Join(",", ids)})", CancellationToken.None);
        present.ShouldBe(ids.Count);
        (await StateAsync("platform__network__dns-routing"))["outputs"]!["target"]!.GetValue<string>().ShouldBeOneOf(onpremHosts);

        // `lab status` reports the rebuilt cluster as the site's cluster: healthy, each member's Patroni
        // active under its host's service manager, one leader and two streaming replicas.
        var labStatus = await site.HyopsAsync("--output", "json", "lab", "status");
        labStatus.ExitCode.ShouldBe(0, labStatus.ToString());
        var labJson = JsonNode.Parse(labStatus.StdOut)!;
        labJson["healthy"]!.GetValue<bool>().ShouldBeTrue();
        labJson["site_status"]!.GetValue<string>().ShouldBe("repaired");
        var members = labJson["hosts"]!.AsArray().Where(h => h!["name"]!.GetValue<string>().StartsWith("pg", StringComparison.Ordinal)).ToList();
        members.Count.ShouldBe(3);
        members.ShouldAllBe(h => h!["service"]!["active"]!.GetValue<bool>());
        labJson["cluster"]!.AsArray().Count(m => m!["role"]!.GetValue<string>() == "leader").ShouldBe(1);

        // The DR cluster is kept (fenced) until a separate destroy.
        (await StateAsync("platform__onprem__postgresql-ha", "gcp-dr"))["status"]!.GetValue<string>().ShouldBe("ok");
        foreach (var (path, text) in site.RuntimeFiles())
        {
            text.ShouldNotContain(site.SuperuserPassword, customMessage: path);
            text.ShouldNotContain(site.ReplicationPassword, customMessage: path);
        }
    }

    /// <summary>
    /// The site is reached only over SSH: every Patroni and PostgreSQL of the on-prem cluster is a process of
    /// its lab host (its own pid namespace), none descends from this process (where hyops runs in-process),
    /// none outside the hosts belongs to this lab; each member's pgBackRest config was written into that
    /// host's own /etc (the overlay's upper dir of the host), 0600 postgres.
    /// </summary>
    private async Task OnlyTheHostsRunTheClusterAsync(string? stanza)
    {
        string[] members = ["pg1", "pg2", "pg3"];
        var hostPids = LabHostSet.Hosts(site.LabDir).SelectMany(h => LabHostSet.ProcessesOf(site.LabDir, h.Name)).ToHashSet();
        var all = HybridOps.Integration.Tests.LabHosts.LabHostsTestSupport.Processes();
        var servers = all.Where(p => hostPids.Contains(p.Pid)
            && (p.Argv.Contains("/usr/bin/patroni", StringComparison.Ordinal) || p.Argv.StartsWith("/usr/lib/postgresql/15/bin/postgres", StringComparison.Ordinal))).ToList();
        servers.Count(p => p.Argv.Contains("/usr/bin/patroni", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(members.Length);
        servers.Count(p => p.Argv.StartsWith("/usr/lib/postgresql/15/bin/postgres", StringComparison.Ordinal)).ShouldBeGreaterThanOrEqualTo(members.Length);
        foreach (var p in servers)
        {
            HybridOps.Integration.Tests.LabHosts.LabHostsTestSupport.Ancestors(p.Pid).ShouldNotContain(Environment.ProcessId, $"{p.Pid} {p.Argv} descends from the hyops process");
        }

        Site.LiveProcessesMentioning(site.LabDir).Where(l => !hostPids.Contains(int.Parse(l.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)))
            .Where(l => l.Contains("patroni", StringComparison.Ordinal) || l.Contains("bin/postgres", StringComparison.Ordinal)).ShouldBeEmpty();
        foreach (var member in members)
        {
            (await site.SshAsync(member, "stat -c '%a %U' /etc/pgbackrest/pgbackrest.conf")).ShouldBe("600 postgres", member);
            var upper = Path.Combine(site.LabDir, "hosts", member, "etc", "pgbackrest", "pgbackrest.conf");
            File.Exists(upper).ShouldBeTrue($"{member}'s pgbackrest.conf is not in its own /etc ({upper})");
            if (stanza is not null && File.Exists("/etc/pgbackrest/pgbackrest.conf"))
            {
                File.ReadAllText("/etc/pgbackrest/pgbackrest.conf").ShouldNotContain($"[{stanza}]", customMessage: "this machine's pgBackRest config");
            }
        }
    }

    private async Task<JsonNode> DrillAsync(string bp, string inputs, params string[] extra)
    {
        var r = await site.HyopsAsync(["blueprint", "drill", "--ref", bp, "--inputs", inputs, "--output", "json", .. extra]);
        r.ExitCode.ShouldBe(0, r.ToString());
        return JsonNode.Parse(r.StdOut)!;
    }

    private async Task<JsonNode> Ok(params string[] args)
    {
        var r = await site.HyopsAsync(args);
        r.ExitCode.ShouldBe(0, r.ToString());
        return args.Contains("json") ? JsonNode.Parse(r.StdOut)! : new JsonObject();
    }

    private Task<JsonNode> StateAsync(string moduleId, string? instance = null) =>
        Task.FromResult(JsonNode.Parse(File.ReadAllText(site.StatePath(moduleId, instance)))!);

    private string Inputs(string name, string yaml)
    {
        var path = Path.Combine(site.Dir, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    private static async Task<string> PatroniHbaAsync(string host)
    {
        using var http = new HttpClient();
        var config = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://{host}:8008/config")))!;
        return config["postgresql"]!["pg_hba"]!.ToJsonString();
    }

    private static async Task WriteProbeAsync(PgEndpoint endpoint)
    {
        await using var conn = new NpgsqlConnection(endpoint.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("begin; set transaction read write; select pg_current_xact_id(); rollback", conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
