using System.Text.Json.Nodes;
using HybridOps.Core.Engine;
using HybridOps.Core.State;

namespace HybridOps.Modules.Common;

/// <summary>
/// The places a site inventory (onprem-inventory/v1) publishes for modules: <c>work_root</c> (this
/// site's working files on the machine hyops runs on), <c>rebuild_root</c> (where a failback rebuild
/// puts its member dirs on the members) and, only with the local provider, <c>local_provider_root</c>
/// (where the sites it simulates on this machine keep their data). An empty value is absent.
/// </summary>
internal static class SitePaths
{
    public const string InventoryRef = "platform/onprem/inventory";

    /// <summary>The inventory the module names in <c>inventory_state_ref</c>, else the published site inventory.</summary>
    public static JsonObject? Inventory(ModuleContext context) =>
        context.Inputs.State("inventory_state_ref")?.Outputs ?? context.States.Read(InventoryRef, null)?.Outputs;

    /// <summary>The hosts contract a restored or reseeded cluster recorded as hosts_source (with its instance), or null when it is gone or none was recorded.</summary>
    public static ModuleState? RecordedHosts(ModuleContext context, JsonObject? cluster) =>
        cluster.Str("hosts_source") is { Length: > 0 } source && StateRef.Parse(source, "hosts_source") is var recorded
            ? context.States.Read(recorded.ModuleRef, recorded.Instance)
            : null;

    public static string? WorkRoot(JsonObject? inventory) => NonEmpty(inventory.Str("work_root"));

    public static string? RebuildRoot(JsonObject? inventory) => NonEmpty(inventory.Str("rebuild_root"));

    public static string? LocalProviderRoot(JsonObject? inventory) => NonEmpty(inventory.Str("local_provider_root"));

    /// <summary>A member's PostgreSQL layout entry (<c>members[].postgres.KEY</c>, e.g. socket_dir, data_dir), or null.</summary>
    public static string? MemberLayout(JsonObject? inventory, string member, string key) =>
        NonEmpty((inventory.Objects("members").FirstOrDefault(m => m.Str("name") == member)?["postgres"] as JsonObject).Str(key));

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
