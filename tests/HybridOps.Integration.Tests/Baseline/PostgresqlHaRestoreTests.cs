using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;
using Npgsql;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Baseline;

/// <summary>
/// Baseline lane restore onto the DR site's hosts of a lab on hosts (block 6), reached only over SSH: a
/// posix repository on the share every lab host mounts (org/gcp/object-repo provider local), the DR
/// site's hosts and etcd declared to org/gcp/dr-hosts (provider hosts, the lab's `dr_site`), then
/// platform/onprem/postgresql-ha apply_mode restore builds a new Patroni cluster from the backup on
/// dr1-dr3: latest, then a guarded rebuild to the first backup set; destroy stops it through each host's
/// service manager and keeps its data.
/// </summary>
public sealed class PostgresqlHaRestoreTests : IAsyncLifetime
{
    private const string Ha = "platform/onprem/postgresql-ha";
    private const string Scope = "gcp-dr-pg";
    private const string DataRoot = "/var/lib/postgresql/hyops";
    private static readonly string[] DrMembers = ["dr1", "dr2", "dr3"];
    private readonly Site site = Site.OnHosts(6);
    private JsonObject lab = null!;

    public async Task InitializeAsync() => lab = JsonNode.Parse((await site.StartAsync([])).StdOut)!.AsObject();

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task Restore_Latest_HasEveryRow_AndTheGuardedRebuildToTheFirstSet_HasOnlyTheRowsBeforeIt()
    {
        // Source: repository, assessed cluster, pgBackRest configure, rows, full backup, more rows, archived WAL.
        var repoInputs = WriteInputs("repo.json", new JsonObject { ["provider"] = "local", ["bucket"] = "hyops-dr", ["local_root"] = "/var/lib/pgbackrest/it-" + Guid.NewGuid().ToString("N")[..8] });
        await Ok("module", "deploy", "--module", "org/gcp/object-repo", "--inputs", repoInputs);
        var source = (await Ok("module", "deploy", "--module", Ha))["outputs"]!;
        await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup");
        var leader = site.Endpoint(source["leader_name"]!.GetValue<string>());
        await ExecAsync(leader, "create table dr_probe(id int primary key, phase text); insert into dr_probe select g, 'before' from generate_series(1, 5) g");
        var firstLabel = (await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs",
            WriteInputs("backup.json", new JsonObject { ["apply_mode"] = "backup", ["backup_type"] = "full" })))["outputs"]!["backup_label"]!.GetValue<string>();
        await ExecAsync(leader, "insert into dr_probe select g, 'after' from generate_series(6, 10) g");
        var switched = await PgProbe.ScalarAsync<string>(leader, "select pg_walfile_name(pg_switch_wal())", CancellationToken.None);
        await WaitUntilAsync(async () => string.CompareOrdinal(await PgProbe.ScalarAsync<string>(leader, "select coalesce(last_archived_wal, '') from pg_stat_archiver", CancellationToken.None), switched) >= 0,
            "the WAL segment with the 'after' rows to be archived");

        // The DR site's etcd serves https: without its CA, its certificate is not trusted (the system store does not
        // know the CA), so the DCS is not healthy; a CA file that is not a certificate is refused as input.
        var untrusted = lab["dr_site"]!.DeepClone().AsObject();
        untrusted.Remove("etcd_ca_file");
        var distrusted = await site.HyopsAsync("module", "deploy", "--module", "org/gcp/dr-hosts", "--instance", "untrusted", "--inputs", WriteInputs("dr-untrusted.json", untrusted));
        distrusted.ExitCode.ShouldBe(4, distrusted.ToString());
        distrusted.StdErr.ShouldContain("HYO4020");
        var notACert = lab["dr_site"]!.DeepClone().AsObject();
        notACert["etcd_ca_file"] = WriteInputs("not-a-cert.pem", new JsonObject { ["no"] = "certificate" });
        var badCa = await site.HyopsAsync("module", "deploy", "--module", "org/gcp/dr-hosts", "--instance", "bad-ca", "--inputs", WriteInputs("dr-bad-ca.json", notACert));
        badCa.ExitCode.ShouldBe(2, badCa.ToString());
        badCa.StdErr.ShouldContain("is not a certificate");

