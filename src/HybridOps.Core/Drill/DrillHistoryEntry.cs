namespace HybridOps.Core.Drill;

/// <summary>
/// One drill as `hyops drill history` lists it: what its report measured, and its trend against the
/// previous drill of the same blueprint (null for the first). An isolated drill has no RTO/RPO; its
/// figures (writes blocked, restore, replay, time to writable, verdicts) are in <see cref="Isolated"/>.
/// </summary>
public sealed record DrillHistoryEntry(
    string BlueprintRef,
    string BlueprintId,
    string RunId,
    DateTimeOffset StartedAt,
    string Status,
    string Disaster,
    double? RtoSeconds,
    long? RpoMissing,
    double? RpoWindowSeconds,
    double? TimeToProtectedSeconds,
    string ReportDir,
    DrillTrend? Trend,
    string DrillKind = "failover",
    IsolatedDrillFigures? Isolated = null,
    NoCutoverDrillFigures? NoCutover = null);

/// <summary>
/// Deltas against the previous drill of the same blueprint (this minus previous; negative RTO = faster).
/// A delta is null when either drill did not measure the figure: never guessed.
/// </summary>
public sealed record DrillTrend(string PreviousRunId, double? RtoDeltaSeconds, long? RpoMissingDelta, double? TimeToProtectedDeltaSeconds)
{
    /// <summary>faster | slower | same | unmeasured.</summary>
    public string Rto => RtoDeltaSeconds switch
    {
        null => "unmeasured",
        < 0 => "faster",
        > 0 => "slower",
        _ => "same",
    };
}
