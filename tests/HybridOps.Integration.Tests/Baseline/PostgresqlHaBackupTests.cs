using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Sql;
using Npgsql;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Baseline;

/// <summary>
/// Baseline lane end to end on lab hosts reached over SSH (block 13): a posix repository on the share
/// every host mounts, assessed cluster, pgBackRest configure + full backup, destroy keeps the repository,
/// and the backup restores on a DR host into a fresh directory that a temporary postgres there serves
/// with the row written before the backup.
/// </summary>
[Trait("lab", "hosts")]
public sealed class PostgresqlHaBackupTests : IAsyncLifetime
{
    private const string PgBin = "/usr/lib/postgresql/15/bin";
    private readonly Site site = Site.OnHosts(13);
    private readonly string repoRoot = "/var/lib/pgbackrest/bk-" + Guid.NewGuid().ToString("N")[..8];

    public Task InitializeAsync() => site.StartAsync([]);

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task ConfigureBackupDestroy_KeepsTheRepository_AndTheLatestBackupRestoresWithTheRow()
    {
        var repoInputs = WriteInputs("repo.json", new JsonObject { ["provider"] = "local", ["bucket"] = "hyops-lab", ["local_root"] = repoRoot });
        (await Ok("module", "deploy", "--module", "org/gcp/object-repo", "--inputs", repoInputs))["outputs"]!["pgbackrest_options"]!["repo1-type"]!.GetValue<string>().ShouldBe("posix");
        var repoDir = $"{repoRoot}/hyops-lab/pgbackrest";
        await site.SshAsync("pg1", $"test -d {repoDir}");

        await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha");
        var configured = (await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup"))["outputs"]!;
        var archiveCommand = configured["archive_command"]!.GetValue<string>();
        var leaderName = configured["leader_name"]!.GetValue<string>();
        var leader = site.Endpoint(leaderName);
        (await PgProbe.ScalarAsync<string>(leader, "show archive_command", CancellationToken.None)).ShouldBe(archiveCommand);
        archiveCommand.ShouldContain("archive-push %p");

        var marker = "row-" + Guid.NewGuid().ToString("N")[..8];
        await ExecAsync(leader, $"create table baseline_probe(v text); insert into baseline_probe values ('{marker}')");

        var backupInputs = WriteInputs("backup.json", new JsonObject { ["apply_mode"] = "backup", ["backup_type"] = "full" });
        var backedUp = (await Ok("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs", backupInputs))["outputs"]!;
        var label = backedUp["backup_label"]!.GetValue<string>();
        backedUp["backup_type"]!.GetValue<string>().ShouldBe("full");
        backedUp["last_archived_wal"]!.GetValue<string>().ShouldNotBeNullOrEmpty();
        var configPath = backedUp["config_path"]!.GetValue<string>();
        var stanza = backedUp["stanza"]!.GetValue<string>();
        var info = await site.SshAsync(leaderName, $"cd / && sudo -u postgres pgbackrest --config={configPath} --stanza={stanza} info --output=json");
        info.ShouldContain(label);

        // The set's size (what a restore forecast multiplies by the measured rate) is pgBackRest's own figure.
        var size = JsonNode.Parse(info)![0]!["backup"]!.AsArray().Single(b => b!["label"]!.GetValue<string>() == label)!["info"]!["size"]!.GetValue<long>();
        size.ShouldBeGreaterThan(1_000_000);
        backedUp["backup_size_bytes"]!.GetValue<long>().ShouldBe(size);

        // The backup's files and the archived WAL are lz4 (the module's default compression), none gz
        // (pgBackRest keeps its own backup.history manifests in gz whatever the setting).
        async Task<int> CountAsync(string dir, string pattern) =>
            int.Parse(await site.SshAsync("pg2", $"find {dir} -name '{pattern}' | wc -l"), System.Globalization.CultureInfo.InvariantCulture);
        var backupData = $"{repoDir}/backup/{stanza}/{label}";
        (await CountAsync(backupData, "*.lz4")).ShouldBeGreaterThan(0);
        (await CountAsync(backupData, "*.gz")).ShouldBe(0);
        (await CountAsync($"{repoDir}/archive", "*.lz4")).ShouldBeGreaterThan(0);
        (await CountAsync($"{repoDir}/archive", "*.gz")).ShouldBe(0);
        var configText = await site.SshAsync(leaderName, $"cat {configPath}");
        configText.ShouldContain("compress-type=lz4");
        configText.ShouldContain($"process-max={Math.Clamp(Environment.ProcessorCount, 1, 8)}");

        // An unknown compression is refused before anything changes (the config on the host stays as it was).
        var bad = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs",
            WriteInputs("bad.json", new JsonObject { ["apply_mode"] = "configure", ["compress_type"] = "brotli" }));
        bad.ExitCode.ShouldBe(2, bad.ToString());
        bad.StdErr.ShouldContain("compress_type 'brotli' must be one of lz4, zst, gz, none");
        (await site.SshAsync(leaderName, $"cat {configPath}")).ShouldBe(configText);

        // Keep a copy of the module's config on a DR host for the restore: destroy removes the module's own files.
        const string restoreWork = "/var/lib/postgresql/restore-work";
        const string restoreDir = "/var/lib/postgresql/restored";
        var configCopy = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(configText + "\n"));
        await site.SshAsync("dr1", $"install -d -m 0750 -o postgres -g postgres {restoreWork} && echo {configCopy} | base64 -d > {restoreWork}/pgbackrest.conf"
            + $" && chown postgres:postgres {restoreWork}/pgbackrest.conf && chmod 0600 {restoreWork}/pgbackrest.conf");