        // DR site: the hosts the operator already has, and the site's etcd, proven over ssh and published.
        var dr = (await Ok("module", "deploy", "--module", "org/gcp/dr-hosts", "--inputs", WriteInputs("dr.json", lab["dr_site"]!.AsObject())))["outputs"]!;
        dr["dcs"]!["endpoints"]![0]!.GetValue<string>().ShouldBe($"https://{site.Address("dr-etcd")}:2379");
        dr["dcs"]!["ca_file"]!.GetValue<string>().ShouldBe(lab["dr_site"]!["etcd_ca_file"]!.GetValue<string>());
        dr["hosts"]!.AsArray().Select(h => h!["host"]!.GetValue<string>()).ShouldBe(DrMembers.Select(site.Address));
        dr["etcd_healthy"]!.GetValue<bool>().ShouldBeTrue();
        dr["data_root"]!.GetValue<string>().ShouldBe(DataRoot);

        var restore = new JsonObject
        {
            ["apply_mode"] = "restore",
            ["hosts_state_ref"] = "org/gcp/dr-hosts",
            ["repo_state_ref"] = "org/gcp/object-repo",
            ["backup_state_ref"] = "platform/onprem/postgresql-ha-backup",
            ["cluster_name"] = Scope,
            ["restore_target"] = "latest",
            ["restore_timeout_s"] = 90,
        };

        // Guard: no restore_confirm -> refused, nothing created, no state for the instance.
        var refused = await site.HyopsAsync("module", "deploy", "--module", Ha, "--instance", "gcp-dr", "--inputs", WriteInputs("unconfirmed.json", restore));
        refused.ExitCode.ShouldBe(3, refused.ToString());
        refused.StdErr.ShouldContain("HYO3001");
        (await site.SshAsync("dr1", $"test -e {DataRoot}/dr1 && echo present || echo absent")).ShouldBe("absent");
        site.RunsOn("dr1", "patroni").ShouldBeFalse();
        File.Exists(site.StatePath("platform__onprem__postgresql-ha", "gcp-dr")).ShouldBeFalse();

        // Restore latest: every row, one leader + 2 streaming replicas, same system identifier, a higher timeline.
        restore["restore_confirm"] = Scope;
        var restored = (await Ok("module", "deploy", "--module", Ha, "--instance", "gcp-dr", "--inputs", WriteInputs("latest.json", restore)))["outputs"]!;
        restored["cluster_name"]!.GetValue<string>().ShouldBe(Scope);
        restored["system_identifier"]!.GetValue<string>().ShouldBe(source["system_identifier"]!.GetValue<string>());
        restored["timeline"]!.GetValue<long>().ShouldBeGreaterThan(source["timeline"]!.GetValue<long>());
        restored["replicas_streaming"]!.GetValue<bool>().ShouldBeTrue();
        restored["restored_from"]!["backup_label"]!.GetValue<string>().ShouldBe(firstLabel);
        restored["restored_from"]!["restore_target"]!.GetValue<string>().ShouldBe("latest");
        restored["lineage"]!["source_system_identifier"]!.GetValue<string>().ShouldBe(source["system_identifier"]!.GetValue<string>());
        var drLeader = leader with { Host = restored["leader_host"]!.GetValue<string>() };
        drLeader.Host.ShouldBeOneOf(DrMembers.Select(site.Address).ToArray());
        (await PgProbe.ScalarAsync<long>(drLeader, "select count(*) from dr_probe", CancellationToken.None)).ShouldBe(10);
        (await PgProbe.ScalarAsync<long>(drLeader, "select count(*) from pg_stat_replication where state = 'streaming'", CancellationToken.None)).ShouldBe(2);
        (await PgProbe.ScalarAsync<string>(drLeader, "show archive_command", CancellationToken.None)).ShouldBe("/bin/true");
        var state = JsonNode.Parse(File.ReadAllText(site.StatePath("platform__onprem__postgresql-ha", "gcp-dr")))!;
        state["status"]!.GetValue<string>().ShouldBe("ok");
        File.ReadAllText(site.StatePath("platform__onprem__postgresql-ha")).ShouldContain(source["system_identifier"]!.GetValue<string>());

