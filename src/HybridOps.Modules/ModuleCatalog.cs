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
    public static HandlerRegistry CreateRegistry() => new(
    [
        new InventoryHandler(),
        new HybridOps.Modules.Platform.Network.DecisionService.DecisionServiceHandler(),
        new ManualGateHandler(),
        new PowerdnsAuthorityHandler(),
        new DnsRoutingHandler(),
        new PostgresqlHaHandler(() => PatroniClient.Create(TimeSpan.FromSeconds(5)), new LocalProcessRunner()),
        new ObjectRepoHandler(ObjectRepoHandler.GcpRef, new LocalProcessRunner()),
        new ObjectRepoHandler(ObjectRepoHandler.AwsRef, new LocalProcessRunner()),
        new ObjectRepoHandler(ObjectRepoHandler.AzureRef, new LocalProcessRunner()),
        new HybridOps.Modules.Platform.Onprem.PostgresqlDrill.PostgresqlDrillHandler(),
        new PostgresqlDrSourceHandler(() => PatroniClient.Create(TimeSpan.FromSeconds(5))),
        new PostgresqlFenceHandler(() => PatroniClient.Create(TimeSpan.FromSeconds(3))),
        new DrHostsHandler(),
        new PostgresqlHaBackupHandler(() => PatroniClient.Create(TimeSpan.FromSeconds(5)), new LocalProcessRunner()),
        new CloudsqlPostgresqlHandler(new ManagedProviders(TimeProvider.System)),
        new CloudsqlExternalReplicaHandler(() => PatroniClient.Create(TimeSpan.FromSeconds(5)), new LocalProcessRunner(), new ManagedProviders(TimeProvider.System)),
        new CloudsqlPromoteHandler(new ManagedProviders(TimeProvider.System)),
        new HybridOps.Modules.Org.Gcp.CloudsqlPromoteDrill.CloudsqlPromoteDrillHandler(new ManagedProviders(TimeProvider.System)),
        new CloudsqlBackupHandler(new ManagedProviders(TimeProvider.System)),
    ]);
}