        var snapshot = $"find {repoRoot} -type f -printf '%P %s\\n' | sort";
        var before = await site.SshAsync("pg3", snapshot);
        before.ShouldNotBeEmpty();
        var destroy = await site.HyopsAsync("module", "destroy", "--module", "platform/onprem/postgresql-ha-backup");
        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        (await site.SshAsync("pg3", snapshot)).ShouldBe(before);
        (await PgProbe.ScalarAsync<string>(leader, "show archive_command", CancellationToken.None)).ShouldBe("/bin/true");
        (await site.SshAsync(leaderName, $"test -e {configPath} && echo present || echo gone")).ShouldBe("gone");

        // Restore on dr1 (it mounts the same share) and serve it with a temporary postgres over its own socket.
        await site.SshAsync("dr1", $"install -d -m 0700 -o postgres -g postgres {restoreDir} && cd / && sudo -u postgres pgbackrest --config={restoreWork}/pgbackrest.conf --stanza={stanza}"
            + $" --pg1-path={restoreDir} --lock-path={restoreWork} --log-level-file=off --set={label} restore");
        // Patroni's postgresql.conf names the source member's files (its data dir on pg1..pg3): the restored copies are used instead.
        var options = $"-c listen_addresses='' -c port=5432 -c unix_socket_directories={restoreWork} -c archive_mode=off -c hba_file={restoreDir}/pg_hba.conf -c ident_file={restoreDir}/pg_ident.conf";
        await site.SshAsync("dr1", $"cd / && sudo -u postgres {PgBin}/pg_ctl -D {restoreDir} -o \"{options}\" -l {restoreWork}/postgres.log -w -t 60 start || {{ tail -20 {restoreWork}/postgres.log >&2; exit 1; }}");
        try
        {
            var psql = $"cd / && sudo -u postgres psql -XAt -h {restoreWork} -d postgres -c";
            for (var i = 0; i < 100 && await site.SshAsync("dr1", $"{psql} 'select pg_is_in_recovery()'") == "t"; i++)
            {
                await Task.Delay(200);
            }

            (await site.SshAsync("dr1", $"{psql} 'select pg_is_in_recovery()'")).ShouldBe("f");
            (await site.SshAsync("dr1", $"{psql} 'select v from baseline_probe'")).ShouldBe(marker);
        }
        finally
        {
            await site.SshAsync("dr1", $"cd / && sudo -u postgres {PgBin}/pg_ctl -D {restoreDir} -m fast -w stop");
        }

        (await site.SshAsync("dr1", $"ps -eo args= | grep -c '[p]ostgres -D {restoreDir}' || true")).ShouldBe("0");
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
}
