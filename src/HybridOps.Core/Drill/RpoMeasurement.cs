namespace HybridOps.Core.Drill;

/// <summary>
/// RPO counted row by row: acknowledged commits whose id is not in the database behind the
/// published endpoint afterwards. <see cref="Unacknowledged"/> counts rows present but never
/// acknowledged (a commit whose ack was lost in the failure): not data loss, reported for honesty.
/// </summary>
public sealed record RpoMeasurement(
    long Acknowledged,
    long Found,
    long MissingCount,
    long? MissingFirstId,
    long? MissingLastId,
    DateTimeOffset? MissingFirstAckAt,
    DateTimeOffset? MissingLastAckAt,
    long Unacknowledged,
    IReadOnlyList<long> MissingSample)
{
    /// <summary>Time window between the first and the last missing ack, in seconds (0 with one missing row, null with none).</summary>
    public double? WindowSeconds => MissingFirstAckAt is { } a && MissingLastAckAt is { } b ? Math.Round((b - a).TotalSeconds, 3) : null;

    public bool Zero => MissingCount == 0;
}
