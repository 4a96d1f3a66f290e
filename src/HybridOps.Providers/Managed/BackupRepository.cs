namespace HybridOps.Providers.Managed;

/// <summary>
/// Where and how a provider backs an instance up. Local provider: pgBackRest into the repository
/// contract's non-secret repo1-* options, credentials only as PGBACKREST_* environment, the admin
/// password only in the child's PGPASSWORD. Cloud SQL ignores the repository (its own backups).
/// </summary>
public sealed record BackupRepository(string Stanza, IReadOnlyDictionary<string, string> Options, IReadOnlyDictionary<string, string> CredentialEnvironment, string AdminPassword)
{
    public int RetentionFull { get; init; } = 2;

    public string PgBackRestBinary { get; init; } = "/usr/bin/pgbackrest";
}
