using System.Text.Json.Nodes;
using HybridOps.Core.Contracts;
using HybridOps.Core.Drill;
using HybridOps.Core.State;

namespace HybridOps.Core.Dr;

/// <summary>Before a drill: which repository its blueprint restores from (after --inputs) and what that repository holds now.</summary>
public static class DrillSourceReader
{
    public static DrillSource Read(StateStore states, BlueprintSpec blueprint, JsonObject? overrides)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(blueprint);
        var restore = blueprint.Steps
            .Select(s => (Step: s, Inputs: s.InputsWith(overrides)))
            .FirstOrDefault(s => s.Step.Action == "deploy" && s.Inputs["apply_mode"]?.ToString() == "restore");
        if (restore.Step is null || restore.Inputs["repo_state_ref"]?.ToString() is not { Length: > 0 } repo)
        {
            return new DrillSource(null, null, null, null, null);
        }

        var backupRef = restore.Inputs["backup_state_ref"]?.ToString() is { Length: > 0 } b ? b : DrOptionCatalog.BackupStateRef;
        var option = new DrOption { Id = "drill", Title = "drill", Kind = "restore", BlueprintRef = blueprint.BlueprintRef, RepoStateRef = repo, Site = "dr-hosts" };
        var facts = DrStateFacts.Read(states, option, backupRef);
        return new DrillSource(restore.Step.Id, repo, facts.BackupLabel, facts.BackupBytes, facts.WalBytesSinceBackup);
    }
}
