using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.PgBackRest;
using HybridOps.Providers.Managed;

namespace HybridOps.Providers.Local;

/// <summary>
/// Backups of a local instance: WAL archiving through pgBackRest (`hyops_backup.conf`, included from
/// postgresql.conf, applied with a reload: instances are created with archive_mode = on so no restart
/// is needed), a 0600 pgbackrest.conf the provider owns under the instance dir (with the repository's
/// credentials, which the server's archive-push needs), stanza-create, check, a full
/// backup, and `info` as the proof. Every command's argv and rc land in <see cref="LocalManagedPostgres.Actions"/>.
/// </summary>
internal sealed class LocalManagedBackups(LocalProviderOptions options, InstanceHost host, List<ProcessResult> actions)
{
    public const string BackupFile = "hyops_backup.conf";
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(10);

    public async Task<(PgBackRestBackup Backup, int Count, string Config, string ArchiveCommand)> EnableAsync(LocalInstanceRecord record, BackupRepository repo, CancellationToken ct)
    {
        var work = Path.Combine(options.InstanceDir(record.Name), "pgbackrest");
        var config = Path.Combine(work, "pgbackrest.conf");
        var user = host.RunAs;
        var cli = new PgBackRestCli(host.Runner, repo.PgBackRestBinary, config, repo.Stanza, user);
        foreach (var dir in new[] { work, Path.Combine(work, "log"), Path.Combine(work, "lock"), Path.Combine(work, "spool") })
        {
            await host.EnsureDirectoryAsync(dir, "0700", ct);
        }

        // The config (0600, the server user's) also holds the credentials: archive-push runs from the server, without hyops' environment.
        var global = new Dictionary<string, string>(repo.Options.Concat(repo.ConfigSecrets), StringComparer.Ordinal)
        {
            ["repo1-retention-full"] = repo.RetentionFull.ToString(CultureInfo.InvariantCulture),
            ["log-path"] = Path.Combine(work, "log"),
            ["lock-path"] = Path.Combine(work, "lock"),
            ["spool-path"] = Path.Combine(work, "spool"),
            ["start-fast"] = "y",
        };
        var member = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pg1-path"] = options.DataDir(record.Name),
            ["pg1-port"] = record.Port.ToString(CultureInfo.InvariantCulture),
            ["pg1-socket-path"] = options.SocketDir(record.Name),
            ["pg1-user"] = record.AdminUser,
        };
        await host.WriteAsync(config, PgBackRestConfig.Render(global, repo.Stanza, member), FileMode, ct);

        // Archiving first (a reload), so stanza-create/check find the archive_command in place.
        var data = options.DataDir(record.Name);
        await host.WriteAsync(Path.Combine(data, BackupFile),
            $"# hyops local provider: backups enabled (pgBackRest stanza {repo.Stanza})\narchive_mode = on\narchive_command = '{cli.ArchivePushCommand}'\narchive_timeout = 60\n", FileMode, ct);
        await host.AppendOnceAsync(Path.Combine(data, "postgresql.conf"), $"include_if_exists = '{BackupFile}'", ct);
        await RunAsync(new ProcessSpec($"{options.PgBinDir}/pg_ctl", ["-D", data, "reload"], RunAsUser: user, Timeout: TimeSpan.FromSeconds(30)), "pg_ctl reload", ct);

        var env = new Dictionary<string, string>(repo.CredentialEnvironment, StringComparer.Ordinal) { ["PGPASSWORD"] = repo.AdminPassword };
        await PgBackRestAsync(cli, "stanza-create", [], env, ct);
        await PgBackRestAsync(cli, "check", [], env, ct);
        await PgBackRestAsync(cli, "backup", ["--type=full"], env, ct);
        var info = await PgBackRestAsync(cli, "info", ["--output=json"], env, ct);
        var parsed = JsonNode.Parse(info.StdOut);
        var latest = PgBackRestBackup.LatestOf(parsed, repo.Stanza)
            ?? throw HyopsException.From(DiagnosticCatalog.PromotedBackupFailed, $"pgbackrest info lists no backup of stanza '{repo.Stanza}' after the backup ran");
        return (latest, PgBackRestBackup.Labels(parsed, repo.Stanza).Count, config, cli.ArchivePushCommand);
    }

    private async Task<ProcessResult> PgBackRestAsync(PgBackRestCli cli, string command, IReadOnlyList<string> extra, IReadOnlyDictionary<string, string> env, CancellationToken ct)
    {
        var result = await cli.RunAsync(command, extra, CommandTimeout, ct, env);
        actions.Add(result);
        if (!result.Succeeded)
        {
            var tail = (result.StdErr + "\n" + result.StdOut).Trim();
            throw HyopsException.From(DiagnosticCatalog.PromotedBackupFailed, $"pgbackrest {command} exited {result.ExitCode}: {(tail.Length > 800 ? tail[^800..] : tail)}");
        }

        return result;
    }

    private async Task RunAsync(ProcessSpec spec, string what, CancellationToken ct)
    {
        var result = await host.Runner.RunAsync(spec, ct);
        actions.Add(result);
        if (!result.Succeeded)
        {
            throw HyopsException.From(DiagnosticCatalog.PromotedBackupFailed, $"{what} exited with {result.ExitCode}: {result.StdErr.Trim()}");
        }
    }
}
