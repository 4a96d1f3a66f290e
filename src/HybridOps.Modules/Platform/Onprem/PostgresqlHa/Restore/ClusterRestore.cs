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
    private readonly RestoreTarget target = DrillRestore.Target(context);
    private readonly RestoreHosts hosts = RestoreHosts.From(context, context.Inputs.State("hosts_state_ref")!);
    private readonly JsonObject repo = context.Inputs.State("repo_state_ref")!.Outputs;
    private readonly string stanza = context.Inputs.State("backup_state_ref")!.Outputs.Str("stanza")!;
    private readonly string pgbackrest = context.Inputs.String("pgbackrest_bin") ?? "/usr/bin/pgbackrest";
    private readonly TimeSpan timeout = TimeSpan.FromSeconds(context.Inputs.Values.Int("restore_timeout_s") ?? 600);
    private readonly RestoreOwnership ownership = new(context, context.Inputs.String("cluster_name")!, "restore");

    // leader: the module ends (and the blueprint publishes) once the restored leader runs; the replicas,
    // already started, are awaited by a later status step (wait_replicas_s). replicas: it waits for them here.
    private readonly bool publishAtLeader = context.Inputs.String("publish_when") == "leader";

    /// <summary>Outputs of a restore that a re-assessment carries over from the published state.</summary>
    internal static readonly string[] ProvenanceKeys = ["apply_mode", "data_root", "hosts_source", "restored_from", "restore_started_at", "restore_finished_at", "restore_duration_s", "lineage", "publish_when", "drill"];


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

        await using var members = RestoreMembers.For(context, scope);

        // 0. A rerun after a later step failed (e.g. the publication): a completed restore with the same
        //    inputs whose cluster is healthy is kept, not redone. Never for a drill: each drill restores its own marker.
        if (ownership.PreviousRunCompleted && !DrillRestore.IsDrill(context) && await AdoptCompletedAsync(superuser, superuserEnv, ct) is { } adopted)
        {
            return ModuleOutcome.Ok(adopted);
        }

        // 1. Checks that change nothing.
        await RunAsync("etcdctl endpoint health", Etcdctl("endpoint", "health"), DiagnosticCatalog.DcsUnreachable, ct);
        var (backup, sourceSystemId) = await SelectBackupAsync(members, ct);
        var label = (string)backup["label"]!;

        // The processes of this module's own unfinished run are stopped before the DCS and member dirs are read.
        var facts = await StopOwnUnfinishedAsync(context, hosts, members, ownership, ct);
        var keys = (await RunAsync("etcdctl get scope keys", Etcdctl("get", "--prefix", "--keys-only", $"/service/{scope}/"), DiagnosticCatalog.DcsUnreachable, ct))
            .StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var owner = (await RunAsync("etcdctl get owner marker", Etcdctl("get", "--print-value-only", ownership.DcsKey), DiagnosticCatalog.DcsUnreachable, ct)).StdOut;
        var left = ownership.Classify(hosts.Hosts, facts, keys.Length, owner);
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
            await WipeAsync(members, [.. left.Own.Concat(left.Foreign)], keys.Length > 0, ct);
        }

        foreach (var h in hosts.Hosts)
        {
            if (RestoreHosts.PortsTaken(h))
            {
                throw HyopsException.From(DiagnosticCatalog.TargetPortInUse,
                    $"{h.Host}:{h.PgPort}/{h.ApiPort} ({h.Name}) is taken by a server that is not this cluster's Patroni service; stop it on the host first");
            }
        }

        // 3. Files: per host a pgbackrest.conf and a patroni.yml, owned by the database OS user.
        var etcdCa = hosts.DcsCaFile is { } caFile ? await File.ReadAllTextAsync(caFile, ct) : null;
        foreach (var h in hosts.Hosts)
        {
            // The owner marker first: whatever this run leaves in the member dir is recognisable as its own.
            await members.EnsureDirectoryAsync(h, hosts.DataRoot, Shared, ct);
            await members.EnsureDirectoryAsync(h, h.Dir, Shared, ct);
            await ownership.WriteMarkersAsync(members, [h], completed: false, ct);
            foreach (var (dir, mode) in new[] { (h.DataDir, Private), (h.SocketDir, Shared), (h.PgBackRestDir, Shared) })
            {
                await members.EnsureDirectoryAsync(h, dir, mode, ct);
            }

            await members.WriteFileAsync(h, h.PgBackRestConfig, PgBackRestConfigFor(h, await members.CoresAsync(h, ct)), PgBackRestConfig.FileMode, ct);
            var cli = $"{pgbackrest} --config={h.PgBackRestConfig} --stanza={stanza}";
            var yaml = RestorePatroniConfig.Render(new RestorePatroniConfig.Settings(scope, h, hosts.DcsEndpoints,
                context.Inputs.String("postgres_bin_dir") ?? "/usr/lib/postgresql/15/bin", superuser, replicationUser,
                $"{cli} --set={label} --log-level-console=info restore", $"{cli} archive-get %f \"%p\"", target.RecoverySettings())
            {
                ClientNetworks = hosts.ClientNetworks, DcsProtocol = hosts.DcsScheme, DcsCaFile = etcdCa is null ? null : h.EtcdCaFile,
            });
            if (etcdCa is not null)
            {
                await members.WriteFileAsync(h, h.EtcdCaFile, etcdCa, ConfigMode, ct);
            }

            await members.WriteFileAsync(h, h.PatroniConfig, yaml, ConfigMode, ct);
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
        var patroniBin = context.Inputs.String("patroni_bin") ?? "/usr/bin/patroni";
        await members.StartPatroniAsync(first, patroniBin, env, ct);
        await WaitAsync(members, [first], $"{first.Name} restored and leader", async () =>
        {
            var cluster = await TryAsync(() => patroni.GetClusterAsync(first.ApiUrl, ct));
            return cluster?.Leaders.FirstOrDefault() is { State: "running" } leader && leader.Name == first.Name;
        }, ct);
        context.Progress.Report($"{first.Name} is the running leader of {scope} after {Elapsed(t0)}");

        // 5. Replicas clone the new leader (pg_basebackup) and stream.
        foreach (var h in hosts.Hosts.Skip(1))
        {
            await members.StartPatroniAsync(h, patroniBin, env, ct);
        }

        var others = hosts.Hosts.Skip(1).Select(h => h.Name).ToHashSet(StringComparer.Ordinal);
        if (publishAtLeader)
        {
            context.Progress.Report($"publish_when leader: {first.Name} serves after {Elapsed(t0)}; {others.Count} replica(s) started and still being created");
        }
        else
        {
            await WaitReplicasAsync(members, first, others, t0, ct);
        }

        members.RecordRunning(hosts.Hosts);

        // 6. Assess the new cluster like any other and publish it with its provenance.
        var outputs = await new ClusterAssessment(patroni, context, InventoryOf(superuser, superuserEnv)) { ReplicasMayBeStarting = publishAtLeader }.RunAsync(ct);
        var finishedAt = context.Time.GetUtcNow();
        outputs["apply_mode"] = "restore";
        outputs["publish_when"] = publishAtLeader ? "leader" : "replicas";
        // The new lineage has no backup yet: a later status step (lineage_backup_state_ref) says when it is protected.
        outputs["protected"] = false;
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
        outputs["drill"] = DrillRestore.Provenance(context);
        outputs["lineage"] = new JsonObject
        {
            ["system_identifier"] = outputs["system_identifier"]?.DeepClone(), ["timeline"] = outputs["timeline"]?.DeepClone(),
            ["source_system_identifier"] = sourceSystemId, ["backup_label"] = label,
        };
        context.Evidence.Check("lineage", outputs.Str("system_identifier") == sourceSystemId, (JsonObject)outputs["lineage"]!.DeepClone());
        await ownership.WriteMarkersAsync(members, hosts.Hosts, completed: true, ct);
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
            outputs = await new ClusterAssessment(patroni, context, InventoryOf(superuser, superuserEnv)) { ReplicasMayBeStarting = publishAtLeader }.RunAsync(ct);
        }
        catch (HyopsException ex)
        {
            why = $"{ex.Diagnostics[0].Code}: {ex.Diagnostics[0].Message}";
        }

        var members = outputs?.Objects("members").ToList() ?? [];
        // Published at the leader, the replicas may still be cloning: the same lineage with a running leader and every member present is kept.
        var healthy = outputs is not null && outputs.Str("system_identifier") == published.Str("system_identifier") && members.Count == hosts.Hosts.Count
            && (publishAtLeader
                ? members.Any(m => m.Str("role") == "leader" && m.Str("state") == "running")
                : members.All(m => m.Str("state") is "running" or "streaming") && outputs["replicas_streaming"] is JsonValue v && v.TryGetValue<bool>(out var streaming) && streaming);
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

    private async Task WaitReplicasAsync(IRestoreMembers members, RestoreHost first, HashSet<string> others, long t0, CancellationToken ct)
    {
        await WaitAsync(members, hosts.Hosts, $"{others.Count} replica(s) streaming", async () =>
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
    }

    private async Task PutOwnerAsync(bool completed, CancellationToken ct) =>
        await RunAsync("etcdctl put owner marker", Etcdctl("put", ownership.DcsKey, ownership.Marker(completed).ToJson()), DiagnosticCatalog.DcsUnreachable, ct);

    /// <summary>
    /// Stops what an unfinished run of this module with the same inputs left running in the member dirs
    /// that carry its owner marker (nothing when there are none), so that the DCS keys and data dirs read
    /// afterwards no longer change under the rerun. Returns what each member dir held before.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, MemberDirFacts>> StopOwnUnfinishedAsync(ModuleContext context, RestoreHosts hosts, IRestoreMembers members,
        RestoreOwnership ownership, CancellationToken ct)
    {
        var facts = new Dictionary<string, MemberDirFacts>(StringComparer.Ordinal);
        foreach (var h in hosts.Hosts)
        {
            facts[h.Name] = await members.InspectAsync(h, ct);
        }

        var own = hosts.Hosts.Where(h => ownership.IsOwnUnfinished(facts[h.Name].Marker)).ToList();
        if (own.Count == 0)
        {
            return facts;
        }

        var stopped = await members.StopAsync(own, ct);
        context.Progress.Report($"stopped {stopped.Count} process(es) of the unfinished run {context.Previous?.RunId} before reading what it left");
        foreach (var h in own)
        {
            facts[h.Name] = await members.InspectAsync(h, ct);
        }

        return facts;
    }

    private async Task WipeAsync(IRestoreMembers members, IReadOnlyList<RestoreHost> targets, bool hasKeys, CancellationToken ct)
    {
        await members.StopAsync(hosts.Hosts, ct);
        foreach (var h in targets)
        {
            await members.DeleteContentsAsync(h, h.DataDir, ct);
            context.Evidence.Action("wipe data dir", ["rm", "-rf", h.DataDir + "/*"], 0, TimeSpan.Zero, new JsonObject { ["host"] = h.Name });
        }

        if (hasKeys)
        {
            await RunAsync("etcdctl del scope keys", Etcdctl("del", "--prefix", $"/service/{scope}/"), DiagnosticCatalog.DcsUnreachable, ct);
        }

        context.Progress.Report($"wiped {targets.Count} data dir(s){(hasKeys ? $" and the DCS keys of '{scope}'" : "")} (wipe_confirm given)");
    }

    private async Task<(JsonObject Backup, string? SourceSystemId)> SelectBackupAsync(IRestoreMembers members, CancellationToken ct)
    {
        // No config file yet (nothing is written before the checks): repository options on the command line
        // (the keys and the options pgBackRest refuses there in its environment), run where the restore will
        // read the repository: on the first member host.
        var args = new List<string> { pgbackrest, "--config=/dev/null", $"--stanza={stanza}", "--log-level-file=off", "--output=json" };
        args.AddRange(PgBackRestConfig.CommandLineSafe(RepoOptions()).Select(o => $"--{o.Key}={o.Value}"));
        args.Add("info");
        var info = await members.RunAsync(hosts.Hosts[0], args, RepoCredentials.Environment(repo, context.Secrets), TimeSpan.FromSeconds(120), ct);
        context.Evidence.Action("pgbackrest info", info.Argv, info.ExitCode, info.Duration, new JsonObject { ["host"] = hosts.Hosts[0].Name, ["stderr_tail"] = Trim(info.StdErr) });
        if (!info.Succeeded)
        {
            throw HyopsException.From(DiagnosticCatalog.RestoreCommandFailed, $"pgbackrest info on {hosts.Hosts[0].Name} exited {info.ExitCode}: {Trim(info.StdErr + info.StdOut)}");
        }

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

    private string PgBackRestConfigFor(RestoreHost h, int cores)
    {
        var global = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in RepoOptions())
        {
            global[k] = v;
        }

        // Parallel restore: restore_process_max, else the member host's cores, at most 8.
        global["process-max"] = PgBackRestConfig.ProcessMax(context.Inputs.Values.Int("restore_process_max"), cores);
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

    private Task WaitAsync(IRestoreMembers members, IReadOnlyList<RestoreHost> started, string what, Func<Task<bool>> condition, CancellationToken ct) =>
        PatroniWait.UntilAsync(context, members, started, timeout, DiagnosticCatalog.RestoreNotReady, what, condition, ct);

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
        new(context.Inputs.String("etcdctl_bin") ?? "/usr/bin/etcdctl", [.. hosts.EtcdctlOptions, "--command-timeout=5s", .. args],
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

    private string Elapsed(long start) => context.Time.GetElapsedTime(start).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s";

    private static string Trim(string s) => s.Length > 1500 ? s[^1500..].Trim() : s.Trim();
}
