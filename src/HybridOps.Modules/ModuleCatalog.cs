using HybridOps.Core.Engine;
using HybridOps.Modules.Core.Shared.ManualGate;
using HybridOps.Modules.Platform.Network.DnsRouting;
using HybridOps.Modules.Platform.Network.PowerdnsAuthority;
using HybridOps.Modules.Org.DrHosts;
using HybridOps.Modules.Org.Gcp.CloudsqlExternalReplica;
using HybridOps.Modules.Org.Gcp.CloudsqlPostgresql;
using HybridOps.Modules.Org.Gcp.CloudsqlBackup;
using HybridOps.Modules.Org.Gcp.CloudsqlPromote;
using HybridOps.Modules.Org.ObjectRepo;
using HybridOps.Modules.Platform.Onprem.Inventory;
using HybridOps.Modules.Platform.Onprem.PostgresqlHa;
using HybridOps.Modules.Platform.Onprem.PostgresqlDrSource;
using HybridOps.Modules.Platform.Onprem.PostgresqlFence;
using HybridOps.Modules.Common;
using HybridOps.Modules.Platform.Onprem.PostgresqlHaBackup;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Patroni;
using HybridOps.Providers.Managed;

namespace HybridOps.Modules;

/// <summary>Every module handler this build ships, composed with its real dependencies.</summary>
public static class ModuleCatalog
{
    /// <param name="retireDatabaseTier">
    /// The site providers' way to retire a site's running database tier (postgresql-ha apply_mode reseed
    /// under wipe_confirm); composed by the CLI, null elsewhere.
    /// </param>
    public static HandlerRegistry CreateRegistry(RetireDatabaseTier? retireDatabaseTier = null) => new(
    [
        new InventoryHandler(),
        new HybridOps.Modules.Platform.Network.DecisionService.DecisionServiceHandler(),
        new ManualGateHandler(),
        new PowerdnsAuthorityHandler(),
        new DnsRoutingHandler(),
        new PostgresqlHaHandler(() => PatroniClient.Create(TimeSpan.FromSeconds(5)), new LocalProcessRunner(), retireDatabaseTier),
        new ObjectRepoHandler(ObjectRepoHandler.GcpRef, new LocalProcessRunner()),
        new ObjectRepoHandler(ObjectRepoHandler.AwsRef, new LocalProcessRunner()),
        new ObjectRepoHandler(ObjectRepoHandler.AzureRef, new LocalProcessRunner()),
        new HybridOps.Modules.Platform.Onprem.PostgresqlDrill.PostgresqlDrillHandler(),
        new PostgresqlDrSourceHandler(() => PatroniClient.Create(TimeSpan.FromSeconds(5))),
        new PostgresqlFenceHandler(() => PatroniClient.Create(TimeSpan.FromSeconds(3))),
        new DrHostsHandler(new LocalProcessRunner()),
        new PostgresqlHaBackupHandler(() => PatroniClient.Create(TimeSpan.FromSeconds(5)), new LocalProcessRunner()),
        new CloudsqlPostgresqlHandler(new ManagedProviders(new LocalProcessRunner(), TimeProvider.System)),
        new CloudsqlExternalReplicaHandler(() => PatroniClient.Create(TimeSpan.FromSeconds(5)), new LocalProcessRunner(), new ManagedProviders(new LocalProcessRunner(), TimeProvider.System)),
        new CloudsqlPromoteHandler(new ManagedProviders(new LocalProcessRunner(), TimeProvider.System)),
        new HybridOps.Modules.Org.Gcp.CloudsqlPromoteDrill.CloudsqlPromoteDrillHandler(new ManagedProviders(new LocalProcessRunner(), TimeProvider.System)),
        new CloudsqlBackupHandler(new ManagedProviders(new LocalProcessRunner(), TimeProvider.System)),
    ]);
}
