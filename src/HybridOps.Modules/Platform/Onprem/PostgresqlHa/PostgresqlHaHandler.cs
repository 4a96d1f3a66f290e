using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Core.State;
using HybridOps.Modules.Common;
using HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Patroni;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa;

/// <summary>
/// platform/onprem/postgresql-ha. apply_mode `assess` publishes the source cluster contract (read-only);
/// `restore` bootstraps a NEW Patroni cluster from a pgBackRest backup on the hosts of hosts_state_ref
/// and publishes the same contract plus restore provenance. `status` re-assesses live; `destroy`
/// retires an assessed contract (touching nothing) or stops a restored cluster's Patroni services (keeping data).
/// </summary>
public sealed partial class PostgresqlHaHandler(Func<PatroniClient> patroniFactory, IProcessRunner runner) : IModuleHandler
{
    public const string Ref = "platform/onprem/postgresql-ha";
    public const string InventoryContract = "onprem-inventory/v1";

    public string ModuleRef => Ref;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex ClusterNamePattern();

    [GeneratedRegex("^/[^\\s'\"%]*$")]
    private static partial Regex PlainPath();

    private static bool Reseeded(ModuleState? previous) =>
        previous?.Outputs["reseeded_from"] is JsonObject && previous.Outputs.Str("apply_mode") == "reseed";

    private static bool Restored(ModuleState? previous) => previous?.Outputs["restored_from"] is JsonObject || Reseeded(previous);

