namespace HybridOps.Postgres.Sql;

/// <summary>What a PostgreSQL member says about itself over SQL.</summary>
public sealed record MemberFacts
{
    public required string SystemIdentifier { get; init; }
    public required bool InRecovery { get; init; }
    public required string WalLevel { get; init; }
    public required long Timeline { get; init; }
    public required int ServerVersionNum { get; init; }
    public string? CurrentLsn { get; init; }
    public string? ReplayLsn { get; init; }

    /// <summary>Writable means not in recovery and not forced read-only (a fenced primary sets default_transaction_read_only).</summary>
    public required bool DefaultReadOnly { get; init; }

    public bool Writable => !InRecovery && !DefaultReadOnly;
}
