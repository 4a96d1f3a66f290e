using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.PgBackRest;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHaBackup;

/// <summary>One run of the backup module: resolves the live leader, paths and config, then acts.</summary>
internal sealed class BackupRun : IAsyncDisposable
{
    private const string NoArchive = "/bin/true";
    private const string ConfigHeader = "# Written by hyops (platform/onprem/postgresql-ha-backup)";
    private static readonly UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    private readonly ModuleContext context;
    private readonly PatroniClient patroni;
    private readonly InventoryHosts? sshHosts;
    private IProcessRunner runner;
    private readonly JsonObject cluster;
    private readonly JsonObject repo;
    private readonly IReadOnlyList<BackupRepository> repos;
    private readonly string stanza;
    private readonly string osUser;
    private readonly BackupTargets targets;
    private readonly TimeSpan commandTimeout;
    private string? archiveId;

    public BackupRun(ModuleContext context, PatroniClient patroni, IProcessRunner runner)
    {
        this.context = context;
        this.patroni = patroni;
        this.runner = runner;
        cluster = context.Inputs.State("cluster_state_ref")!.Outputs;
        repo = context.Inputs.State("repo_state_ref")!.Outputs;
        repos = BackupRepositories.From(context);
        stanza = context.Inputs.String("stanza") ?? cluster.Str("cluster_name")!;
        osUser = context.Inputs.String("os_user") ?? "postgres";
        targets = new BackupTargets(context);
        // Members reached over SSH: pgBackRest config on every member, commands on the leader's host.
        sshHosts = InventoryHosts.FromInventory(context.Inputs.State("inventory_state_ref")?.Outputs);
        commandTimeout = TimeSpan.FromSeconds(context.Inputs.Values.Int("command_timeout_s") ?? 900);
    }

    private string WorkDir => field ??= sshHosts is null ? targets.WorkDir(stanza) : Path.GetDirectoryName(ConfigPath)!;

    private string ConfigPath => sshHosts is { } hosts
        ? hosts.Layout(hosts.Members.Keys.First(), "pgbackrest_config", RemoteConfig)
        : Path.Combine(WorkDir, "pgbackrest.conf");

    private const string RemoteConfig = "/etc/pgbackrest/pgbackrest.conf";

    private string? RunAsUser => sshHosts is null ? ProcessIdentity.ServiceUserOrNull(osUser) : osUser;

    private PgBackRestCli Cli => new(runner, context.Inputs.String("pgbackrest_bin") ?? "/usr/bin/pgbackrest", ConfigPath, stanza, RunAsUser);

    public ValueTask DisposeAsync() => sshHosts?.DisposeAsync() ?? ValueTask.CompletedTask;

    public async Task<ModuleOutcome> ConfigureAsync(CancellationToken ct)
    {
        var leader = await LiveLeaderAsync(ct);
        await WriteConfigAsync(leader, ct);
        var archiveCommand = Cli.ArchivePushCommand;
        var timeout = context.Inputs.Values.Int("archive_timeout_s") ?? 60;
        await SetArchiveAsync(leader, archiveCommand, timeout, ct);

        await RunCheckedAsync("stanza-create", [], ct);
        await RunCheckedAsync("check", [], ct);
        var outputs = BaseOutputs(leader, archiveCommand, timeout);
        outputs["stanza_created"] = true;
        outputs["check_passed"] = true;
        outputs["configured_at"] = PostgresqlHaBackupHandler.Iso(context.Time.GetUtcNow());
        return ModuleOutcome.Ok(outputs);
    }

    public async Task<ModuleOutcome> BackupAsync(CancellationToken ct)
    {
        var leader = await LiveLeaderAsync(ct);
        // The members archive WAL through this config: a backup that fails (a wrong key, a bad CA, a store
        // that is down) puts the config it found back, so one failed backup never breaks archiving.
        var previous = await ReadConfigsAsync(ct);
        await WriteConfigAsync(leader, ct);
        try
        {
            return await BackupWithConfigAsync(leader, ct);
        }
        catch (HyopsException)
        {
            await RestoreConfigsAsync(previous, CancellationToken.None);
            throw;
        }
    }

