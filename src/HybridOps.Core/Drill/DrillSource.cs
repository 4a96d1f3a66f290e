namespace HybridOps.Core.Drill;

/// <summary>
/// What a drill's blueprint restored from, read from state just before it ran: which DR option the drill
/// proved (`hyops dr status` and the decision service match drills to options by it) and how much data the
/// restore moved, so a restore rate can be measured. Sizes are null when state did not publish them.
/// </summary>
/// <param name="RestoreStep">The blueprint step that restores (apply_mode restore), null for a promotion.</param>
/// <param name="RepoStateRef">The repository that step restores from (its repo_state_ref after --inputs).</param>
/// <param name="BackupBytes">Size of the latest backup set (backup state's backup_size_bytes), null when not published.</param>
/// <param name="WalBytesSinceBackup">WAL archived after that set's stop segment (16 MiB segments), null when unknown.</param>
public sealed record DrillSource(
    string? RestoreStep,
    string? RepoStateRef,
    string? BackupLabel,
    long? BackupBytes,
    long? WalBytesSinceBackup)
{
    /// <summary>Bytes the restore moved: the set plus the WAL replayed after it; null when either is unknown.</summary>
    public long? RestoredBytes => BackupBytes is { } b && WalBytesSinceBackup is { } w ? b + w : null;
}
