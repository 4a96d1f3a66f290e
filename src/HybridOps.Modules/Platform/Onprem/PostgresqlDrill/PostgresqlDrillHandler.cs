using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrill;

/// <summary>
/// platform/onprem/postgresql-drill: the two ends of an isolated drill. apply_mode marker (on the
/// production leader: marker row, manifest and restore point under one short lock) publishes
/// postgresql-drill/v1; apply_mode verify (on the drill cluster only: writable, manifest, marker row,
/// pg_amcheck, timings). destroy retires the published record and touches nothing.
/// </summary>
public sealed class PostgresqlDrillHandler : IModuleHandler
{
    public const string Ref = "platform/onprem/postgresql-drill";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Action == "destroy")
        {
            return;
        }

        var mode = context.Inputs.String("apply_mode");
        if (!context.Spec.ApplyModes.Contains(mode ?? ""))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"apply_mode '{mode}' is not supported (supported: {string.Join(", ", context.Spec.ApplyModes)})");
        }

        if (mode == "verify")
        {
            Marker(context);
            HaClusterState.From(context.Inputs.State("drill_cluster_state_ref"), "drill_cluster_state_ref");
            return;
        }

        DrillInputs.From(context);
        var cluster = HaClusterState.From(context.Inputs.State("cluster_state_ref"), "cluster_state_ref");
        // The guard last among the checks, and before anything is touched on production.
        if (context.Action == "deploy" && context.Inputs.String("drill_confirm") != cluster.ClusterName)
        {
            throw HyopsException.From(DiagnosticCatalog.DrillNotConfirmed,
                $"drill_confirm is '{context.Inputs.String("drill_confirm") ?? "(missing)"}'; it must be the production cluster name '{cluster.ClusterName}'");
        }
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Action == "destroy")
        {
            context.Evidence.Note("destroy retires the drill record; the production cluster and any drill cluster are not touched");
            return ModuleOutcome.Destroyed();
        }

        if (context.Inputs.String("apply_mode") == "verify")
        {
            var drillState = context.Inputs.State("drill_cluster_state_ref")!;
            context.Progress.Report($"verifying the drill cluster '{drillState.Outputs.Str("cluster_name")}' against the marker");
            return await new DrillVerify(context, Marker(context), HaClusterState.From(drillState, "drill_cluster_state_ref"), drillState.Outputs).RunAsync(cancellationToken);
        }

        var inputs = DrillInputs.From(context);
        var cluster = HaClusterState.From(context.Inputs.State("cluster_state_ref"), "cluster_state_ref");
        context.Evidence.Guard("drill_confirm", true, new JsonObject
        {
            ["cluster_name"] = cluster.ClusterName, ["typed"] = context.Inputs.String("drill_confirm"), ["operator"] = Environment.UserName,
            ["at"] = context.Time.GetUtcNow().ToString("O"), ["run_id"] = context.RunId, ["lock"] = "EXCLUSIVE", ["lock_timeout_ms"] = inputs.LockTimeoutMs,
        });
        context.Progress.Report($"drill marker on {cluster.ClusterName} ({cluster.LeaderName}): restore point {inputs.RestorePoint}");
        return ModuleOutcome.Ok(await new DrillMarker(context, inputs, cluster).RunAsync(cancellationToken));
    }

    private static JsonObject Marker(ModuleContext context)
    {
        var state = context.Inputs.State("marker_state_ref");
        return state?.Outputs is { } o && o.Str("contract_version") == DrillRestore.MarkerContract && o.Str("apply_mode") == "marker"
            ? o
            : throw HyopsException.From(DiagnosticCatalog.DrillMarkerStateInvalid,
                $"marker_state_ref '{context.Inputs.String("marker_state_ref") ?? "(missing)"}' is not a postgresql-drill/v1 marker (contract '{state?.Outputs.Str("contract_version") ?? "none"}')");
    }
}
