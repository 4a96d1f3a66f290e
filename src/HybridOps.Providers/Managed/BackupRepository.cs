namespace HybridOps.Providers.Managed;

/// <summary>
/// Where and how a provider backs an instance up. Local provider: pgBackRest into the repository
/// contract's non-secret repo1-* options; the credentials as PGBACKREST_* environment of hyops' own
/// calls and, for the server's archive_command, in the instance's 0600 pgbackrest.conf
/// (<see cref="ConfigSecrets"/>, as on every on-prem member); the admin password only in the child's
/// PGPASSWORD. Cloud SQL ignores the repository (its own backups).
/// </summary>
public sealed record BackupRepository(string Stanza, IReadOnlyDictionary<string, string> Options, IReadOnlyDictionary<string, string> CredentialEnvironment, string AdminPassword)
{
    public int RetentionFull { get; init; } = 2;

    /// <summary>
    /// The repository's credential options (repo1-s3-key, ...) for the 0600 config the server's archive-push
    /// reads: PostgreSQL runs archive_command without hyops' environment.
    /// </summary>
    public IReadOnlyDictionary<string, string> ConfigSecrets { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string PgBackRestBinary { get; init; } = "/usr/bin/pgbackrest";
}
