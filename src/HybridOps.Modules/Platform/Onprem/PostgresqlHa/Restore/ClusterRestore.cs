using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.DrHosts;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.PgBackRest;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// apply_mode restore: a NEW Patroni cluster on the given hosts, bootstrapped from a pgBackRest
/// backup through Patroni's custom bootstrap. Order: every check that needs no change first (DCS
/// reachable, backup selected, existing data and DCS keys, wipe guard), then the deliberate wipe,
/// then files, then the first member (restore + recovery + promote), then the replicas.
/// </summary>
internal sealed class ClusterRestore(ModuleContext context, PatroniClient patroni, IProcessRunner runner)
{
    private const UnixFileMode Shared = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode ConfigMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    private readonly string scope = context.Inputs.String("cluster_name")!;
    private readonly RestoreTarget target = RestoreTarget.Parse(context.Inputs.String("restore_target"));
    private readonly RestoreHosts hosts = RestoreHosts.From(context, context.Inputs.State("hosts_state_ref")!);
    private readonly JsonObject repo = context.Inputs.State("repo_state_ref")!.Outputs;
    private readonly string stanza = context.Inputs.State("backup_state_ref")!.Outputs.Str("stanza")!;
    private readonly string pgbackrest = context.Inputs.String("pgbackrest_bin") ?? "/usr/bin/pgbackrest";
    private readonly TimeSpan timeout = TimeSpan.FromSeconds(context.Inputs.Values.Int("restore_timeout_s") ?? 600);
    private readonly RestoreOwnership ownership = new(context, context.Inputs.String("cluster_name")!, "restore");

    /// <summary>Outputs of a restore that a re-assessment carries over from the published state.</summary>
    internal static readonly string[] ProvenanceKeys = ["apply_mode", "data_root", "hosts_source", "restored_from", "restore_started_at", "restore_finished_at", "restore_duration_s", "lineage"];

    private string? RunAs => ProcessIdentity.ServiceUserOrNull(hosts.OsUser);

    private string EtcdUrls => string.Join(',', hosts.DcsEndpoints.Select(e => "http://" + e));

