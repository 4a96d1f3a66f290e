using System.Collections.Immutable;

namespace HybridOps.Core.Drill;

/// <summary>
/// What a no-cutover drill of the premium lane measured and proved, from its step's state: whether
/// the standby could be promoted (each check's verdict), the barrier, the promoted clone's figures
/// (null where the provider cannot clone: <see cref="CloneSkipped"/> says why), the standby afterwards,
/// and whether every other module state file is byte-identical. A figure the drill did not reach is null.
/// </summary>
public sealed record NoCutoverDrillFigures
{
    public string? InstanceName { get; init; }
    public bool? Promotable { get; init; }
    /// <summary>Each check in the order it ran, passed | failed | skipped.</summary>
    public ImmutableArray<NoCutoverCheck> Checks { get; init; } = [];
    public double? LagBytes { get; init; }
    public double? MaxLagBytes { get; init; }
    public string? BarrierLsn { get; init; }
    public double? BarrierSeenSeconds { get; init; }
    public bool? CloneSupported { get; init; }
    public string? CloneSkipped { get; init; }
    public string? CloneName { get; init; }
    /// <summary>The copy of the running standby into the clone, started and accepting connections.</summary>
    public double? CloneCopySeconds { get; init; }
    /// <summary>From disabling the clone's subscriptions to the first acknowledged write on it (the promotion's own steps).</summary>
    public double? CloneTimeToWritableSeconds { get; init; }
    public bool? CloneBarrierFound { get; init; }
    public bool? CloneCountsMatched { get; init; }
    public bool? CloneRemoved { get; init; }
    /// <summary>After the drill: streaming, read-only, the same slot behind an enabled subscription, lag within the bound.</summary>
    public bool? StandbyUnchanged { get; init; }
    public bool ProductionStateUnchanged { get; init; }
    public ImmutableArray<string> ChangedStateFiles { get; init; } = [];
}

/// <summary>One check of a no-cutover drill and its result (passed | failed | skipped).</summary>
public sealed record NoCutoverCheck(string Name, string Result);
