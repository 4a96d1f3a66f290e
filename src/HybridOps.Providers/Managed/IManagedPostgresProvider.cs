namespace HybridOps.Providers.Managed;

/// <summary>
/// A managed-PostgreSQL service, shaped after the Cloud SQL Admin API (instances insert/get/delete/
/// patch/restart/promoteReplica). Every mutation returns an operation record. Module code sees only
/// these types, never a provider's own.
/// </summary>
public interface IManagedPostgresProvider
{
    /// <summary>"local" or "gcp".</summary>
    string Name { get; }

    /// <summary>Where the provider keeps its instances, published so later steps reach the same ones (no secrets).</summary>
    ProviderLocation Location { get; }

    Task<ProviderOperation> InsertInstanceAsync(InstanceRequest request, CancellationToken cancellationToken);

    /// <summary>The instance, or null when it does not exist.</summary>
    Task<ManagedInstance?> GetInstanceAsync(string name, CancellationToken cancellationToken);

    /// <summary>Replaces the authorized networks (the instance's client allowlist).</summary>
    Task<ProviderOperation> PatchAuthorizedNetworksAsync(string name, IReadOnlyList<string> cidrs, CancellationToken cancellationToken);

    /// <summary>Starts a STOPPED instance; a no-op on a RUNNABLE one.</summary>
    Task<ProviderOperation> RestartInstanceAsync(string name, CancellationToken cancellationToken);

    /// <summary>Marks a replica as the primary (the caller has already stopped replication).</summary>
    Task<ProviderOperation> PromoteReplicaAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces the instance's database flags (Cloud SQL settings.databaseFlags), e.g.
    /// default_transaction_read_only = on to fence a managed primary; applied with a reload.
    /// </summary>
    Task<ProviderOperation> PatchDatabaseFlagsAsync(string name, IReadOnlyDictionary<string, string> flags, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the password the instance uses to reach an external source (the DR replication role) in a
    /// file on the instance's host readable only by the server user; returns its path for a conninfo
    /// `passfile=`, so no password lands in the instance's catalog or WAL (Cloud SQL: the DMS connection profile).
    /// </summary>
    Task<string> PutSourcePassfileAsync(string name, string host, int port, string user, string password, CancellationToken cancellationToken);

    /// <summary>
    /// Enables the instance's backups (Cloud SQL: settings.backupConfiguration + point-in-time recovery,
    /// then an on-demand backupRuns.insert; local: WAL archiving and a full pgBackRest backup into the
    /// repository) and returns the first backup as the backup tool lists it. Throws when no verified
    /// backup exists afterwards.
    /// </summary>
    Task<ManagedBackup> EnableBackupsAsync(string name, BackupRepository repository, CancellationToken cancellationToken);

    /// <summary>Stops the instance and deletes it with its data.</summary>
    Task<ProviderOperation> DeleteInstanceAsync(string name, CancellationToken cancellationToken);
}