    public async Task<ModuleOutcome> RunAsync(CancellationToken ct)
    {
        var startedAt = context.Time.GetUtcNow();
        var t0 = context.Time.GetTimestamp();
        var superuser = context.Inputs.String("superuser") ?? "postgres";
        var replicationUser = context.Inputs.String("replication_user") ?? "replicator";
        var superuserEnv = context.Inputs.String("superuser_password_env")!;
        var superuserPassword = context.Secrets.Resolve(superuserEnv);
        var replicationPassword = context.Secrets.Resolve(context.Inputs.String("replication_password_env")!);
        context.Evidence.Guard("restore_confirm", true, new JsonObject
        {
            ["cluster_name"] = scope, ["typed"] = context.Inputs.String("restore_confirm"), ["operator"] = Environment.UserName,
            ["at"] = startedAt.ToString("O"), ["run_id"] = context.RunId, ["hosts"] = hosts.Hosts.Select(h => $"{h.Name}={h.Host}").ToJsonArray(),
        });

        // 0. A rerun after a later step failed (e.g. the publication): a completed restore with the same
        //    inputs whose cluster is healthy is kept, not redone.
        if (ownership.PreviousRunCompleted && await AdoptCompletedAsync(superuser, superuserEnv, ct) is { } adopted)
        {
            return ModuleOutcome.Ok(adopted);
        }

        // 1. Checks that change nothing.
        await RunAsync("etcdctl endpoint health", Etcdctl("endpoint", "health"), DiagnosticCatalog.DcsUnreachable, ct);
        var (backup, sourceSystemId) = await SelectBackupAsync(ct);
        var label = (string)backup["label"]!;

        // The processes of this module's own unfinished run are stopped before the DCS and member dirs are read.
        await StopOwnUnfinishedAsync(context, hosts, ownership, ct);
        var keys = (await RunAsync("etcdctl get scope keys", Etcdctl("get", "--prefix", "--keys-only", $"/service/{scope}/"), DiagnosticCatalog.DcsUnreachable, ct))
            .StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var owner = (await RunAsync("etcdctl get owner marker", Etcdctl("get", "--print-value-only", ownership.DcsKey), DiagnosticCatalog.DcsUnreachable, ct)).StdOut;
        var left = ownership.Classify(hosts.Hosts, keys.Length, owner);
        var foreign = left.Foreign.Select(h => h.DataDir).ToList();
        context.Evidence.Check("target_is_empty", !left.AnyOwn && !left.AnyForeign, new JsonObject
        {
            ["non_empty_data_dirs"] = foreign.ToJsonArray(), ["dcs_keys"] = left.ForeignKeys, ["scope"] = scope,
            ["own_unfinished_data_dirs"] = left.Own.Select(h => h.DataDir).ToJsonArray(), ["own_unfinished_dcs_keys"] = left.OwnKeys,
        });

        // 2. A rebuild over data this module did not leave unfinished is deliberate: typed wipe_confirm, recorded as a guard.
        if (left.AnyForeign)
        {
            var typed = context.Inputs.String("wipe_confirm");
            context.Evidence.Guard("wipe_confirm", typed == scope, new JsonObject
            {
                ["expected"] = scope, ["typed"] = typed, ["data_dirs"] = foreign.ToJsonArray(), ["dcs_keys"] = left.ForeignKeys,
            });
            if (typed != scope)
            {
                throw HyopsException.From(DiagnosticCatalog.WipeNotConfirmed,
                    $"{(foreign.Count > 0 ? $"data dirs {string.Join(", ", foreign)} are not empty" : "")}{(foreign.Count > 0 && left.ForeignKeys > 0 ? " and " : "")}{(left.ForeignKeys > 0 ? $"the DCS holds {left.ForeignKeys} key(s) of scope '{scope}'" : "")}; wipe_confirm must be '{scope}'");
            }
        }

        // An interrupted run of this module with the same inputs is redone cleanly: its processes stopped, its data and keys removed.
        if (left.AnyOwn)
        {
            context.Progress.Report($"redoing the unfinished run {context.Previous?.RunId} of this restore (same inputs): {left.Own.Count} member dir(s), {left.OwnKeys} DCS key(s) of its own");
        }

        if (left.AnyOwn || left.AnyForeign)
        {
            await WipeAsync([.. left.Own.Concat(left.Foreign).Select(h => h.DataDir)], keys.Length > 0, ct);
        }

        foreach (var h in hosts.Hosts)
        {
            if (SiteProbe.PortInUse(h.Host, h.PgPort) || SiteProbe.PortInUse(h.Host, h.ApiPort))
            {
                throw HyopsException.From(DiagnosticCatalog.TargetPortInUse, $"{h.Host}:{h.PgPort}/{h.ApiPort} ({h.Name}) is taken by a process not registered in {hosts.Registry}");
            }
        }

        // 3. Files: per host a pgbackrest.conf and a patroni.yml, owned by the database OS user.
        var paths = new OwnedPaths(runner, hosts.OsUser);
        await paths.EnsureDirectoryAsync(hosts.DataRoot, Shared, ct);
        foreach (var h in hosts.Hosts)
        {
            // The owner marker first: whatever this run leaves in the member dir is recognisable as its own.
            await paths.EnsureDirectoryAsync(h.Dir, Shared, ct);
            await ownership.WriteMarkersAsync(paths, [h], completed: false, ct);
            foreach (var (dir, mode) in new[] { (h.DataDir, Private), (h.SocketDir, Shared), (h.PgBackRestDir, Shared) })
            {
                await paths.EnsureDirectoryAsync(dir, mode, ct);
            }

            await paths.WriteFileAsync(h.PgBackRestConfig, PgBackRestConfigFor(h), PgBackRestConfig.FileMode, ct);
            var cli = $"{pgbackrest} --config={h.PgBackRestConfig} --stanza={stanza}";
            var yaml = RestorePatroniConfig.Render(new RestorePatroniConfig.Settings(scope, h, hosts.DcsEndpoints,
                context.Inputs.String("postgres_bin_dir") ?? "/usr/lib/postgresql/15/bin", superuser, replicationUser,
                $"{cli} --set={label} --log-level-console=info restore", $"{cli} archive-get %f \"%p\"", target.RecoverySettings()));
            await paths.WriteFileAsync(h.PatroniConfig, yaml, ConfigMode, ct);
            context.Evidence.WriteDocument($"patroni-{h.Name}.yml.json", new JsonObject { ["path"] = h.PatroniConfig, ["text"] = yaml });
        }

        context.Evidence.Check("target_files_written", true, new JsonObject { ["data_root"] = hosts.DataRoot, ["hosts"] = hosts.Hosts.Count, ["backup_label"] = label });

        // 4. First member: Patroni runs `pgbackrest restore`, recovery (archive-get), promote, then takes the leader key.
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATRONI_SUPERUSER_USERNAME"] = superuser,
            ["PATRONI_SUPERUSER_PASSWORD"] = superuserPassword,
            ["PATRONI_REPLICATION_USERNAME"] = replicationUser,
            ["PATRONI_REPLICATION_PASSWORD"] = replicationPassword,
        };
        var first = hosts.Hosts[0];
        await PutOwnerAsync(completed: false, ct);
        await StartPatroniAsync(first, env, ct);
        await WaitAsync($"{first.Name} restored and leader", async () =>
        {
            var cluster = await TryAsync(() => patroni.GetClusterAsync(first.ApiUrl, ct));
            return cluster?.Leaders.FirstOrDefault() is { State: "running" } leader && leader.Name == first.Name;
        }, ct);
        context.Progress.Report($"{first.Name} is the running leader of {scope} after {Elapsed(t0)}");

