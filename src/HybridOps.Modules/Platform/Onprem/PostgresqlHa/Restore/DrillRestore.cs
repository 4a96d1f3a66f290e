using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// A restore at an isolated drill's marker (input restore_point_state_ref, a postgresql-drill/v1
/// marker): the target is the marker's restore point, the scope must not be the production cluster's
/// and no drill host may be a production member. Such a restore is published as a drill cluster
/// (output <c>drill</c>), is never adopted by a rerun, and is the only kind destroy may remove for good (drill_teardown).
/// </summary>
internal static class DrillRestore
{
    public const string MarkerContract = "postgresql-drill/v1";

    public static bool IsDrill(ModuleContext context) => context.Inputs.String("restore_point_state_ref") is not null;

    /// <summary>The restore target: the marker's restore point for a drill, else restore_target as given.</summary>
    public static RestoreTarget Target(ModuleContext context)
    {
        if (!IsDrill(context))
        {
            return RestoreTarget.Parse(context.Inputs.String("restore_target"));
        }

        var marker = Marker(context);
        var madeAt = DateTimeOffset.TryParse(marker.Str("created_at"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) ? t : (DateTimeOffset?)null;
        var target = RestoreTarget.Named(marker.Str("restore_point"), madeAt);
        var given = context.Inputs.String("restore_target");
        if (given is not (null or "latest" or "name") && given != target.ToString())
        {
            throw HyopsException.From(DiagnosticCatalog.DrillInputInvalid,
                $"restore_target '{given}' conflicts with restore_point_state_ref (restore point '{target.Label}'); leave restore_target as 'name'");
        }

        return target;
    }

    /// <summary>Refuses a drill restore whose scope or hosts are production's (no I/O: state only).</summary>
    public static void CheckIsolation(ModuleContext context, RestoreHosts hosts)
    {
        if (!IsDrill(context))
        {
            return;
        }

        var marker = Marker(context);
        var scope = context.Inputs.String("cluster_name");
        if (scope == marker.Str("source_cluster_name"))
        {
            throw HyopsException.From(DiagnosticCatalog.DrillTargetCollides,
                $"cluster_name '{scope}' is the production cluster's name; a drill restores under its own scope (e.g. '{scope}-drill')");
        }

        var production = (marker["source_members"] as JsonArray ?? []).Select(n => n?.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
        var shared = hosts.Hosts.Where(h => production.Contains(h.Host)).Select(h => $"{h.Name} ({h.Host})").ToList();
        if (shared.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.DrillTargetCollides,
                $"drill host(s) {string.Join(", ", shared)} are members of the production cluster '{marker.Str("source_cluster_name")}'");
        }
    }

    /// <summary>The output <c>drill</c> of a drill restore; null otherwise.</summary>
    public static JsonObject? Provenance(ModuleContext context)
    {
        if (!IsDrill(context))
        {
            return null;
        }

        var state = context.Inputs.State("restore_point_state_ref")!;
        var marker = state.Outputs;
        return new JsonObject
        {
            ["marker_state"] = state.ModuleRef + (state.Instance is null ? "" : "#" + state.Instance), ["marker_run_id"] = state.RunId,
            ["restore_point"] = marker.Str("restore_point"), ["restore_point_lsn"] = marker.Str("restore_point_lsn"),
            ["source_cluster_name"] = marker.Str("source_cluster_name"),
        };
    }

    private static JsonObject Marker(ModuleContext context)
    {
        var state = context.Inputs.State("restore_point_state_ref");
        return state?.Outputs is { } o && o.Str("contract_version") == MarkerContract && o.Str("apply_mode") == "marker" && o.Str("restore_point") is not null
            ? o
            : throw HyopsException.From(DiagnosticCatalog.DrillMarkerStateInvalid,
                $"restore_point_state_ref '{context.Inputs.String("restore_point_state_ref")}' has contract_version '{state?.Outputs.Str("contract_version") ?? "none"}' and restore point '{state?.Outputs.Str("restore_point") ?? "none"}'");
    }
}