        // A rebuild over the running DR cluster without wipe_confirm is refused and changes nothing.
        restore["restore_target"] = $"set:{firstLabel}";
        var unwiped = await site.HyopsAsync("module", "deploy", "--module", Ha, "--instance", "gcp-dr", "--inputs", WriteInputs("set-unconfirmed.json", restore));
        unwiped.ExitCode.ShouldBe(3, unwiped.ToString());
        unwiped.StdErr.ShouldContain("HYO3011");
        (await PgProbe.ScalarAsync<long>(drLeader, "select count(*) from dr_probe", CancellationToken.None)).ShouldBe(10);

        // With wipe_confirm: the first backup set only (recovery stops at consistency): the 'before' rows.
        restore["wipe_confirm"] = Scope;
        var rebuilt = (await Ok("module", "deploy", "--module", Ha, "--instance", "gcp-dr", "--inputs", WriteInputs("set.json", restore)))["outputs"]!;
        rebuilt["restored_from"]!["restore_target"]!.GetValue<string>().ShouldBe($"set:{firstLabel}");
        var rebuiltLeader = leader with { Host = rebuilt["leader_host"]!.GetValue<string>() };
        (await PgProbe.ScalarAsync<string>(rebuiltLeader, "select string_agg(distinct phase, ',') from dr_probe", CancellationToken.None)).ShouldBe("before");
        (await PgProbe.ScalarAsync<long>(rebuiltLeader, "select count(*) from dr_probe", CancellationToken.None)).ShouldBe(5);

        // No secret in anything hyops wrote.
        foreach (var (path, text) in site.RuntimeFiles())
        {
            text.ShouldNotContain(site.SuperuserPassword, customMessage: path);
            text.ShouldNotContain(site.ReplicationPassword, customMessage: path);
        }

        foreach (var member in DrMembers)
        {
            var yml = await site.SshAsync(member, $"cat {DataRoot}/{member}/patroni.yml");
            yml.ShouldNotContain(site.SuperuserPassword, customMessage: member);

            // Patroni reaches the DR etcd over https, verified with the copy of its CA next to patroni.yml.
            yml.ShouldContain("protocol: https", customMessage: member);
            yml.ShouldContain($"cacert: '{DataRoot}/{member}/etcd-ca.crt'", customMessage: member);
            (await site.SshAsync(member, $"head -1 {DataRoot}/{member}/etcd-ca.crt")).ShouldBe("-----BEGIN CERTIFICATE-----", member);
        }

        // destroy stops the restored cluster through each host's service manager and keeps its data; the
        // site's etcd is the site's, not the restore's: it keeps running.
        // Without hosts_state_ref the destroy finds the hosts through the restore's recorded hosts_source; a
        // data_root that is not the restored one is refused before anything is stopped.
        var elsewhere = await site.HyopsAsync("module", "destroy", "--module", Ha, "--instance", "gcp-dr", "--inputs", WriteInputs("elsewhere.json", new JsonObject { ["data_root"] = "/var/lib/postgresql/other" }));
        elsewhere.ExitCode.ShouldBe(2, elsewhere.ToString());
        elsewhere.StdErr.ShouldContain("HYO2003");
        elsewhere.StdErr.ShouldContain($"restored under {DataRoot}");
        site.RunsOn("dr1", $"{DataRoot}/dr1/patroni.yml").ShouldBeTrue();

        var destroy = await site.HyopsAsync("module", "destroy", "--module", Ha, "--instance", "gcp-dr");
        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        foreach (var member in DrMembers)
        {
            site.RunsOn(member, $"{DataRoot}/{member}/patroni.yml").ShouldBeFalse(member);
            site.RunsOn(member, $"{DataRoot}/{member}/data").ShouldBeFalse(member);
            (await site.SshAsync(member, $"test -f {DataRoot}/{member}/data/PG_VERSION && echo kept")).ShouldBe("kept", member);
        }

        site.RunsOn("dr-etcd", "etcd").ShouldBeTrue();
    }

    private string WriteInputs(string name, JsonObject inputs)
    {
        var path = Path.Combine(site.Dir, name);
        File.WriteAllText(path, inputs.ToJsonString());
        return path;
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