        // 5. Replicas clone the new leader (pg_basebackup) and stream.
        foreach (var h in hosts.Hosts.Skip(1))
        {
            await StartPatroniAsync(h, env, ct);
        }

        var others = hosts.Hosts.Skip(1).Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        await WaitAsync($"{others.Count} replica(s) streaming", async () =>
        {
            var status = await TryAsync(() => patroni.GetStatusAsync(first.ApiUrl, ct));
            var streaming = (status?["replication"] as JsonArray ?? []).OfType<JsonObject>()
                .Where(r => r.Str("state") == "streaming").Select(r => r.Str("application_name")).ToHashSet(StringComparer.Ordinal);
            if (!others.All(streaming.Contains))
            {
                return false;
            }

            // The DCS view lags the servers by up to one loop_wait: wait until every member reports running there too.
            var cluster = await TryAsync(() => patroni.GetClusterAsync(first.ApiUrl, ct));
            return cluster is not null && hosts.Hosts.All(h => cluster.Members.Any(m => m.Name == h.Name && m.State is "running" or "streaming"));
        }, ct);
        context.Progress.Report($"{others.Count} replica(s) streaming after {Elapsed(t0)}");

        foreach (var h in hosts.Hosts)
        {
            if (ReadPostmasterPid(h) is { } pid)
            {
                ProcessRegistry.Register(hosts.Registry, new RegisteredProcess($"postgres-{h.Name}", pid, h.DataDir));
            }
        }