    private async Task<ModuleOutcome> BackupWithConfigAsync(Leader leader, CancellationToken ct)
    {
        var archiveCommand = Cli.ArchivePushCommand;
        var observed = await LeaderScalarAsync(leader, "show archive_command", ct);
        var configured = observed == archiveCommand;
        context.Evidence.Check("archive_command_configured", configured, new JsonObject { ["observed"] = observed, ["expected"] = archiveCommand },
            configured ? null : DiagnosticCatalog.SourceMisconfigured.Code);
        if (!configured)
        {
            throw HyopsException.From(DiagnosticCatalog.SourceMisconfigured,
                $"leader {leader.Name} archives with '{observed}', not this module's command; run apply_mode=configure first");
        }

        var type = context.Inputs.String("backup_type") ?? "full";
        // One backup into each repository (pgBackRest backs up into one repository per call).
        foreach (var r in repos)
        {
            context.Progress.Report($"pgbackrest backup --type={type} into repo{r.Key} ({r.StateRef}) on {leader.Name}");
            await RunCheckedAsync("backup", repos.Count > 1 ? [$"--type={type}", $"--repo={r.Key}"] : [$"--type={type}"], ct);
        }

        var outputs = BaseOutputs(leader, archiveCommand, context.Inputs.Values.Int("archive_timeout_s") ?? 60);
        outputs["stanza_created"] = true;
        outputs["check_passed"] = context.Previous?.Outputs["check_passed"]?.DeepClone();
        outputs["configured_at"] = context.Previous?.Outputs["configured_at"]?.DeepClone();
        await AddBackupFactsAsync(outputs, leader, ct);
        return ModuleOutcome.Ok(outputs);
    }

    /// <summary>
    /// apply_mode flush ("drain the archive" before a failover): on the live leader, over its local
    /// socket (so it also works after a fence closed TCP access), switch to a new WAL segment and wait
    /// until pgBackRest archived it. Every commit acknowledged before the switch is then in the
    /// repository. An unreachable source (a dead site) is not an error: nothing more can be drained,
    /// the loss window is the unarchived tail, and the evidence says so.
    /// </summary>
    public async Task<ModuleOutcome> FlushAsync(CancellationToken ct)
    {
        var outputs = context.Previous?.Outputs.DeepClone() as JsonObject ?? new JsonObject();
        outputs.Remove("contract_version");
        Leader leader;
        try
        {
            leader = await LiveLeaderAsync(ct);
        }
        catch (Exception ex) when (ex is HyopsException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            var reason = ex is HyopsException h ? h.Diagnostics[0].Message : ex.Message;
            context.Evidence.Check("source_reachable", false, new JsonObject { ["reason"] = reason });
            context.Evidence.Note($"source cluster unreachable: WAL written after {outputs.Str("last_archived_wal") ?? "the last archived segment"} was not archived and is lost with the site; RPO is bounded by the archive position");
            outputs["flushed"] = false;
            outputs["flush_reason"] = "source unreachable";
            outputs["flushed_at"] = PostgresqlHaBackupHandler.Iso(context.Time.GetUtcNow());
            return ModuleOutcome.Ok(outputs);
        }

        var socket = targets.SocketDir(leader.Name);
        var segment = (await PsqlAsync(socket, leader.Port, "select pg_walfile_name(pg_switch_wal())", ct)).Trim();
        context.Progress.Report($"waiting until {segment} is archived");
        var start = context.Time.GetTimestamp();
        string archived;
        while (string.CompareOrdinal(archived = (await PsqlAsync(socket, leader.Port, "select coalesce(last_archived_wal, '') from pg_stat_archiver", ct)).Trim(), segment) < 0
               || archived.Length != segment.Length)
        {
            if (context.Time.GetElapsedTime(start) > TimeSpan.FromSeconds(context.Inputs.Values.Int("flush_timeout_s") ?? 60))
            {
                context.Evidence.Check("wal_archived", false, new JsonObject { ["segment"] = segment, ["last_archived_wal"] = archived }, DiagnosticCatalog.NotReady.Code);
                throw HyopsException.From(DiagnosticCatalog.NotReady, $"segment {segment} of leader {leader.Name} was not archived in time (last archived: '{archived}'); check archive_command and the repository");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), context.Time, ct);
        }

