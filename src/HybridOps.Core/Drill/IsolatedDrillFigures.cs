using System.Collections.Immutable;

namespace HybridOps.Core.Drill;

/// <summary>
/// What an isolated drill (production keeps running) measured and proved, from its marker and verify
/// states: the restore point, how long production writers were blocked by the marker's lock, the
/// restore/replay/time-to-writable seconds on the drill cluster, the manifest and pg_amcheck verdicts,
/// the teardown, and whether every production state file is byte-identical afterwards. A figure the
/// drill did not reach is null.
/// </summary>
public sealed record IsolatedDrillFigures
{
    public string? RestorePoint { get; init; }
    public string? RestorePointLsn { get; init; }
    public string? MarkerTable { get; init; }
    public string? DrillCluster { get; init; }
    public string? DrillLeaderHost { get; init; }
    public int ManifestTables { get; init; }
    public ImmutableArray<string> MismatchedTables { get; init; } = [];
    public bool? ManifestMatched { get; init; }
    public bool? MarkerRowFound { get; init; }
    public bool? AmcheckClean { get; init; }
    public double? LockWaitMs { get; init; }
    /// <summary>From the marker's LOCK to its COMMIT: the longest any production writer of a manifest table waited.</summary>
    public double? WritesBlockedMs { get; init; }
    public double? RestoreSeconds { get; init; }
    public double? ReplaySeconds { get; init; }
    public double? TimeToWritableSeconds { get; init; }
    public double? RestoreStepSeconds { get; init; }
    /// <summary>The drill cluster was removed (teardown ok, or the drill's own cleanup after a failed step).</summary>
    public bool TornDown { get; init; }
    /// <summary>Every module state file outside the drill's own steps is byte-identical before and after.</summary>
    public bool ProductionStateUnchanged { get; init; }
    public ImmutableArray<string> ChangedStateFiles { get; init; } = [];
    /// <summary>Production's own transactions while the drill ran (pg_stat_database on the leader, read only, hyops' sampling query excluded).</summary>
    public long? ProductionCommits { get; init; }
    public long? ProductionRollbacks { get; init; }
    /// <summary>Where the counters were read (user@host:port/db), or why they could not be.</summary>
    public string? ProductionSampledFrom { get; init; }
    public int ProductionSamples { get; init; }
    public int ProductionSampleFailures { get; init; }
}
