using System.Collections.Immutable;

namespace HybridOps.Core.Dr;

/// <summary>
/// What state says now about one option: the data a restore would move, the RPO exposure and where it
/// comes from, and the preconditions that hold or not.
/// </summary>
/// <param name="Declared">false: the option's repository or standby does not exist here (restore-repo2 without a second repository).</param>
/// <param name="BackupBytes">The latest backup set's size; null when the backup state does not publish backup_size_bytes.</param>
/// <param name="WalBytesSinceBackup">WAL the repository holds after the set's stop segment.</param>
/// <param name="RpoSeconds">Archive lag (rpo_exposure_s) for a restore, replication lag (lag_seconds) for a promotion.</param>
/// <param name="RpoSource">Where <paramref name="RpoSeconds"/> comes from, in words.</param>
public sealed record DrOptionFacts(
    bool Declared,
    string? BackupLabel,
    long? BackupBytes,
    long? WalBytesSinceBackup,
    double? RpoSeconds,
    string RpoSource,
    ImmutableArray<DrPrecondition> Preconditions);