        context.Evidence.Check("wal_archived", true, new JsonObject
        {
            ["leader"] = leader.Name, ["segment"] = segment, ["last_archived_wal"] = archived,
            ["waited_ms"] = Math.Round(context.Time.GetElapsedTime(start).TotalMilliseconds),
        });
        outputs["flushed"] = true;
        outputs["flush_reason"] = null;
        outputs["flushed_segment"] = segment;
        outputs["last_archived_wal"] = archived;
        outputs["flushed_at"] = PostgresqlHaBackupHandler.Iso(context.Time.GetUtcNow());
        return ModuleOutcome.Ok(outputs);
    }

    /// <summary>
    /// One value from the leader: on an ssh host with psql over its unix socket (as the service user,
    /// so it also works when a fence rejects TCP), else over the endpoint.
    /// </summary>
    private async Task<string> LeaderScalarAsync(Leader leader, string sql, CancellationToken ct) =>
        sshHosts is not null
            ? (await PsqlAsync(targets.SocketDir(leader.Name), leader.Port, sql, ct)).Trim()
            : await PgProbe.ScalarAsync<string>(leader.Endpoint, sql, ct);

    private async Task<string> PsqlAsync(string socketDir, int port, string sql, CancellationToken ct)
    {
        var spec = new ProcessSpec("psql", ["-X", "-A", "-t", "-h", socketDir, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-d", "postgres", "-c", sql],
            RunAsUser: RunAsUser, Timeout: TimeSpan.FromSeconds(30));
        var result = await runner.RunAsync(spec, ct);
        context.Evidence.Action("psql", result.Argv, result.ExitCode, result.Duration, new JsonObject { ["stdout"] = Tail(result.StdOut).Trim(), ["stderr"] = Tail(result.StdErr).Trim() });
        if (!result.Succeeded)
        {
            throw HyopsException.From(DiagnosticCatalog.SourceMisconfigured, $"psql on {socketDir}:{port} exited {result.ExitCode}: {Tail(result.StdErr).Trim()}");
        }

        return result.StdOut;
    }

    public async Task<ModuleOutcome> StatusAsync(CancellationToken ct)
    {
        var leader = await LiveLeaderAsync(ct);
        var archiveCommand = Cli.ArchivePushCommand;
        var observed = await LeaderScalarAsync(leader, "show archive_command", ct);
        context.Evidence.Check("archive_command_configured", observed == archiveCommand, new JsonObject { ["observed"] = observed, ["expected"] = archiveCommand });
        var outputs = BaseOutputs(leader, archiveCommand, context.Inputs.Values.Int("archive_timeout_s") ?? 60);
        await AddBackupFactsAsync(outputs, leader, ct, storeMayBeDown: true);

        // `pgbackrest check` proves the repository answers and the leader's WAL reaches it now.
        var check = await Cli.RunAsync("check", [], commandTimeout, ct);
        context.Evidence.Action("pgbackrest check", check.Argv, check.ExitCode, check.Duration, new JsonObject { ["stderr_tail"] = Tail(check.StdErr).Trim() });
        var fault = check.Succeeded ? null : RepoFaults.Descriptor(PgBackRestFailure.Classify(check.StdErr + check.StdOut)) ?? DiagnosticCatalog.SourceMisconfigured;
        outputs["check_passed"] = check.Succeeded;
        outputs["check_error"] = fault?.Code;
        context.Evidence.Check("repository_check", check.Succeeded, new JsonObject
        {
            ["repo_uri"] = repo.Str("repo_uri"), ["rpo_exposure_s"] = outputs["rpo_exposure_s"]?.DeepClone(), ["last_archived_wal"] = outputs.Str("last_archived_wal"),
        }, fault?.Code);
        if (fault is not null)
        {
            outputs["verify_passed"] = null;
            outputs["verify_error"] = null;
            return ModuleOutcome.Partial(outputs, fault.Create($"pgbackrest check against {repo.Str("repo_uri")} failed: WAL after {outputs.Str("last_archived_wal") ?? "the last archived segment"} is not in the repository (rpo exposure {outputs["rpo_exposure_s"]?.ToString() ?? "unknown"} s)"));
        }

        if (context.Inputs.Values["verify"]?.GetValue<bool>() != false && await VerifyEveryRepositoryAsync(outputs, ct) is { } found)
        {
            return ModuleOutcome.Partial(outputs, found);
        }

        return observed == archiveCommand
            ? ModuleOutcome.Ok(outputs)
            : ModuleOutcome.Partial(outputs, DiagnosticCatalog.SourceMisconfigured.Create($"leader archives with '{observed}'; run apply_mode=configure"));
    }

    /// <summary>
    /// Verify each repository: repo1 into the top-level outputs (and its `repositories` entry), repo2 into its
    /// entry; a hole or invalid file in repo2 is repo2's RPO event, also listed in the top-level rpo_events
    /// with its repo_state_ref. The first finding of verify makes status partial; `archive_behind` (one `info`
    /// snapshot, which a segment archived mid-call can make) is published, not raised.
    /// </summary>
    private async Task<Diagnostic?> VerifyEveryRepositoryAsync(JsonObject outputs, CancellationToken ct)
    {
        var entries = (outputs["repositories"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var found = await VerifyAsync(outputs, 1, archiveId, ct);
        var events = new JsonArray();
        foreach (var r in repos)
        {
            var entry = entries.FirstOrDefault(e => e.Int("repo_key") == r.Key);
            if (entry is null)
            {
                continue;
            }

            var behind = entry["rpo_events"]?.DeepClone() as JsonArray ?? [];
            if (r.Key == 1)
            {
                foreach (var key in new[] { "verify_passed", "verify_error", "verify_result", "wal_gaps", "wal_continuous", "rpo_events" })
                {
                    entry[key] = outputs[key]?.DeepClone();
                }
            }
            else
            {
                var diagnostic = await VerifyAsync(entry, r.Key, entry.Str("archive_id"), ct);
                found ??= diagnostic is null ? null : diagnostic with { Message = $"{r.StateRef} (repo{r.Key}): {diagnostic.Message}" };
            }

            var own = entry["rpo_events"] as JsonArray ?? [];
            foreach (var e in own.OfType<JsonObject>())
            {
                e["repo_state_ref"] = r.StateRef;
            }

            foreach (var e in behind)
            {
                own.Add(e?.DeepClone());
            }

            entry["rpo_events"] = own;
            foreach (var e in r.Key > 1 ? own : behind)
            {
                events.Add(e?.DeepClone());
            }
        }

        if (outputs["rpo_events"] is JsonArray top)
        {
            foreach (var e in top.OfType<JsonObject>())
            {
                e["repo_state_ref"] = repos[0].StateRef;
            }

            foreach (var e in events)
            {
                top.Add(e?.DeepClone());
            }
        }

        return found;
    }

    /// <summary>
    /// `pgbackrest verify`: every backup file and archived segment read back and checked, and the WAL
    /// ranges walked (a hole between two ranges is a gap the ends of info's range do not show).
    /// </summary>
    private async Task<Diagnostic?> VerifyAsync(JsonObject outputs, int repoKey, string? archiveId, CancellationToken ct)
    {
        var repo = repos[repoKey - 1].Outputs;
        var options = repos.Count > 1 ? PgBackRestVerify.Options.Append($"--repo={repoKey}").ToList() : PgBackRestVerify.Options;
        var verify = await Cli.RunAsync("verify", options, commandTimeout, ct);
        context.Evidence.Action("pgbackrest verify", verify.Argv, verify.ExitCode, verify.Duration, new JsonObject { ["stdout_tail"] = Tail(verify.StdOut).Trim() });
        if (!verify.Succeeded)
        {
            var fault = RepoFaults.Descriptor(PgBackRestFailure.Classify(verify.StdOut + verify.StdErr)) ?? DiagnosticCatalog.RepoVerifyFailed;
            outputs["verify_passed"] = false;
            outputs["verify_error"] = fault.Code;
            context.Evidence.Check("repository_verified", false, new JsonObject { ["exit_code"] = verify.ExitCode }, fault.Code);
            return fault.Create($"pgbackrest verify against {repo.Str("repo_uri")} exited {verify.ExitCode}: {Tail(verify.StdOut + verify.StdErr).Trim()}");
        }

        var parsed = PgBackRestVerify.Parse(verify.StdOut);
        if (parsed.Ranges.Count == 0 && archiveId is not null)
        {
            // verify saw no archive (a store whose listing it cannot use): walk the archive id info named.
            var listing = await Cli.RunWithArgumentsAsync("repo-ls", repos.Count > 1 ? ["--recurse", $"--repo={repoKey}"] : ["--recurse"], [$"archive/{stanza}/{archiveId}"], commandTimeout, ct);
            context.Evidence.Action("pgbackrest repo-ls", listing.Argv, listing.ExitCode, listing.Duration, new JsonObject { ["stderr_tail"] = Tail(listing.StdErr).Trim() });
            if (listing.Succeeded)
            {
                parsed = parsed.WithListing(archiveId, listing.StdOut);
                context.Evidence.Note($"pgbackrest verify found no archive id; the WAL ranges come from repo-ls of archive/{stanza}/{archiveId}");
            }
        }

        var found = RepositoryVerification.Apply(outputs, parsed);
        context.Evidence.Check("repository_verified", found is null, new JsonObject
        {
            ["verify_result"] = outputs["verify_result"]?.DeepClone(), ["wal_gaps"] = outputs["wal_gaps"]?.DeepClone(), ["rpo_events"] = outputs["rpo_events"]?.DeepClone(),
        }, found?.Code);
        return found;
    }

    public async Task<ModuleOutcome> DestroyAsync(CancellationToken ct)
    {
        var leader = await LiveLeaderAsync(ct);
        await SetArchiveAsync(leader, NoArchive, null, ct);
        var config = ConfigPath;
        if (sshHosts is { } hosts)
        {
            foreach (var name in hosts.Members.Keys)
            {
                var text = await hosts.Executor(name).GetFileAsync(config, ct);
                if (text is not null && System.Text.Encoding.UTF8.GetString(text).StartsWith(ConfigHeader, StringComparison.Ordinal))
                {
                    (await hosts.Executor(name).RunAsync(new Postgres.Hosts.HostCommand(["rm", "-f", config]) { RunAs = Postgres.Hosts.HostCommand.Root }, ct)).EnsureSuccess();
                    context.Evidence.Note($"removed the module-owned {config} on {name}");
                }
            }
        }
        else if (File.Exists(config) && File.ReadLines(config).FirstOrDefault()?.StartsWith(ConfigHeader, StringComparison.Ordinal) == true)
        {
            Directory.Delete(WorkDir, recursive: true);
            context.Evidence.Note($"removed the module-owned directory {WorkDir} (pgbackrest.conf, log, lock, spool)");
        }
        else
        {
            context.Evidence.Note($"no module-owned config at {config}; nothing removed");
        }

        context.Evidence.Note($"repository data at {repo.Str("repo_uri")} (stanza '{stanza}') is kept: this module never deletes backups or archived WAL");
        context.Evidence.Check("repository_data_kept", true, new JsonObject { ["repo_uri"] = repo.Str("repo_uri"), ["stanza"] = stanza, ["deleted"] = false });
        return ModuleOutcome.Destroyed();
    }

    private JsonObject BaseOutputs(Leader leader, string archiveCommand, int archiveTimeout) => new()
    {
        ["stanza"] = stanza,
        ["config_path"] = ConfigPath,
        ["work_dir"] = WorkDir,
        ["archive_command"] = archiveCommand,
        ["archive_timeout_s"] = archiveTimeout,
        ["repo_uri"] = repo.Str("repo_uri"),
        ["repo_path"] = repo["pgbackrest_options"].Str("repo1-path"),
        ["backend"] = repo.Str("backend"),
        ["leader_name"] = leader.Name,
        ["schedule"] = new JsonObject
        {
            ["intent"] = context.Inputs.Values["schedule"]?.DeepClone(),
            ["installed"] = false,
            ["note"] = "recorded intent only; no cron or timer is installed",
        },
    };

    /// <summary>
    /// The latest set and the WAL range from `pgbackrest info`, and the archiver's position from the
    /// leader. On status (<paramref name="storeMayBeDown"/>) a store that does not answer leaves the
    /// repository facts out, not the archiver's: rpo_exposure_s is what matters while it is down.
    /// </summary>
    private async Task AddBackupFactsAsync(JsonObject outputs, Leader leader, CancellationToken ct, bool storeMayBeDown = false)
    {
        JsonNode? parsed;
        if (storeMayBeDown)
        {
            var info = await Cli.RunAsync("info", ["--output=json"], commandTimeout, ct);
            context.Evidence.Action("pgbackrest info", info.Argv, info.ExitCode, info.Duration, new JsonObject { ["stderr_tail"] = Tail(info.StdErr).Trim() });
            parsed = info.Succeeded ? JsonNode.Parse(info.StdOut) : null;
        }
        else
        {
            parsed = JsonNode.Parse((await RunCheckedAsync("info", ["--output=json"], ct)).StdOut);
        }

        // The top-level facts are repo1's; `repositories` has every repository's.
        var latest = parsed is null ? null : PgBackRestBackup.LatestOf(parsed, stanza, 1);
        outputs["backup_count"] = parsed is null ? null : PgBackRestBackup.Labels(parsed, stanza, 1).Count;
        if (latest is not null)
        {
            outputs["backup_label"] = latest.Label;
            outputs["backup_type"] = latest.Type;
            outputs["backup_size_bytes"] = latest.SizeBytes;
            outputs["backup_timeline"] = latest.Timeline;
            outputs["backup_wal_start"] = latest.WalStart;
            outputs["backup_wal_stop"] = latest.WalStop;
            outputs["backup_started_at"] = PostgresqlHaBackupHandler.Iso(latest.Started);
            outputs["backup_stopped_at"] = PostgresqlHaBackupHandler.Iso(latest.Stopped);
            outputs["backup_age_s"] = (long)Math.Max(0, (context.Time.GetUtcNow() - latest.Stopped).TotalSeconds);
        }

        var archiver = await LeaderScalarAsync(leader,
            "select coalesce(last_archived_wal, '') || '|' || coalesce(to_char(last_archived_time at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
            + " || '|' || failed_count || '|' || coalesce(last_failed_wal, '') from pg_stat_archiver", ct);
        var parts = archiver.Split('|');
        outputs["last_archived_wal"] = parts[0].Length > 0 ? parts[0] : null;
        outputs["last_archived_at"] = parts.Length > 1 && parts[1].Length > 0 ? parts[1] : null;
        outputs["archive_failed_count"] = parts.Length > 2 && long.TryParse(parts[2], System.Globalization.CultureInfo.InvariantCulture, out var failed) ? failed : null;
        outputs["last_failed_wal"] = parts.Length > 3 && parts[3].Length > 0 ? parts[3] : null;

        // The RPO exposure: what a site loss now would lose, bounded by the last WAL the repository holds.
        outputs["rpo_exposure_s"] = DateTimeOffset.TryParse(outputs.Str("last_archived_at"), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? (long)Math.Max(0, (context.Time.GetUtcNow() - at).TotalSeconds)
            : null;
        AddRepositoryFacts(outputs, parsed);
        outputs["repositories"] = BackupRepositories.Facts(repos, parsed, stanza, outputs["rpo_exposure_s"]);
    }

    /// <summary>From `pgbackrest info --output=json`: the repository's status, the WAL range it holds, and whether it covers the latest set.</summary>
    private void AddRepositoryFacts(JsonObject outputs, JsonNode? info)
    {
        var node = (info as JsonArray)?.OfType<JsonObject>().FirstOrDefault(s => s.Str("name") == stanza);
        var archive = (node?["archive"] as JsonArray)?.OfType<JsonObject>().LastOrDefault(a => PgBackRestRepoInfo.RepoKey(a) == 1);
        outputs["repo_status"] = node?["status"]?["message"]?.GetValue<string>();
        archiveId = archive?.Str("id");
        outputs["wal_archive_min"] = archive?.Str("min");
        outputs["wal_archive_max"] = archive?.Str("max");

        // From the ends of the range only; status replaces it with what `pgbackrest verify` walked
        // (RepositoryVerification), which also sees a hole inside the range.
        var start = outputs.Str("backup_wal_start");
        outputs["wal_continuous"] = start is null || archive is null
            ? null
            : string.CompareOrdinal(archive.Str("min"), start) <= 0 && string.CompareOrdinal(archive.Str("max"), outputs.Str("backup_wal_stop") ?? start) >= 0;
    }

    private async Task<ProcessResult> RunCheckedAsync(string command, IReadOnlyList<string> options, CancellationToken ct)
    {
        var result = await Cli.RunAsync(command, options, commandTimeout, ct);
        var tail = result.StdErr.Length > 2000 ? result.StdErr[^2000..] : result.StdErr;
        context.Evidence.Action($"pgbackrest {command}", result.Argv, result.ExitCode, result.Duration,
            new JsonObject { ["stderr_tail"] = tail.Trim(), ["stdout_tail"] = command == "info" ? null : Tail(result.StdOut) });
        if (!result.Succeeded)
        {
            var output = result.StdErr + "\n" + result.StdOut;
            throw HyopsException.From(RepoFaults.Descriptor(PgBackRestFailure.Classify(output)) ?? DiagnosticCatalog.SourceMisconfigured,
                $"pgbackrest {command} against {repo.Str("repo_uri")} exited {result.ExitCode}: {Tail(output).Trim()}");
        }

        return result;
    }

    private static string Tail(string s) => s.Length > 1000 ? s[^1000..] : s;

    /// <summary>The repository's credentials, written into every member's pgbackrest.conf (never argv, env or evidence).</summary>
    private IReadOnlyList<RepoSecret> Secrets => field ??= BackupRepositories.Secrets(repos, context.Secrets);

    /// <summary>The pgBackRest config each member has now (null for a member without one, or one hyops cannot read).</summary>
    private async Task<List<(string? Member, byte[]? Content)>> ReadConfigsAsync(CancellationToken ct)
    {
        var found = new List<(string?, byte[]?)>();
        if (sshHosts is { } hosts)
        {
            foreach (var name in cluster.Objects("members").Select(m => m.Str("name")!))
            {
                found.Add((name, await hosts.Executor(name).GetFileAsync(ConfigPath, ct)));
            }

            return found;
        }

        try
        {
            found.Add((null, File.Exists(ConfigPath) ? await File.ReadAllBytesAsync(ConfigPath, ct) : null));
        }
        catch (UnauthorizedAccessException)
        {
            found.Add((null, null));
        }

        return found;
    }

    private async Task RestoreConfigsAsync(List<(string? Member, byte[]? Content)> previous, CancellationToken ct)
    {
        var restored = new JsonArray();
        try
        {
            foreach (var (member, content) in previous.Where(p => p.Content is not null))
            {
                if (member is null)
                {
                    await new OwnedPaths(runner, osUser).WriteFileAsync(ConfigPath, System.Text.Encoding.UTF8.GetString(content!), PgBackRestConfig.FileMode, ct);
                }
                else
                {
                    await sshHosts!.Executor(member).PutFileAsync(ConfigPath, content!, osUser, osUser, PgBackRestConfig.FileMode, ct);
                }

                restored.Add((JsonNode?)(member ?? "local"));
            }

            context.Evidence.Check("pgbackrest_config_restored", true, new JsonObject { ["path"] = ConfigPath, ["members"] = restored });
        }
        catch (Exception ex) when (ex is HyopsException or IOException)
        {
            context.Evidence.Check("pgbackrest_config_restored", false, new JsonObject { ["path"] = ConfigPath, ["members"] = restored, ["error"] = ex.Message });
        }
    }

    private async Task WriteConfigAsync(Leader leader, CancellationToken ct)
    {
        if (sshHosts is not null)
        {
            await WriteConfigOnEveryMemberAsync(ct);
            return;
        }

        var paths = new OwnedPaths(runner, osUser);
        foreach (var dir in new[] { WorkDir, Path.Combine(WorkDir, "log"), Path.Combine(WorkDir, "lock"), Path.Combine(WorkDir, "spool") })
        {
            await paths.EnsureDirectoryAsync(dir, DirMode, ct);
        }

        var global = BackupRepositories.Options(repos);
        global["compress-type"] = CompressType;
        global["process-max"] = ProcessMax(Environment.ProcessorCount);
        global["log-path"] = Path.Combine(WorkDir, "log");
        global["lock-path"] = Path.Combine(WorkDir, "lock");
        global["spool-path"] = Path.Combine(WorkDir, "spool");
        global["start-fast"] = "y";
        AddArchiveQueue(global);
        var dataDir = targets.DataDir(leader.Name);
        var member = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pg1-path"] = dataDir,
            ["pg1-port"] = leader.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["pg1-socket-path"] = targets.SocketDir(leader.Name),
        };
        await paths.WriteFileAsync(ConfigPath, PgBackRestConfig.Render(global, stanza, member, Secrets), PgBackRestConfig.FileMode, ct);
        context.Evidence.Check("pgbackrest_config_written", true, new JsonObject
        {
            ["path"] = ConfigPath, ["pg1-path"] = dataDir, ["repo1-path"] = global.GetValueOrDefault("repo1-path"), ["owner"] = osUser, ["mode"] = "0600",
            ["credential_keys"] = Secrets.Select(s => s.KeyName).ToJsonArray(),
        });
        context.Evidence.WriteDocument("pgbackrest.conf.json", new JsonObject { ["text"] = PgBackRestConfig.Redacted(global, stanza, member, Secrets) });
    }

    /// <summary>
    /// SSH site: the same path on every member (so archive_command, set cluster-wide through Patroni, works
    /// on whichever member leads), each with its own pg1-path/socket/port; 0600, owned by the service user.
    /// </summary>
    private async Task WriteConfigOnEveryMemberAsync(CancellationToken ct)
    {
        var hosts = sshHosts!;
        var global = BackupRepositories.Options(repos);
        global["compress-type"] = CompressType;
        global["log-path"] = "/var/log/pgbackrest";
        global["lock-path"] = "/tmp/pgbackrest";
        global["spool-path"] = "/var/spool/pgbackrest";
        global["start-fast"] = "y";
        AddArchiveQueue(global);
        var written = new JsonArray();
        foreach (var m in cluster.Objects("members"))
        {
            var name = m.Str("name")!;
            var host = hosts.Executor(name);
            var nproc = await host.RunAsync(new Postgres.Hosts.HostCommand(["nproc"]), ct);
            global["process-max"] = ProcessMax(nproc.ExitCode == 0 && int.TryParse(nproc.StdOut.Trim(), System.Globalization.CultureInfo.InvariantCulture, out var cores) ? cores : 1);
            var member = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["pg1-path"] = targets.DataDir(name),
                ["pg1-port"] = (m.Int("port") ?? 5432).ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["pg1-socket-path"] = targets.SocketDir(name),
            };
            foreach (var (dir, owner, mode) in new[] { (Path.GetDirectoryName(ConfigPath)!, "root", "0750"), ("/var/log/pgbackrest", osUser, "0750"), ("/var/spool/pgbackrest", osUser, "0750") })
            {
                (await host.RunAsync(new Postgres.Hosts.HostCommand(["install", "-d", "-o", owner, "-g", osUser, "-m", mode, dir]) { RunAs = Postgres.Hosts.HostCommand.Root }, ct)).EnsureSuccess();
            }

            await host.PutFileAsync(ConfigPath, System.Text.Encoding.UTF8.GetBytes(PgBackRestConfig.Render(global, stanza, member, Secrets)), osUser, osUser, PgBackRestConfig.FileMode, ct);
            written.Add((JsonNode)new JsonObject { ["member"] = name, ["host"] = m.Str("host"), ["pg1-path"] = targets.DataDir(name) });
            context.Evidence.WriteDocument($"pgbackrest.conf.{name}.json", new JsonObject { ["text"] = PgBackRestConfig.Redacted(global, stanza, member, Secrets) });
        }

        context.Evidence.Check("pgbackrest_config_written", true, new JsonObject
        {
            ["path"] = ConfigPath, ["mode"] = "0600", ["owner"] = osUser, ["members"] = written, ["repo1-path"] = global.GetValueOrDefault("repo1-path"),
            ["credential_keys"] = Secrets.Select(s => s.KeyName).ToJsonArray(),
        });
    }

    private string CompressType => context.Inputs.String("compress_type") ?? "lz4";

    /// <summary>
    /// archive_push_queue_max (e.g. "1GiB"): asynchronous archiving with a bounded queue. While the store is
    /// down WAL waits in pg_wal; past the bound pgBackRest drops it from the queue (the primary stays up,
    /// the archive gets a hole, the next backup starts a new continuous range). Unset: no bound, WAL
    /// accumulates in pg_wal until the store answers.
    /// </summary>
    private void AddArchiveQueue(Dictionary<string, string> global)
    {
        if (context.Inputs.String("archive_push_queue_max") is { } max)
        {
            global["archive-async"] = "y";
            global["archive-push-queue-max"] = max;
        }
    }

    /// <summary>process_max, or the host's cores (at most 8) when it is 0.</summary>
    private string ProcessMax(int hostCores) => PgBackRestConfig.ProcessMax(context.Inputs.Values.Int("process_max"), hostCores);

    private async Task SetArchiveAsync(Leader leader, string archiveCommand, int? archiveTimeout, CancellationToken ct)
    {
        var parameters = new JsonObject { ["archive_command"] = archiveCommand, ["archive_timeout"] = archiveTimeout };
        await patroni.PatchConfigAsync(leader.ApiUrl, new JsonObject { ["postgresql"] = new JsonObject { ["parameters"] = parameters } }, ct);
        context.Evidence.Append("patroni_config_patch", new JsonObject { ["api_url"] = leader.ApiUrl, ["parameters"] = parameters.DeepClone() });

        // Patroni applies DCS parameter changes with a reload on its next loop; wait until the leader runs it.
        var start = context.Time.GetTimestamp();
        string observed;
        while ((observed = await LeaderScalarAsync(leader, "show archive_command", ct)) != archiveCommand)
        {
            if (context.Time.GetElapsedTime(start) > TimeSpan.FromSeconds(60))
            {
                context.Evidence.Check("archive_command_applied", false, new JsonObject { ["observed"] = observed, ["expected"] = archiveCommand }, DiagnosticCatalog.NotReady.Code);
                throw HyopsException.From(DiagnosticCatalog.NotReady, $"leader {leader.Name} still archives with '{observed}' 60 s after the Patroni config change");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300), context.Time, ct);
        }

        context.Evidence.Check("archive_command_applied", true, new JsonObject
        {
            ["leader"] = leader.Name, ["observed"] = observed, ["waited_ms"] = Math.Round(context.Time.GetElapsedTime(start).TotalMilliseconds),
        });
    }

    private async Task<Leader> LiveLeaderAsync(CancellationToken ct)
    {
        var apiUrls = cluster["patroni_api_urls"] is JsonArray a ? a.Select(n => n!.GetValue<string>()).ToList() : [];
        var (live, apiUsed) = await patroni.GetClusterFromAnyAsync(apiUrls, ct);
        var leaderName = live.Leaders.FirstOrDefault()?.Name
            ?? throw HyopsException.From(DiagnosticCatalog.NoWritable, "Patroni reports no leader");
        if (leaderName != cluster.Str("leader_name"))
        {
            context.Evidence.Note($"live Patroni leader is {leaderName}; the assessed state says {cluster.Str("leader_name")}: using the live leader");
        }

        var member = cluster.Objects("members").FirstOrDefault(m => m.Str("name") == leaderName)
            ?? throw HyopsException.From(DiagnosticCatalog.SourceMisconfigured, $"leader '{leaderName}' is not a member of the assessed cluster; re-run platform/onprem/postgresql-ha");
        var user = cluster.Str("db_user") ?? "postgres";
        var password = context.Secrets.Resolve(cluster.Str("db_password_env")!);
        // Like pgBackRest itself, the module talks to the leader on its host (the local executor): over
        // the unix socket when it is there, so a fenced cluster (TCP rejected) can still be drained and
        // backed up; over TCP otherwise.
        var socketDir = targets.SocketDir(leaderName);
        var host = sshHosts is null && Directory.Exists(socketDir) ? socketDir : member.Str("host")!;
        if (sshHosts is not null)
        {
            // pgbackrest and psql run on the leader's own host, through its executor.
            runner = new Postgres.Hosts.HostProcessRunner(sshHosts.Executor(leaderName));
        }

        var endpoint = new PgEndpoint(host, member.Int("port") ?? 5432, user, password);
        context.Evidence.Check("leader_resolved", true, new JsonObject { ["leader"] = leaderName, ["api_url"] = apiUsed, ["host"] = member.Str("host"), ["connect_via"] = host, ["port"] = endpoint.Port });
        return new Leader(leaderName, endpoint, member.Str("api_url") ?? apiUsed, endpoint.Port);
    }

    private sealed record Leader(string Name, PgEndpoint Endpoint, string ApiUrl, int Port);
}
