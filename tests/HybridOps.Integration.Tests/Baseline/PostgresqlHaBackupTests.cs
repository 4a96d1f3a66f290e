using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Sql;
using Npgsql;
using static HybridOps.Integration.Tests.Support.TestSql;

namespace HybridOps.Integration.Tests.Baseline;

/// <summary>
/// Baseline lane end to end on a real lab: local object repository, assessed cluster, pgBackRest
/// configure + full backup, destroy keeps the repository, and the backup restores into a fresh
/// directory that a temporary postgres serves with the row written before the backup.
/// </summary>
public sealed class PostgresqlHaBackupTests : IAsyncLifetime
{
    private const string PgBin = "/usr/lib/postgresql/15/bin";
    private readonly Site site = new("127.0.41");
    private readonly LocalProcessRunner runner = new();

    public Task InitializeAsync() => site.StartAsync();

    public async Task DisposeAsync() => await site.DisposeAsync();

    [Fact]
    public async Task ConfigureBackupDestroy_KeepsTheRepository_AndTheLatestBackupRestoresWithTheRow()
    {
        var repoRoot = Path.Combine(site.LabDir, "object-repo");
        var repoInputs = WriteInputs("repo.json", new JsonObject { ["provider"] = "local", ["bucket"] = "hyops-lab", ["local_root"] = repoRoot });
        (await Ok("module", "deploy", "--module", "org/gcp/object-repo", "--inputs", repoInputs))["outputs"]!["pgbackrest_options"]!["repo1-type"]!.GetValue<string>().ShouldBe("posix");
        var repoDir = Path.Combine(repoRoot, "hyops-lab", "pgbackrest");
        Directory.Exists(repoDir).ShouldBeTrue();

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
        var info = await PgBackRestAsync(configPath, stanza, [], "info", "--output=json");
        info.ShouldContain(label);

        // The set's size (what a restore forecast multiplies by the measured rate) is pgBackRest's own figure.
        var size = JsonNode.Parse(info)![0]!["backup"]!.AsArray().Single(b => b!["label"]!.GetValue<string>() == label)!["info"]!["size"]!.GetValue<long>();
        size.ShouldBeGreaterThan(1_000_000);
        backedUp["backup_size_bytes"]!.GetValue<long>().ShouldBe(size);

        // The backup's files and the archived WAL are lz4 (the module's default compression), none gz
        // (pgBackRest keeps its own backup.history manifests in gz whatever the setting).
        var backupData = Path.Combine(repoDir, "backup", stanza, label);
        Directory.EnumerateFiles(backupData, "*.lz4", SearchOption.AllDirectories).ShouldNotBeEmpty();
        Directory.EnumerateFiles(backupData, "*.gz", SearchOption.AllDirectories).ShouldBeEmpty();
        Directory.EnumerateFiles(Path.Combine(repoDir, "archive"), "*.lz4", SearchOption.AllDirectories).ShouldNotBeEmpty();
        Directory.EnumerateFiles(Path.Combine(repoDir, "archive"), "*.gz", SearchOption.AllDirectories).ShouldBeEmpty();
        var configText = await File.ReadAllTextAsync(configPath);
        configText.ShouldContain("compress-type=lz4");
        configText.ShouldContain($"process-max={Math.Clamp(Environment.ProcessorCount, 1, 8)}");

        // An unknown compression is refused before anything changes (the config on disk stays as it was).
        var bad = await site.HyopsAsync("module", "deploy", "--module", "platform/onprem/postgresql-ha-backup", "--inputs",
            WriteInputs("bad.json", new JsonObject { ["apply_mode"] = "configure", ["compress_type"] = "brotli" }));
        bad.ExitCode.ShouldBe(2, bad.ToString());
        bad.StdErr.ShouldContain("compress_type 'brotli' must be one of lz4, zst, gz, none");
        (await File.ReadAllTextAsync(configPath)).ShouldBe(configText);

        // Keep a copy of the module's config for the restore: destroy removes the module's own files.
        var restoreWork = Path.Combine(site.LabDir, "restore-work");
        var restoreConfig = Path.Combine(restoreWork, "pgbackrest.conf");
        await InstallAsync("-d", "-m", "0750", "-o", "postgres", "-g", "postgres", restoreWork);
        await InstallAsync("-m", "0640", "-o", "postgres", "-g", "postgres", configPath, restoreConfig);

        var before = Snapshot(repoRoot);
        before.Count.ShouldBeGreaterThan(0);
        var destroy = await site.HyopsAsync("module", "destroy", "--module", "platform/onprem/postgresql-ha-backup");
        destroy.ExitCode.ShouldBe(0, destroy.ToString());
        Snapshot(repoRoot).ShouldBe(before);
        (await PgProbe.ScalarAsync<string>(leader, "show archive_command", CancellationToken.None)).ShouldBe("/bin/true");
        File.Exists(configPath).ShouldBeFalse();

        var restoreDir = Path.Combine(site.LabDir, "restored");
        await InstallAsync("-d", "-m", "0700", "-o", "postgres", "-g", "postgres", restoreDir);
        await PgBackRestAsync(restoreConfig, stanza, [$"--pg1-path={restoreDir}", $"--lock-path={restoreWork}", "--log-level-file=off", $"--set={label}"], "restore");

        var options = $"-c listen_addresses=127.0.41.50 -c port=5432 -c unix_socket_directories={restoreDir} -c archive_mode=off";
        (await runner.RunAsync(new ProcessSpec($"{PgBin}/pg_ctl", ["-D", restoreDir, "-o", options, "-l", Path.Combine(restoreWork, "postgres.log"), "-w", "-t", "60", "start"]) { RunAsUser = "postgres", Timeout = TimeSpan.FromSeconds(70) }, CancellationToken.None))
            .EnsureSuccess();
        try
        {
            var restored = leader with { Host = "127.0.41.50" };
            for (var i = 0; i < 100 && await PgProbe.ScalarAsync<bool>(restored, "select pg_is_in_recovery()", CancellationToken.None); i++)
            {
                await Task.Delay(200);
            }

            (await PgProbe.ScalarAsync<bool>(restored, "select pg_is_in_recovery()", CancellationToken.None)).ShouldBeFalse();
            (await PgProbe.ScalarAsync<string>(restored, "select v from baseline_probe", CancellationToken.None)).ShouldBe(marker);
        }
        finally
        {
            (await runner.RunAsync(new ProcessSpec($"{PgBin}/pg_ctl", ["-D", restoreDir, "-m", "fast", "-w", "stop"]) { RunAsUser = "postgres", Timeout = TimeSpan.FromSeconds(60) }, CancellationToken.None))
                .EnsureSuccess();
        }

        Site.LiveProcessesMentioning(restoreDir).ShouldBeEmpty();
    }

    private async Task InstallAsync(params string[] args) =>
        (await runner.RunAsync(new ProcessSpec("install", args), CancellationToken.None)).EnsureSuccess();

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

    private async Task<string> PgBackRestAsync(string config, string stanza, IEnumerable<string> options, params string[] command)
    {
        var args = new List<string> { $"--config={config}", $"--stanza={stanza}" };
        args.AddRange(options);
        args.AddRange(command);
        var r = await runner.RunAsync(new ProcessSpec("/usr/bin/pgbackrest", args, WorkingDirectory: "/") { RunAsUser = "postgres", Timeout = TimeSpan.FromSeconds(120) }, CancellationToken.None);
        r.ExitCode.ShouldBe(0, r.StdErr + r.StdOut);
        return r.StdOut;
    }

    private static Dictionary<string, long> Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(root, f), f => new FileInfo(f).Length);
}
