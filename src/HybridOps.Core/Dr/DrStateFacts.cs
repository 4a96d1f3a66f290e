using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.State;

namespace HybridOps.Core.Dr;

/// <summary>
/// An option's facts from published state, read only (nothing is probed): the backup module's facts for the
/// option's repository (its `repositories` entry for that repository when it publishes one, else its top-level
/// facts for repo1), or the managed standby's replication facts.
/// </summary>
public static class DrStateFacts
{
    public static DrOptionFacts Read(StateStore states, DrOption option, string backupStateRef = DrOptionCatalog.BackupStateRef)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(option);
        return option.Kind == "promote" ? Promote(states) : Restore(states, option.RepoStateRef!, backupStateRef);
    }

    private static DrOptionFacts Restore(StateStore states, string repo, string backupStateRef)
    {
        var repoState = DrOptionCatalog.Read(states, repo);
        var backup = DrOptionCatalog.Read(states, backupStateRef);
        var facts = backup is { Status: StateStatus.Ok or StateStatus.Partial } ? FactsFor(backup.Outputs, repo) : null;
        var label = facts?["backup_label"]?.ToString();
        var continuous = facts?["wal_continuous"] is JsonValue v && v.TryGetValue<bool>(out var c) ? c : (bool?)null;
        var when = backup is null ? "" : $" as of {backup.UpdatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z";
        var preconditions = ImmutableArray.Create(
            new DrPrecondition("repository_state_ok", repoState?.Status == StateStatus.Ok, repoState is null ? $"no state for {repo}" : $"{repo} state is {repoState.Status}"),
            new DrPrecondition("backup_set_present", label is not null,
                label is not null ? $"latest set {label} in {repo}{when}" : facts is null ? $"{backupStateRef} publishes no facts for {repo}" : $"no backup set in {repo}"),
            new DrPrecondition("wal_continuous", continuous != false,
                continuous switch { true => "the archive covers the latest set onwards", false => "the archive has a gap after the latest set", _ => "continuity not published" }));
        return new DrOptionFacts(
            repoState is not null,
            label,
            Long(facts, "backup_size_bytes"),
            WalSegments.BytesAfter(facts?["backup_wal_stop"]?.ToString(), facts?["wal_archive_max"]?.ToString()),
            ArchiveRpo(facts, backup?.Outputs),
            $"archive lag (rpo_exposure_s of {backupStateRef}{when}, at least its archive_timeout_s: the unarchived tail a site loss drops)",
            preconditions);
    }

    private static DrOptionFacts Promote(StateStore states)
    {
        var replica = DrOptionCatalog.Read(states, DrOptionCatalog.ReplicaRef);
        var instance = DrOptionCatalog.Read(states, DrOptionCatalog.ManagedInstanceRef);
        var drift = replica?.Outputs["schema_drift"] switch
        {
            JsonArray a => a.Count > 0,
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            _ => false,
        };
        var when = replica is null ? "" : $" as of {replica.UpdatedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z";
        var preconditions = ImmutableArray.Create(
            new DrPrecondition("standby_replicating", replica?.Status == StateStatus.Ok,
                replica is null ? $"no state for {DrOptionCatalog.ReplicaRef}" : $"replica state {replica.Status}, replication {replica.Outputs["replication_state"]?.ToString() ?? "unknown"}{when}"),
            new DrPrecondition("managed_instance_ok", instance?.Status == StateStatus.Ok,
                instance is null ? $"no state for {DrOptionCatalog.ManagedInstanceRef}" : $"instance state {instance.Status}"),
            new DrPrecondition("no_schema_drift", !drift, drift ? "the standby's schema differs from the source" : "no schema drift published"));
        return new DrOptionFacts(replica is not null, null, null, null, Double(replica?.Outputs, "lag_seconds"),
            $"replication lag (lag_seconds of {DrOptionCatalog.ReplicaRef}{when})", preconditions);
    }

    /// <summary>
    /// What a site loss now would lose from this repository: the archive lag when state was written, but never less
    /// than archive_timeout_s (the repository's, else the cluster's), since the segment being filled is archived only that often. Null when no lag is published.
    /// </summary>
    private static double? ArchiveRpo(JsonObject? facts, JsonObject? cluster) =>
        Double(facts, "rpo_exposure_s") is { } lag ? Math.Max(lag, Double(facts, "archive_timeout_s") ?? Double(cluster, "archive_timeout_s") ?? 0) : null;

    /// <summary>The facts of one repository: its entry under `repositories` when published, else the top level for repo1.</summary>
    private static JsonObject? FactsFor(JsonObject outputs, string repo)
    {
        if (outputs["repositories"] is JsonArray list)
        {
            return list.OfType<JsonObject>().FirstOrDefault(e => e["repo_state_ref"]?.ToString() == repo);
        }

        return repo == DrOptionCatalog.Repo1StateRef ? outputs : null;
    }

    private static long? Long(JsonNode? node, string key) =>
        node?[key] is JsonValue v && long.TryParse(v.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var x) ? x : null;

    private static double? Double(JsonNode? node, string key) =>
        node?[key] is JsonValue v && double.TryParse(v.ToString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : null;
}
