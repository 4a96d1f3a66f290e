using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Sql;
using Xunit.Abstractions;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Repository;

/// <summary>
/// The baseline cycle through a real object-store protocol server on the lab's object-store host
/// (`lab up --object-stores`, lab hosts reached over SSH): the repository contract with the lab CA and key
/// NAMES, pgBackRest configure + full backup on the on-prem hosts (credentials in each member's 0600
/// /etc/pgbackrest/pgbackrest.conf), WAL archived by archive-push, the backup module's repository facts, a
/// restore on the DR site's hosts whose recovery fetches WAL by archive-get from the store, then the faults
/// (wrong key, unverifiable TLS, store down) with their own codes, and a secret scan of the runtime root,
/// every host's disk (except the documented 0600 files that must hold a key) and every output.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class ObjectRepositoryCycle(int block, string backend)
{
    /// <summary>The files on a host that hold a store key by design (docs/sites.md, docs/repositories.md), each 0600.</summary>
    private static readonly string[] KeyFiles = ["pgbackrest.conf", "azurite.env", "s3rver.env"];
    private static readonly string[] Members = ["pg1", "pg2", "pg3"];
    private readonly Site site = Site.OnHosts(block);
    private readonly List<CliResult> outputs = [];
    private readonly Dictionary<string, string> keys = new(StringComparer.Ordinal);

    private string RepoModule => backend == "azure" ? "org/azure/object-repo" : "org/aws/object-repo";

    public async Task RunAsync(ITestOutputHelper log)
    {
        // Known keys (env wins over the vault), so the scan below can look for them.
        keys["HYOPS_LAB_AZURE_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        keys["HYOPS_LAB_S3_ACCESS_KEY"] = "HYOPSIT" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        keys["HYOPS_LAB_S3_SECRET_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));
        foreach (var (k, v) in keys)
        {
            site.Environment[k] = v;
        }

        try
        {
            var up = await site.StartAsync(["--object-stores"]);
            outputs.Add(up);
            var lab = JsonNode.Parse(up.StdOut)!;
            await CycleAsync(lab["object_stores"]![backend]!.AsObject(), lab["dr_site"]!.AsObject(), log);
        }
        finally
        {
            await site.DisposeAsync();
        }
    }

    private async Task CycleAsync(JsonObject repoInputs, JsonObject drSite, ITestOutputHelper log)
    {
        var repo = (await Ok("module", "deploy", "--module", RepoModule, "--inputs", Write("repo.json", repoInputs)))["outputs"]!;
        repo["pgbackrest_options"]!["repo1-storage-ca-file"]!.GetValue<string>().ShouldEndWith("ca.crt");
        var source = (await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha"))["outputs"]!;
        var backupInputs = new JsonObject { ["repo_state_ref"] = RepoModule, ["archive_timeout_s"] = 10 };
        var configured = (await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", Write("configure.json", backupInputs)))["outputs"]!;
        configured["backend"]!.GetValue<string>().ShouldBe(backend);

        // The one file on each member's host that holds the key: 0600, owned by postgres, key inside.
        var config = configured["config_path"]!.GetValue<string>();
        config.ShouldBe("/etc/pgbackrest/pgbackrest.conf");
        foreach (var member in Members)
        {
            (await site.SshAsync(member, $"stat -c '%a %U' {config}")).ShouldBe("600 postgres", member);
            (await site.SshAsync(member, $"cat {config}")).ShouldContain(backend == "azure" ? keys["HYOPS_LAB_AZURE_KEY"] : keys["HYOPS_LAB_S3_SECRET_KEY"]);
        }

        var leader = site.Endpoint(source["leader_name"]!.GetValue<string>());
        await ExecAsync(leader, "create table repo_probe(id int primary key); insert into repo_probe select generate_series(1, 5)");
        var clock = Stopwatch.StartNew();
        var backup = (await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs",
            Write("backup.json", new JsonObject { ["repo_state_ref"] = RepoModule, ["archive_timeout_s"] = 10, ["apply_mode"] = "backup", ["backup_type"] = "full" })))["outputs"]!;
        log.WriteLine($"{backend}: full backup through the CLI in {clock.Elapsed.TotalSeconds:F1}s ({backup["backup_label"]})");
        await ExecAsync(leader, "insert into repo_probe select generate_series(6, 10)");
        var switched = await PgProbe.ScalarAsync<string>(leader, "select pg_walfile_name(pg_switch_wal())", CancellationToken.None);
        await WaitUntilAsync(async () => string.CompareOrdinal(await PgProbe.ScalarAsync<string>(leader, "select coalesce(last_archived_wal, '') from pg_stat_archiver", CancellationToken.None), switched) >= 0,
            "the segment with rows 6-10 archived to the object store");

        // Repository facts in the backup module's status.
        var status = (await Ok("module", "status", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", Write("status.json", backupInputs)))["outputs"]!;
        status["check_passed"]!.GetValue<bool>().ShouldBeTrue();
        status["wal_continuous"]!.GetValue<bool>().ShouldBeTrue();
        status["verify_passed"]!.GetValue<bool>().ShouldBeTrue(status["verify_result"]?.ToString());
        status["verify_wal_ranges"]!.AsArray().ShouldNotBeEmpty();
        status["rpo_events"]!.AsArray().ShouldBeEmpty();
        string.CompareOrdinal(status["wal_archive_max"]!.GetValue<string>(), switched).ShouldBeGreaterThanOrEqualTo(0);
        status["rpo_exposure_s"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(0);
        status["backup_age_s"]!.GetValue<long>().ShouldBeGreaterThanOrEqualTo(0);

        // Restore on the DR site: recovery fetches rows 6-10 by archive-get from the object store.
        await Ok("module", "deploy", "--module", "org/gcp/dr-hosts", "--inputs", Write("dr-hosts.json", drSite));
        clock.Restart();
        var restored = (await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha", "--instance", "gcp-dr", "--inputs", Write("restore.json", new JsonObject
        {
            ["apply_mode"] = "restore", ["hosts_state_ref"] = "org/gcp/dr-hosts", ["repo_state_ref"] = RepoModule,
            ["backup_state_ref"] = "platform/onprem/postgresql-ha-backup", ["cluster_name"] = "gcp-dr-pg", ["restore_target"] = "latest",
            ["restore_timeout_s"] = 180, ["restore_confirm"] = "gcp-dr-pg",
        })))["outputs"]!;
        log.WriteLine($"{backend}: restore of 3 DR members through the CLI in {clock.Elapsed.TotalSeconds:F1}s (module restore_duration_s {restored["restore_duration_s"]})");
        var drLeader = leader with { Host = restored["leader_host"]!.GetValue<string>() };
        (await PgProbe.ScalarAsync<long>(drLeader, "select count(*) from repo_probe", CancellationToken.None)).ShouldBe(10);
        foreach (var host in new[] { "dr1", "dr2", "dr3" })
        {
            // The restored member's own config (it holds the store key): 0600 postgres on its host.
            var modes = await site.SshAsync(host, "find /var/lib/postgresql -name pgbackrest.conf -exec stat -c '%a %U' {} +");
            modes.Split('\n').ShouldNotBeEmpty();
            modes.Split('\n').ShouldAllBe(m => m == "600 postgres", host);
        }

        clock.Restart();
        await FaultsAsync(repoInputs, backupInputs, log);
        log.WriteLine($"{backend}: three faults and a reconfigure in {clock.Elapsed.TotalSeconds:F1}s");
        ScanForKeys();
    }

    private async Task FaultsAsync(JsonObject repoInputs, JsonObject backupInputs, ITestOutputHelper log)
    {
        var each = Stopwatch.StartNew();
        var backupOnce = new JsonObject { ["repo_state_ref"] = RepoModule, ["archive_timeout_s"] = 10, ["apply_mode"] = "backup", ["backup_type"] = "incr" };

        // Wrong credentials: a configuration failure with its own code; neither key is in any message.
        var wrong = new Dictionary<string, string>(site.Environment)
        {
            ["HYOPS_LAB_AZURE_KEY"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["HYOPS_LAB_S3_ACCESS_KEY"] = "HYOPSWRONG" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)),
        };
        var denied = await Run(site.HyopsWithAsync(wrong, "module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", Write("wrong.json", backupOnce)));
        denied.ExitCode.ShouldBe(5, denied.ToString());
        denied.StdErr.ShouldContain("HYO5060");
        denied.ToString().ShouldNotContain(wrong["HYOPS_LAB_AZURE_KEY"]);
        denied.ToString().ShouldNotContain(wrong["HYOPS_LAB_S3_ACCESS_KEY"]);
        log.WriteLine($"{backend}: wrong credentials refused in {each.Elapsed.TotalSeconds:F1}s");
        each.Restart();

        // TLS verification failure: the store's certificate checked against the system CAs, not the lab CA.
        var badCa = (JsonObject)repoInputs.DeepClone();
        badCa["ca_file"] = "/etc/ssl/certs/ca-certificates.crt";
        badCa["io_timeout_s"] = 2; // pgBackRest retries a failed handshake until io-timeout (default 60 s)
        await Ok("module", "deploy", "--module", RepoModule, "--instance", "bad-ca", "--inputs", Write("bad-ca.json", badCa));
        var tls = await Run(site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs",
            Write("tls.json", new JsonObject { ["repo_state_ref"] = RepoModule + "#bad-ca", ["archive_timeout_s"] = 10, ["apply_mode"] = "backup", ["backup_type"] = "incr" })));
        tls.ExitCode.ShouldBe(5, tls.ToString());
        tls.StdErr.ShouldContain("HYO5061");
        log.WriteLine($"{backend}: TLS failure refused in {each.Elapsed.TotalSeconds:F1}s");
        each.Restart();

        // The store down during a backup (nothing listens on its port): a connectivity failure with its own code.
        var down = (JsonObject)repoInputs.DeepClone();
        down["port"] = 9;
        down["io_timeout_s"] = 2;
        await Ok("module", "deploy", "--module", RepoModule, "--instance", "down", "--inputs", Write("down.json", down));
        var unreachable = await Run(site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs",
            Write("down-backup.json", new JsonObject { ["repo_state_ref"] = RepoModule + "#down", ["archive_timeout_s"] = 10, ["apply_mode"] = "backup", ["backup_type"] = "incr" })));
        unreachable.ExitCode.ShouldBe(4, unreachable.ToString());
        unreachable.StdErr.ShouldContain("HYO4050");
        log.WriteLine($"{backend}: store down refused in {each.Elapsed.TotalSeconds:F1}s");
        each.Restart();

        // None of the failed backups broke archiving: each put back the config it found, so the next segment
        // reaches the good repository without a reconfigure.
        var leader = site.Endpoint("pg1") with { Host = JsonNode.Parse(File.ReadAllText(site.StatePath("platform__onprem__postgresql-ha")))!["outputs"]!["leader_host"]!.GetValue<string>() };
        var segment = await HybridOps.Postgres.Sql.PgProbe.ScalarAsync<string>(leader, "select pg_walfile_name(pg_switch_wal())", CancellationToken.None);
        await WaitUntilAsync(async () => string.CompareOrdinal(await HybridOps.Postgres.Sql.PgProbe.ScalarAsync<string>(leader, "select coalesce(last_archived_wal, '') from pg_stat_archiver", CancellationToken.None), segment) >= 0,
            $"segment {segment} archived after the failed backups");
        log.WriteLine($"{backend}: archiving still works after the faults ({each.Elapsed.TotalSeconds:F1}s)");
        each.Restart();

        // Back on the good repository: configure rewrites every member's config, the store answers again.
        await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", Write("reconfigure.json", backupInputs));
        log.WriteLine($"{backend}: reconfigured in {each.Elapsed.TotalSeconds:F1}s");
    }

    private void ScanForKeys()
    {
        var secrets = keys.Values.ToList();
        var configs = 0;
        foreach (var (path, text) in site.RuntimeFiles())
        {
            foreach (var s in secrets)
            {
                text.ShouldNotContain(s, customMessage: path);
            }
        }

        // Every host's disk (its /etc upper dir, /var/lib/postgresql, /tmp, /var/log...) lives under the lab dir.
        foreach (var file in Directory.EnumerateFiles(site.LabDir, "*", SearchOption.AllDirectories))
        {
            if (KeyFiles.Contains(Path.GetFileName(file)))
            {
                // A documented place of a key: 0600.
                File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite, file);
                configs++;
                continue;
            }

            var info = new FileInfo(file);
            if (info.Length > 64 << 20 || info.LinkTarget is not null)
            {
                continue;
            }

            string text;
            try
            {
                text = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(file));
            }
            catch (IOException)
            {
                continue; // a socket (pdns.controlsocket, PostgreSQL's): nothing stored in it
            }

            foreach (var s in secrets)
            {
                text.ShouldNotContain(s, customMessage: file);
            }
        }

        configs.ShouldBeGreaterThanOrEqualTo(4);
        foreach (var r in outputs)
        {
            foreach (var s in secrets)
            {
                r.ToString().ShouldNotContain(s);
            }
        }
    }

    private async Task<CliResult> Run(Task<CliResult> call)
    {
        var r = await call;
        outputs.Add(r);
        return r;
    }

    private async Task<JsonNode> Ok(params string[] args)
    {
        var r = await Run(site.HyopsAsync(["--output", "json", .. args]));
        r.ExitCode.ShouldBe(0, r.ToString());
        return JsonNode.Parse(r.StdOut)!;
    }

    private string Write(string name, JsonObject inputs)
    {
        var path = Path.Combine(site.Dir, name);
        File.WriteAllText(path, inputs.ToJsonString());
        return path;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 240; i++)
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