        // 6. Assess the new cluster like any other and publish it with its provenance.
        var outputs = await new ClusterAssessment(patroni, context, InventoryOf(superuser, superuserEnv)).RunAsync(ct);
        var finishedAt = context.Time.GetUtcNow();
        outputs["apply_mode"] = "restore";
        outputs["data_root"] = hosts.DataRoot;
        outputs["hosts_source"] = hosts.Source;
        outputs["restored_from"] = new JsonObject
        {
            ["stanza"] = stanza, ["repo_uri"] = repo.Str("repo_uri"), ["backup_label"] = label, ["restore_target"] = target.ToString(),
            ["source_system_identifier"] = sourceSystemId,
        };
        outputs["restore_started_at"] = startedAt.ToString("O");
        outputs["restore_finished_at"] = finishedAt.ToString("O");
        outputs["restore_duration_s"] = Math.Round((finishedAt - startedAt).TotalSeconds, 1);
        outputs["lineage"] = new JsonObject
        {
            ["system_identifier"] = outputs["system_identifier"]?.DeepClone(), ["timeline"] = outputs["timeline"]?.DeepClone(),
            ["source_system_identifier"] = sourceSystemId, ["backup_label"] = label,
        };
        context.Evidence.Check("lineage", outputs.Str("system_identifier") == sourceSystemId, (JsonObject)outputs["lineage"]!.DeepClone());
        await ownership.WriteMarkersAsync(paths, hosts.Hosts, completed: true, ct);
        await PutOwnerAsync(completed: true, ct);
        return ModuleOutcome.Ok(outputs);
    }

    /// <summary>
    /// The cluster of the completed previous run, re-assessed: kept when it is the same lineage (system
    /// identifier) with every member running and the replicas streaming; null (redo under the usual guards) otherwise.
    /// </summary>
    private async Task<JsonObject?> AdoptCompletedAsync(string superuser, string superuserEnv, CancellationToken ct)
    {
        var published = context.Previous!.Outputs;
        JsonObject? outputs = null;
        string? why = null;
        try
        {
            outputs = await new ClusterAssessment(patroni, context, InventoryOf(superuser, superuserEnv)).RunAsync(ct);
        }
        catch (HyopsException ex)
        {
            why = $"{ex.Diagnostics[0].Code}: {ex.Diagnostics[0].Message}";
        }

        var members = outputs?.Objects("members").ToList() ?? [];
        var healthy = outputs is not null && outputs.Str("system_identifier") == published.Str("system_identifier")
            && members.Count == hosts.Hosts.Count && members.All(m => m.Str("state") is "running" or "streaming")
            && outputs["replicas_streaming"] is JsonValue v && v.TryGetValue<bool>(out var streaming) && streaming;
        context.Evidence.Check("completed_restore_kept", healthy, new JsonObject
        {
            ["previous_run_id"] = context.Previous.RunId, ["system_identifier"] = outputs?.Str("system_identifier"),
            ["published_system_identifier"] = published.Str("system_identifier"), ["members"] = members.Select(m => $"{m.Str("name")}:{m.Str("state")}").ToJsonArray(), ["error"] = why,
        });
        if (!healthy)
        {
            return null;
        }

        foreach (var key in ProvenanceKeys)
        {
            outputs![key] = published[key]?.DeepClone();
        }

        context.Progress.Report($"restore of '{scope}' already completed by run {context.Previous.RunId} with the same inputs and the cluster is healthy: kept, not redone");
        return outputs;
    }

    private async Task PutOwnerAsync(bool completed, CancellationToken ct) =>
        await RunAsync("etcdctl put owner marker", Etcdctl("put", ownership.DcsKey, ownership.Marker(completed).ToJson()), DiagnosticCatalog.DcsUnreachable, ct);

    /// <summary>Stops this cluster's registered processes on <paramref name="targets"/> (destroy, wipe). Data stays.</summary>
    /// <summary>
    /// Stops what an unfinished run of this module with the same inputs left running in the member dirs
    /// that carry its owner marker (nothing when there are none), so that the DCS keys and data dirs read
    /// afterwards no longer change under the rerun.
    /// </summary>
    public static async Task StopOwnUnfinishedAsync(ModuleContext context, RestoreHosts hosts, RestoreOwnership ownership, CancellationToken ct)
    {
        var own = hosts.Hosts.Where(h => ownership.IsOwnUnfinished(OwnerMarker.ReadFrom(h))).ToList();
        if (own.Count > 0)
        {
            var stopped = await StopAsync(context, hosts, own, ct);
            context.Progress.Report($"stopped {stopped.Count} process(es) of the unfinished run {context.Previous?.RunId} before reading what it left");
        }
    }

    public static async Task<IReadOnlyList<RegisteredProcess>> StopAsync(ModuleContext context, RestoreHosts hosts, IEnumerable<RestoreHost> targets, CancellationToken ct)
    {
        var dirs = targets.Select(h => h.Dir + Path.DirectorySeparatorChar).ToList();
        bool Ours(RegisteredProcess p) => dirs.Any(d => p.Marker.StartsWith(d, StringComparison.Ordinal) || p.Marker + Path.DirectorySeparatorChar == d);
        var stopped = await ProcessRegistry.StopAsync(hosts.Registry, Ours, context.Time, ct);
        foreach (var p in stopped)
        {
            context.Evidence.Action($"stop {p.Name}", ["kill", "-TERM", p.Pid.ToString(CultureInfo.InvariantCulture)], 0, TimeSpan.Zero, new JsonObject { ["marker"] = p.Marker });
        }

        foreach (var h in targets)
        {
            // A postmaster whose Patroni was killed outlives it: fast shutdown by its own pid file, argv checked.
            if (ReadPostmasterPid(h) is { } pid && ProcessControl.CommandLineContains(pid, h.DataDir))
            {
                await ProcessControl.TerminateAsync(pid, UnixSignal.Interrupt, TimeSpan.FromSeconds(20), context.Time, ct);
                context.Evidence.Action($"stop postgres {h.Name}", ["kill", "-INT", pid.ToString(CultureInfo.InvariantCulture)], 0, TimeSpan.Zero);
            }
        }

        ProcessRegistry.Unregister(hosts.Registry, p => Ours(p) && !p.IsAlive);
        return stopped;
    }

    private async Task WipeAsync(IReadOnlyList<string> dataDirs, bool hasKeys, CancellationToken ct)
    {
        await StopAsync(context, hosts, hosts.Hosts, ct);
        foreach (var dir in dataDirs)
        {
            DirectoryContents.Delete(dir);

            context.Evidence.Action("wipe data dir", ["rm", "-rf", dir + "/*"], 0, TimeSpan.Zero);
        }

        if (hasKeys)
        {
            await RunAsync("etcdctl del scope keys", Etcdctl("del", "--prefix", $"/service/{scope}/"), DiagnosticCatalog.DcsUnreachable, ct);
        }

        context.Progress.Report($"wiped {dataDirs.Count} data dir(s){(hasKeys ? $" and the DCS keys of '{scope}'" : "")} (wipe_confirm given)");
    }

    private async Task<(JsonObject Backup, string? SourceSystemId)> SelectBackupAsync(CancellationToken ct)
    {
        // No config file yet (nothing is written before the checks): repository options on the command line.
        var args = new List<string> { "--config=/dev/null", $"--stanza={stanza}", "--log-level-file=off", "--output=json" };
        args.AddRange(PgBackRestConfig.CommandLineSafe(RepoOptions()).Select(o => $"--{o.Key}={o.Value}"));
        args.Add("info");
        var info = await RunAsync("pgbackrest info", new ProcessSpec(pgbackrest, args, WorkingDirectory: "/", Environment: RepoCredentials.Environment(repo, context.Secrets), RunAsUser: RunAs, Timeout: TimeSpan.FromSeconds(120)),
            DiagnosticCatalog.RestoreCommandFailed, ct);
        var stanzaNode = (JsonNode.Parse(info.StdOut) as JsonArray)?.OfType<JsonObject>().FirstOrDefault(s => s.Str("name") == stanza);
        var backups = (stanzaNode?["backup"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var chosen = target.SelectBackup(backups);
        context.Evidence.Check("backup_selected", chosen is not null, new JsonObject
        {
            ["restore_target"] = target.ToString(), ["available"] = backups.Select(b => b.Str("label")!).ToJsonArray(), ["chosen"] = chosen?.Str("label"),
        }, chosen is null ? DiagnosticCatalog.BackupNotFound.Code : null);
        if (chosen is null)
        {
            throw HyopsException.From(DiagnosticCatalog.BackupNotFound,
                $"stanza '{stanza}' in {repo.Str("repo_uri")} has no backup for restore_target {target} (backups: {(backups.Count == 0 ? "none" : string.Join(", ", backups.Select(b => b.Str("label"))))})");
        }

        var dbId = chosen["database"].Int("id");
        var db = (stanzaNode?["db"] as JsonArray ?? []).OfType<JsonObject>().FirstOrDefault(d => d.Int("id") == dbId);
        return (chosen, db?["system-id"]?.ToString());
    }

    private IEnumerable<KeyValuePair<string, string>> RepoOptions() =>
        (repo["pgbackrest_options"] as JsonObject ?? []).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!.GetValue<string>()));

    private string PgBackRestConfigFor(RestoreHost h)
    {
        var global = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in RepoOptions())
        {
            global[k] = v;
        }

        // Parallel restore: restore_process_max, else this machine's cores (the local provider's hosts run here), at most 8.
        global["process-max"] = PgBackRestConfig.ProcessMax(context.Inputs.Values.Int("restore_process_max"), Environment.ProcessorCount);
        global["log-path"] = h.PgBackRestDir;
        global["lock-path"] = h.PgBackRestDir;
        global["spool-path"] = h.PgBackRestDir;
        var member = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["pg1-path"] = h.DataDir,
            ["pg1-port"] = h.PgPort.ToString(CultureInfo.InvariantCulture),
            ["pg1-socket-path"] = h.SocketDir,
        };
        // The repository key goes into this 0600 file: archive-get (restore_command) on the restored member reads it.
        var text = PgBackRestConfig.Render(global, stanza, member, RepoCredentials.ConfigSecrets(repo, context.Secrets));
        return "# Written by hyops (platform/onprem/postgresql-ha apply_mode restore)." + text[text.IndexOf('\n', StringComparison.Ordinal)..];
    }

    private async Task StartPatroniAsync(RestoreHost h, Dictionary<string, string> env, CancellationToken ct)
    {
        var spec = new ProcessSpec(context.Inputs.String("patroni_bin") ?? "/usr/bin/patroni", [h.PatroniConfig], h.Dir, env, RunAs);
        var pid = await runner.StartDetachedAsync(spec, h.PatroniLog, ct);
        ProcessRegistry.Register(hosts.Registry, new RegisteredProcess($"patroni-{h.Name}", pid, h.PatroniConfig));
        context.Evidence.Action($"start patroni {h.Name}", [spec.FileName, .. spec.Arguments], 0, TimeSpan.Zero,
            new JsonObject { ["pid"] = pid, ["log"] = h.PatroniLog, ["run_as"] = hosts.OsUser, ["registry"] = hosts.Registry, ["env_keys"] = env.Keys.ToJsonArray() });
        context.Progress.Report($"started patroni {h.Name} on {h.Host} (pid {pid})");
    }

    private Task WaitAsync(string what, Func<Task<bool>> condition, CancellationToken ct) =>
        PatroniWait.UntilAsync(context, hosts, timeout, DiagnosticCatalog.RestoreNotReady, what, condition, ct);

    private JsonObject InventoryOf(string superuser, string superuserEnv) => new()
    {
        ["cluster_name"] = scope,
        ["members"] = new JsonArray([.. hosts.Hosts.Select(h => (JsonNode?)new JsonObject
        {
            ["name"] = h.Name, ["host"] = h.Host, ["pg_port"] = h.PgPort, ["api_url"] = h.ApiUrl,
        })]),
        ["superuser"] = superuser,
        ["superuser_password_env"] = superuserEnv,
    };

    private ProcessSpec Etcdctl(params string[] args) =>
        new(context.Inputs.String("etcdctl_bin") ?? "/usr/bin/etcdctl", [$"--endpoints={EtcdUrls}", "--command-timeout=5s", .. args],
            Environment: new Dictionary<string, string> { ["ETCDCTL_API"] = "3" }, Timeout: TimeSpan.FromSeconds(20));

    private async Task<ProcessResult> RunAsync(string name, ProcessSpec spec, DiagnosticDescriptor onFailure, CancellationToken ct)
    {
        var result = await runner.RunAsync(spec, ct);
        context.Evidence.Action(name, result.Argv, result.ExitCode, result.Duration, new JsonObject { ["stderr_tail"] = Trim(result.StdErr) });
        return result.Succeeded
            ? result
            : throw HyopsException.From(onFailure, $"{name} exited {result.ExitCode}: {Trim(result.StdErr + result.StdOut)}");
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> call)
        where T : class
    {
        try
        {
            return await call();
        }
        catch (HyopsException)
        {
            return null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    internal static int? ReadPostmasterPid(RestoreHost h)
    {
        try
        {
            var file = Path.Combine(h.DataDir, "postmaster.pid");
            return File.Exists(file) && int.TryParse(File.ReadLines(file).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private string Elapsed(long start) => context.Time.GetElapsedTime(start).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";

    private static string Trim(string s) => s.Length > 1500 ? s[^1500..].Trim() : s.Trim();
}
