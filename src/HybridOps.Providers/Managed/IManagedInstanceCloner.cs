namespace HybridOps.Providers.Managed;

/// <summary>
/// A provider that can copy an instance into a new one on the same provider host without stopping it
/// (local: pg_basebackup of the running server). The copy starts as a standalone server whose logical
/// replication never runs (no worker may start, so a copied subscription cannot reach the source),
/// read-only like the original until <see cref="IManagedPostgresProvider.PromoteReplicaAsync"/>.
/// A provider without this capability cannot clone; callers say so instead of pretending.
/// </summary>
public interface IManagedInstanceCloner
{
    /// <summary>Copies <paramref name="source"/> into the new instance <paramref name="clone"/> and starts it on its own address/port.</summary>
    Task<ManagedInstance> CloneInstanceAsync(string source, string clone, string adminPassword, CancellationToken cancellationToken);
}
