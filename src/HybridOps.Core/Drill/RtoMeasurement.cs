namespace HybridOps.Core.Drill;

/// <summary>
/// RTO as counted from the ack log: from the failover start to the first acknowledged write through
/// the published endpoint after the blueprint finished publishing. Null <see cref="FirstAckAfter"/>
/// means no write was acknowledged in time: the RTO is not met, never guessed.
/// </summary>
public sealed record RtoMeasurement(
    DateTimeOffset FailoverStart,
    DateTimeOffset PublishedAt,
    string? PublishedAddress,
    DateTimeOffset? FirstAckAfter,
    long? FirstAckId,
    string? FirstAckAddress)
{
    /// <summary>Seconds from failover start to the first acknowledged write after publication; null when there was none.</summary>
    public double? Seconds => FirstAckAfter is { } at ? Math.Round((at - FailoverStart).TotalSeconds, 3) : null;

    public bool Measured => FirstAckAfter is not null;
}
