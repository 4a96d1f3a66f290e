using System.Text.Json.Nodes;
using HybridOps.Core.Contracts;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Drill;
using HybridOps.Core.State;

namespace HybridOps.Cli.Drill;

/// <summary>
/// The steps an isolated drill blueprint must have, found by what they do (after --inputs): the
/// marker (apply_mode marker), the drill restore (apply_mode restore), the verification (apply_mode
/// verify) and the teardown (destroy with drill_teardown: true). A blueprint of mode drill without them is HYO7402.
/// </summary>
public sealed record IsolatedDrillSteps(IReadOnlyList<BlueprintStep> All, BlueprintStep Marker, JsonObject MarkerInputs, BlueprintStep Restore, BlueprintStep Verify, BlueprintStep Teardown, JsonObject TeardownInputs)
{
    public static IsolatedDrillSteps Of(BlueprintSpec blueprint, JsonObject? overrides)
    {
        ArgumentNullException.ThrowIfNull(blueprint);
        var steps = blueprint.Steps.Select(s => (Step: s, Inputs: s.InputsWith(overrides))).ToList();
        (BlueprintStep, JsonObject) Find(string what, Func<BlueprintStep, JsonObject, bool> match) =>
            steps.FirstOrDefault(s => match(s.Step, s.Inputs)) is { Step: not null } f
                ? (f.Step, f.Inputs)
                : throw HyopsException.From(DiagnosticCatalog.DrillInputInvalid, $"blueprint {blueprint.BlueprintRef} (mode drill) has no {what} step");
        static string? Mode(JsonObject i) => i["apply_mode"]?.ToString();
        var (marker, markerInputs) = Find("marker", (s, i) => s.Action == "deploy" && Mode(i) == "marker");
        var (restore, _) = Find("restore", (s, i) => s.Action == "deploy" && Mode(i) == "restore");
        var (verify, _) = Find("verify", (s, i) => s.Action == "deploy" && Mode(i) == "verify");
        var (teardown, teardownInputs) = Find("teardown (destroy with drill_teardown: true)", (s, i) => s.Action == "destroy" && i["drill_teardown"] is JsonValue v && v.TryGetValue<bool>(out var p) && p);
        return new IsolatedDrillSteps([.. blueprint.Steps], marker, markerInputs, restore, verify, teardown, teardownInputs);
    }

    /// <summary>True for the state files (and their history copies) of the drill's own steps (every step of the blueprint).</summary>
    public Func<string, bool> OwnStatePaths(StateStore states) => StateFileHashes.OwnPaths(states, All);

    /// <summary>The figures the marker, restore and verify states published (teardown and production checks are the runner's).</summary>
    public static IsolatedDrillFigures Figures(StateStore states, IsolatedDrillSteps steps)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(steps);
        var marker = states.Read(steps.Marker.ModuleRef, steps.Marker.StateInstance) is { Status: StateStatus.Ok } m ? m.Outputs : null;
        var verify = states.Read(steps.Verify.ModuleRef, steps.Verify.StateInstance) is { Status: StateStatus.Ok or StateStatus.Partial } v ? v.Outputs : null;
        var timings = verify?["timings"] as JsonObject;
        var manifest = verify?["manifest"] as JsonObject;
        return new IsolatedDrillFigures
        {
            RestorePoint = Text(marker, "restore_point"),
            RestorePointLsn = Text(marker, "restore_point_lsn"),
            MarkerTable = Text(marker, "marker_table"),
            DrillCluster = Text(verify, "drill_cluster_name"),
            DrillLeaderHost = Text(verify, "drill_leader_host"),
            ManifestTables = (marker?["manifest"] as JsonObject)?.Count ?? 0,
            MismatchedTables = [.. (manifest ?? []).Where(t => t.Value?["matched"]?.GetValue<bool>() == false).Select(t => t.Key)],
            ManifestMatched = Bool(verify, "manifest_matched"),
            MarkerRowFound = Bool(verify, "marker_row_found"),
            AmcheckClean = Bool(verify, "amcheck_clean"),
            LockWaitMs = Number(marker, "lock_wait_ms"),
            WritesBlockedMs = Number(marker, "writes_blocked_ms"),
            RestoreSeconds = Number(timings, "restore_s"),
            ReplaySeconds = Number(timings, "replay_s"),
            TimeToWritableSeconds = Number(timings, "time_to_writable_s"),
            RestoreStepSeconds = Number(timings, "restore_step_s"),
        };
    }

    private static string? Text(JsonObject? o, string key) => o?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static bool? Bool(JsonObject? o, string key) => o?[key] is JsonValue v && v.TryGetValue<bool>(out var b) ? b : null;

    private static double? Number(JsonObject? o, string key) => o?[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
}
