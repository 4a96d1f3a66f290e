namespace HybridOps.Core.Drill;

/// <summary>One write that failed: a line of failures.jsonl. <see cref="Error"/> is a SQLSTATE or a socket/timeout kind.</summary>
public sealed record LoadFailureRecord(DateTimeOffset At, string? Address, string Error, string? Detail);
