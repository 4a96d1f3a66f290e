using System.Text.Json.Nodes;
using HybridOps.Core.Engine;
using HybridOps.Core.State;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// Tells this module's own unfinished work apart from data it did not create. Before anything is
/// created on the target, the run writes an <see cref="OwnerMarker"/> into every member directory and
/// into the DCS (<c>/hyops/owners/&lt;scope&gt;</c>); the run that completes marks them completed. A
/// rerun owns what it finds only when ALL of these hold: the instance's state is `running` or `error`
/// from a deploy with the same inputs hash (the earlier run never published), and the markers name this
/// module instance, apply_mode, scope and inputs hash and are not completed. Anything else (a completed
/// restore, another scope, no marker) still needs wipe_confirm.
/// </summary>
internal sealed class RestoreOwnership(ModuleContext context, string scope, string applyMode)
{
    private const UnixFileMode MarkerMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

    public string DcsKey => $"/hyops/owners/{scope}";

    /// <summary>The previous run of this instance was a deploy with the same inputs that never completed (killed: `running`; failed: `error`).</summary>
    public bool PreviousRunUnfinished =>
        context.Previous is { Action: "deploy", Status: StateStatus.Running or StateStatus.Error } p && p.InputsHash == context.Inputs.Hash;

    /// <summary>The previous run of this instance completed a deploy with the same inputs.</summary>
    public bool PreviousRunCompleted =>
        context.Previous is { Action: "deploy", Status: StateStatus.Ok } p && p.InputsHash == context.Inputs.Hash;

    public OwnerMarker Marker(bool completed) =>
        new(context.Spec.ModuleRef, context.Instance, applyMode, scope, context.RunId, context.Inputs.Hash, completed);

    /// <summary>True when <paramref name="marker"/> was left by an unfinished run of this instance with these inputs.</summary>
    public bool IsOwnUnfinished(OwnerMarker? marker) =>
        PreviousRunUnfinished && marker is { Completed: false } m && m.ModuleRef == context.Spec.ModuleRef && m.Instance == context.Instance
        && m.ApplyMode == applyMode && m.Scope == scope && m.InputsHash == context.Inputs.Hash;

    /// <summary>Splits the member dirs and the scope's DCS keys into this module's own unfinished work and the rest.</summary>
    public Leftovers Classify(IReadOnlyList<RestoreHost> hosts, IReadOnlyDictionary<string, MemberDirFacts> facts, int dcsKeys, string? dcsOwnerText)
    {
        // A member dir of the unfinished run is its own even with an empty data dir: its Patroni may be running.
        var own = hosts.Where(h => IsOwnUnfinished(facts[h.Name].Marker)).ToList();
        var nonEmpty = hosts.Where(h => facts[h.Name].DataDirHasEntries).ToList();
        var dcsOwner = OwnerMarker.Parse(dcsOwnerText);
        var ownKeys = dcsKeys > 0 && IsOwnUnfinished(dcsOwner);
        var result = new Leftovers([.. own], [.. nonEmpty.Except(own)], ownKeys ? dcsKeys : 0, ownKeys ? 0 : dcsKeys);
        context.Evidence.Check("own_unfinished_run", true, new JsonObject
        {
            ["previous_run_id"] = context.Previous?.RunId, ["previous_status"] = context.Previous?.Status,
            ["same_inputs"] = context.Previous?.InputsHash == context.Inputs.Hash, ["previous_run_unfinished"] = PreviousRunUnfinished,
            ["own_data_dirs"] = result.Own.Select(h => h.DataDir).ToJsonArray(), ["foreign_data_dirs"] = result.Foreign.Select(h => h.DataDir).ToJsonArray(),
            ["own_dcs_keys"] = result.OwnKeys, ["foreign_dcs_keys"] = result.ForeignKeys, ["dcs_owner_run_id"] = dcsOwner?.RunId,
        });
        return result;
    }

    /// <summary>Writes this run's marker into every member directory (created if needed), before anything else goes there.</summary>
    public async Task WriteMarkersAsync(IRestoreMembers members, IEnumerable<RestoreHost> hosts, bool completed, CancellationToken ct)
    {
        var text = Marker(completed).ToJson();
        foreach (var h in hosts)
        {
            await members.WriteFileAsync(h, Path.Combine(h.Dir, OwnerMarker.FileName), text, MarkerMode, ct);
        }
    }

    /// <summary>The leftovers of a target: data dirs and DCS keys of this module's unfinished run, and everything else.</summary>
    public sealed record Leftovers(IReadOnlyList<RestoreHost> Own, IReadOnlyList<RestoreHost> Foreign, int OwnKeys, int ForeignKeys)
    {
        public bool AnyOwn => Own.Count > 0 || OwnKeys > 0;

        public bool AnyForeign => Foreign.Count > 0 || ForeignKeys > 0;
    }
}
