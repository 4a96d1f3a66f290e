using HybridOps.Core.Engine;
using HybridOps.Modules.Platform.Onprem.Inventory;
using HybridOps.Modules.Platform.Onprem.PostgresqlHa;
using HybridOps.Postgres.Patroni;

namespace HybridOps.Modules;

/// <summary>Every module handler this build ships, composed with its real dependencies.</summary>
public static class ModuleCatalog
{
    public static HandlerRegistry CreateRegistry() => new(
    [
        new InventoryHandler(),
        new PostgresqlHaHandler(() => PatroniClient.Create(TimeSpan.FromSeconds(5))),
    ]);
}
