namespace HybridOps.Lab.Load;

/// <summary>What one load run did. Counts come from the acks it logged, never from estimates.</summary>
public sealed record WriteLoadSummary(
    string LoadId,
    double Rate,
    long Acked,
    long Failed,
    DateTimeOffset? FirstAck,
    DateTimeOffset? LastAck,
    IReadOnlyDictionary<string, long> AckedByAddress,
    IReadOnlyDictionary<string, long> FailedByError,
    string AckLog,
    string FailureLog,
    double DurationS);