    public void Validate(ModuleContext context)
    {
        // Before the run: only a cluster restored at a drill marker is removed for good.
        if (context.Action == "destroy" && context.Inputs.Bool("drill_teardown") && context.Previous?.Outputs["drill"] is not JsonObject)
        {
            throw HyopsException.From(DiagnosticCatalog.DrillTeardownRefused,
                $"'{context.Previous?.Outputs.Str("cluster_name") ?? context.Inputs.String("cluster_name")}' was not restored at an isolated drill's marker; destroy it without drill_teardown (its data is kept)");
        }

        if (context.Action == "destroy" && Restored(context.Previous))
        {
            _ = DestroyTarget(context);
        }

        var mode = context.Inputs.String("apply_mode");
        if (!context.Spec.ApplyModes.Contains(mode ?? ""))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid,
                $"apply_mode '{mode}' is not supported (supported: {string.Join(", ", context.Spec.ApplyModes)})");
        }

        if (mode == "restore")
        {
            ValidateRestore(context);
            return;
        }

        if (mode == "reseed")
        {
            ValidateReseed(context);
            return;
        }

        var inventory = context.Inputs.State("inventory_state_ref")
            ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'inventory_state_ref' must reference the source cluster inventory");
        var version = inventory.Outputs.Str("contract_version");
        if (version != InventoryContract)
        {
            throw HyopsException.From(DiagnosticCatalog.StateContractVersion,
                $"inventory state '{inventory.ModuleRef}' has contract_version '{version ?? "none"}', this module reads '{InventoryContract}'");
        }
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        var reseeded = Reseeded(context.Previous);
        if (context.Action == "destroy")
        {
            return Restored(context.Previous) ? await DestroyRestoredAsync(context, cancellationToken) : RetireAssessed(context);
        }

        if (context.Action == "status" && reseeded)
        {
            return await ReassessReseededAsync(context, cancellationToken);
        }

        if (context.Action == "deploy" && context.Inputs.String("apply_mode") == "reseed")
        {
            context.Progress.Report($"reseeding a new on-prem Patroni cluster '{context.Inputs.String("cluster_name")}' from the fenced managed primary");
            return await new Reseed.ClusterReseed(context, patroniFactory(), runner).RunAsync(cancellationToken);
        }

        if (context.Action == "status" && Restored(context.Previous))
        {
            return await ReassessRestoredAsync(context, cancellationToken);
        }

        if (context.Action == "deploy" && context.Inputs.String("apply_mode") == "restore")
        {
            context.Progress.Report($"restoring a new Patroni cluster '{context.Inputs.String("cluster_name")}' from pgBackRest");
            return await new ClusterRestore(context, patroniFactory(), runner).RunAsync(cancellationToken);
        }

        context.Progress.Report("assessing Patroni cluster");
        var assessed = await new ClusterAssessment(patroniFactory(), context, context.Inputs.State("inventory_state_ref")!.Outputs).RunAsync(cancellationToken);
        return ModuleOutcome.Ok(assessed);
    }

    private static void ValidateRestore(ModuleContext context)
    {
        var name = context.Inputs.String("cluster_name") ?? "";
        if (!ClusterNamePattern().IsMatch(name))
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, $"cluster_name '{name}' is required for restore: the new Patroni scope, [a-z0-9][a-z0-9_-]*");
        }

        DrillRestore.Target(context);
        if (context.Inputs.String("data_root") is { } root && !PlainPath().IsMatch(root))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"data_root '{root}' must be an absolute path without spaces, quotes or '%'");
        }

        foreach (var key in new[] { "superuser_password_env", "replication_password_env" })
        {
            if (context.Inputs.String(key) is null)
            {
                throw HyopsException.From(DiagnosticCatalog.InputRequired, $"input '{key}' must name the env/vault key of the password");
            }
        }

        var hosts = context.Inputs.State("hosts_state_ref")
            ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'hosts_state_ref' must reference an org/gcp/dr-hosts or platform/onprem/inventory state");
        var hostsVersion = hosts.Outputs.Str("contract_version");
        if (hostsVersion is not (RestoreHosts.DrHostsContract or RestoreHosts.InventoryContract))
        {
            throw HyopsException.From(DiagnosticCatalog.HostsContractUnsupported, $"hosts_state_ref '{hosts.ModuleRef}' has contract_version '{hostsVersion ?? "none"}'");
        }

        var repo = RequireContract(context, "repo_state_ref", "object-repo/v1");
        if (repo["pgbackrest_options"] is not JsonObject { Count: > 0 })
        {
            throw HyopsException.From(DiagnosticCatalog.StateContractVersion, "repository state publishes no pgbackrest_options");
        }

        if (RequireContract(context, "backup_state_ref", "postgresql-ha-backup/v1").Str("stanza") is null)
        {
            throw HyopsException.From(DiagnosticCatalog.StateContractVersion, "backup state publishes no stanza");
        }

        DrillRestore.CheckIsolation(context, RestoreHosts.From(context, hosts));

        // The guard last among the no-I/O checks, and before anything exists: no dir, no process, no state.
        if (context.Action == "deploy" && context.Inputs.String("restore_confirm") != name)
        {
            throw HyopsException.From(DiagnosticCatalog.RestoreNotConfirmed,
                $"restore_confirm is '{context.Inputs.String("restore_confirm") ?? "(missing)"}'; it must be the new cluster name '{name}'");
        }
    }

    private static void ValidateReseed(ModuleContext context)
    {
        var name = context.Inputs.String("cluster_name") ?? "";
        if (!ClusterNamePattern().IsMatch(name))
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, $"cluster_name '{name}' is required for reseed: the new Patroni scope, [a-z0-9][a-z0-9_-]*");
        }

        foreach (var key in new[] { "superuser_password_env", "replication_password_env" })
        {
            if (context.Inputs.String(key) is null)
            {
                throw HyopsException.From(DiagnosticCatalog.InputRequired, $"input '{key}' must name the env/vault key of the password");
            }
        }

        if (context.Inputs.String("data_root") is { } root && !PlainPath().IsMatch(root))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"data_root '{root}' must be an absolute path without spaces, quotes or '%'");
        }

        var hosts = context.Inputs.State("hosts_state_ref")
            ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'hosts_state_ref' must reference the on-prem inventory (platform/onprem/inventory) to rebuild on");
        if (hosts.Outputs.Str("contract_version") is not (RestoreHosts.DrHostsContract or RestoreHosts.InventoryContract))
        {
            throw HyopsException.From(DiagnosticCatalog.HostsContractUnsupported, $"hosts_state_ref '{hosts.ModuleRef}' has contract_version '{hosts.Outputs.Str("contract_version") ?? "none"}'");
        }

        Reseed.ManagedSource.From(context);
        if (context.Action == "deploy" && context.Inputs.String("reseed_confirm") != name)
        {
            throw HyopsException.From(DiagnosticCatalog.ReseedConfirmRequired,
                $"reseed_confirm is '{context.Inputs.String("reseed_confirm") ?? "(missing)"}'; it must be the new cluster name '{name}'");
        }
    }

    /// <summary>Readiness of a reseeded cluster: every failure here is a readiness failure (exit 8), never a publication one.</summary>
    private async Task<ModuleOutcome> ReassessReseededAsync(ModuleContext context, CancellationToken ct)
    {
        context.Progress.Report("re-assessing the reseeded cluster (readiness)");
        var published = context.Previous!.Outputs;
        JsonObject outputs;
        try
        {
            outputs = await new ClusterAssessment(patroniFactory(), context, InventoryFromPublished(published)).RunAsync(ct);
        }
        catch (HyopsException ex) when (ex.Diagnostics[0].ExitCode != ExitCode.ReadinessFailure)
        {
            context.Evidence.Check("reseeded_cluster_ready", false, new JsonObject { ["cause"] = ex.Diagnostics[0].Code, ["error"] = ex.Diagnostics[0].Message }, DiagnosticCatalog.ReseedNotReady.Code);
            throw HyopsException.From(DiagnosticCatalog.ReseedNotReady, $"{ex.Diagnostics[0].Code}: {ex.Diagnostics[0].Message}");
        }

        var members = outputs.Objects("members").ToList();
        var running = members.All(m => m.Str("state") is "running" or "streaming");
        var streaming = outputs["replicas_streaming"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        var sameLineage = outputs.Str("system_identifier") == published.Str("system_identifier");
        var ok = running && streaming && sameLineage && members.Count == published.Objects("members").Count();
        context.Evidence.Check("reseeded_cluster_ready", ok, new JsonObject
        {
            ["members"] = members.Select(m => $"{m.Str("name")}:{m.Str("state")}").ToJsonArray(), ["replicas_streaming"] = streaming,
            ["system_identifier"] = outputs.Str("system_identifier"), ["published_system_identifier"] = published.Str("system_identifier"),
        }, ok ? null : DiagnosticCatalog.ReseedNotReady.Code);
        if (!ok)
        {
            throw HyopsException.From(DiagnosticCatalog.ReseedNotReady,
                $"members {string.Join(", ", members.Select(m => $"{m.Str("name")}={m.Str("state")}"))}, replicas streaming: {streaming}, same lineage: {sameLineage}");
        }

        foreach (var key in new[] { "apply_mode", "data_root", "hosts_source", "reseeded_from", "verification", "restore_started_at", "restore_finished_at", "restore_duration_s", "lineage" })
        {
            outputs[key] = published[key]?.DeepClone();
        }

        return ModuleOutcome.Ok(outputs);
    }

    /// <summary>
    /// status of a restored cluster: re-assessed (a cluster published at its leader may still be cloning
    /// replicas); with wait_replicas_s, waits until every replica streams; with lineage_backup_state_ref,
    /// publishes protected = every replica streaming and a backup of the new lineage in the repository.
    /// </summary>
    private async Task<ModuleOutcome> ReassessRestoredAsync(ModuleContext context, CancellationToken ct)
    {
        var published = context.Previous!.Outputs;
        var wait = TimeSpan.FromSeconds(context.Inputs.Values.Int("wait_replicas_s") ?? 0);
        var start = context.Time.GetTimestamp();
        var lastReport = start;
        context.Progress.Report(wait > TimeSpan.Zero ? $"waiting up to {wait.TotalSeconds:0} s for every replica of the restored cluster to stream" : "re-assessing the restored cluster");
        JsonObject outputs;
        bool Streaming(JsonObject o) => o["replicas_streaming"] is JsonValue v && v.TryGetValue<bool>(out var b) && b;
        while (true)
        {
            outputs = await new ClusterAssessment(patroniFactory(), context, InventoryFromPublished(published)) { ReplicasMayBeStarting = published.Str("publish_when") == "leader" }.RunAsync(ct);
            if (Streaming(outputs) || context.Time.GetElapsedTime(start) >= wait)
            {
                break;
            }

            if (context.Time.GetElapsedTime(lastReport) > TimeSpan.FromSeconds(10))
            {
                lastReport = context.Time.GetTimestamp();
                context.Progress.Report($"replicas: {string.Join(", ", outputs.Objects("members").Select(m => $"{m.Str("name")}={m.Str("state")}"))}");
            }

            await Task.Delay(TimeSpan.FromSeconds(1), context.Time, ct);
        }

        foreach (var key in ClusterRestore.ProvenanceKeys)
        {
            outputs[key] = published[key]?.DeepClone();
        }

        var streaming = Streaming(outputs);
        if (wait > TimeSpan.Zero)
        {
            context.Evidence.Check("replicas_streaming", streaming, new JsonObject
            {
                ["members"] = outputs.Objects("members").Select(m => $"{m.Str("name")}:{m.Str("state")}").ToJsonArray(), ["waited_s"] = Math.Round(context.Time.GetElapsedTime(start).TotalSeconds, 1),
            }, streaming ? null : DiagnosticCatalog.RestoreNotReady.Code);
            if (!streaming)
            {
                throw HyopsException.From(DiagnosticCatalog.RestoreNotReady,
                    $"replicas not all streaming after {wait.TotalSeconds:0} s: {string.Join(", ", outputs.Objects("members").Select(m => $"{m.Str("name")}={m.Str("state")}"))}");
            }
        }

        if (context.Inputs.State("lineage_backup_state_ref") is { } backup)
        {
            var label = backup.Outputs.Str("backup_label");
            var isProtected = streaming && label is not null && backup.Status == HybridOps.Core.State.StateStatus.Ok;
            context.Evidence.Check("protected", isProtected, new JsonObject
            {
                ["replicas_streaming"] = streaming, ["lineage_backup"] = label, ["backup_state"] = backup.ModuleRef + (backup.Instance is null ? "" : "#" + backup.Instance),
            });
            outputs["protected"] = isProtected;
        }
        else
        {
            outputs["protected"] = published["protected"]?.DeepClone();
        }

        return ModuleOutcome.Ok(outputs);
    }

    private static JsonObject RequireContract(ModuleContext context, string input, string version)
    {
        var state = context.Inputs.State(input) ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, $"input '{input}' must reference a published state");
        var actual = state.Outputs.Str("contract_version");
        return actual == version
            ? state.Outputs
            : throw HyopsException.From(DiagnosticCatalog.StateContractVersion, $"state '{state.ModuleRef}' ({input}) has contract_version '{actual ?? "none"}', this module reads '{version}'");
    }

    private static ModuleOutcome RetireAssessed(ModuleContext context)
    {
        context.Evidence.Note("destroy retires the published source contract; nothing on the cluster is changed");
        return ModuleOutcome.Destroyed();
    }

    /// <summary>
    /// The hosts a restored or reseeded cluster is destroyed on, with their ssh access: from the hosts contract
    /// (hosts_state_ref, else the one the restore recorded as hosts_source). A data_root that is not the
    /// restored one is refused.
    /// </summary>
    private static RestoreHosts DestroyTarget(ModuleContext context)
    {
        var published = context.Previous!.Outputs;
        var dataRoot = published.Str("data_root")!;
        var hostsState = context.Inputs.State("hosts_state_ref") ?? SitePaths.RecordedHosts(context, published);
        if (hostsState is null)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired,
                $"the hosts the cluster runs on are unknown (no state of '{published.Str("hosts_source") ?? "its hosts"}'): give hosts_state_ref, the hosts contract it was restored from");
        }

        var target = RestoreHosts.From(context, hostsState);
        return target.DataRoot == dataRoot
            ? target
            : throw HyopsException.From(DiagnosticCatalog.InputInvalid,
                $"the cluster was restored under {dataRoot} on the hosts of {hostsState.ModuleRef}, but they now resolve to {target.DataRoot}; give data_root: {dataRoot}");
    }

    private async Task<ModuleOutcome> DestroyRestoredAsync(ModuleContext context, CancellationToken ct)
    {
        var published = context.Previous!.Outputs;
        // Validate refused drill_teardown for a cluster not restored at a drill marker.
        var teardown = context.Inputs.Bool("drill_teardown");

        var target = DestroyTarget(context);
        await using var members = RestoreMembers.For(context, published.Str("cluster_name") ?? "");
        var stopped = await members.StopAsync(target.Hosts, ct);
        var left = new List<string>();
        foreach (var h in target.Hosts)
        {
            if (await members.RunningPostgresAsync(h, ct) is { } running)
            {
                left.Add($"{h.Name} ({running})");
            }
        }

        context.Evidence.Check("restored_cluster_stopped", left.Count == 0, new JsonObject { ["stopped"] = stopped.ToJsonArray(), ["postgres_left"] = left.ToJsonArray() });
        if (left.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.RestoreNotReady, $"PostgreSQL of {string.Join(", ", left)} is still running after destroy");
        }

        if (teardown)
        {
            await new DrillTeardown(context, runner).RunAsync(members, target, published.Str("cluster_name")!, ct);
            return ModuleOutcome.Destroyed();
        }

        context.Evidence.Note($"destroy stopped the restored cluster '{published.Str("cluster_name")}'; its data under {target.DataRoot} is kept (the DCS keys too)");
        return ModuleOutcome.Destroyed();
    }

    private static JsonObject InventoryFromPublished(JsonObject published) => new()
    {
        ["cluster_name"] = published.Str("cluster_name"),
        ["members"] = new JsonArray([.. published.Objects("members").Select(m => (JsonNode?)new JsonObject
        {
            ["name"] = m.Str("name"), ["host"] = m.Str("host"), ["pg_port"] = m.Int("port"), ["api_url"] = m.Str("api_url"),
        })]),
        ["superuser"] = published.Str("db_user"),
        ["superuser_password_env"] = published.Str("db_password_env"),
    };
}
