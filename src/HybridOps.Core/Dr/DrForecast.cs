namespace HybridOps.Core.Dr;

/// <summary>
/// The forecast RTO and RPO of an option, and how they were computed, in words. A null figure is unknown:
/// never guessed.
/// </summary>
/// <param name="RestoreBytesPerSecond">The restore rate the drills measured (bytes restored / restore step seconds).</param>
/// <param name="OverheadSeconds">RTO minus the restore step in those drills: fence, hosts, readiness, publication.</param>
/// <param name="BytesNow">Backup set + WAL since it, as state says now.</param>
public sealed record DrForecast(
    double? RtoSeconds,
    double? RpoSeconds,
    string RtoBasis,
    string RpoBasis,
    double? RestoreBytesPerSecond,
    double? OverheadSeconds,
    long? BytesNow,
    int DrillsUsed);
