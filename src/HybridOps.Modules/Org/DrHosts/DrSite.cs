using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Org.DrHosts;

/// <summary>Where a local DR site lives: its address prefix, data root, hosts and etcd.</summary>
internal sealed record DrSite(string Name, string Prefix, string DataRoot, int HostCount, string OsUser)
{
    public const int PgPort = 5432;
    public const int ApiPort = 8008;
    public const int EtcdClientPort = 2379;
    public const int EtcdPeerPort = 2380;

    public string EtcdHost => $"{Prefix}.1";

    public string EtcdEndpoint => $"{EtcdHost}:{EtcdClientPort.ToString(CultureInfo.InvariantCulture)}";

    public string EtcdClientUrl => $"http://{EtcdEndpoint}";

    public string EtcdPeerUrl => $"http://{EtcdHost}:{EtcdPeerPort.ToString(CultureInfo.InvariantCulture)}";

    public string EtcdDir => Path.Combine(DataRoot, "etcd");

    public string EtcdDataDir => Path.Combine(EtcdDir, "data");

    public string EtcdLog => Path.Combine(EtcdDir, "etcd.log");

    public string Registry => Postgres.Exec.ProcessRegistry.PathIn(DataRoot);

    /// <summary>dr1..drN on prefix.11, .12, ... (like the on-prem lab's pg1..pgN).</summary>
    public JsonArray HostsJson() => new([.. Enumerable.Range(1, HostCount).Select(i => (JsonNode?)new JsonObject
    {
        ["name"] = $"dr{i.ToString(CultureInfo.InvariantCulture)}",
        ["host"] = $"{Prefix}.{(10 + i).ToString(CultureInfo.InvariantCulture)}",
        ["pg_port"] = PgPort,
        ["api_port"] = ApiPort,
    })]);

    /// <summary>Resolves prefix and data root from inputs, falling back to the on-prem inventory (its prefix, its local_provider_root).</summary>
    public static DrSite Resolve(ModuleContext context)
    {
        var inventory = context.Inputs.State("inventory_state_ref")?.Outputs;
        var site = context.Inputs.String("site")!;
        var prefix = context.Inputs.String("address_prefix") ?? DerivePrefix(inventory);
        var dataRoot = context.Inputs.String("data_root")
            ?? (SitePaths.LocalProviderRoot(inventory ?? SitePaths.Inventory(context)) is { } root ? Path.Combine(root, "sites", site) : null)
            ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'data_root' is required (the site inventory publishes no local_provider_root to place the site under)");
        return new DrSite(site, prefix, Path.GetFullPath(dataRoot), context.Inputs.Values.Int("host_count") ?? 3, context.Inputs.String("os_user") ?? "postgres");
    }

    /// <summary>On-prem prefix with the third octet + 1 (127.0.1 -> 127.0.2): the lab's DR site convention.</summary>
    public static string DerivePrefix(JsonObject? inventory)
    {
        var host = inventory.Objects("members").FirstOrDefault().Str("host")
            ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'address_prefix' is required (the inventory state lists no member host to derive it from)");
        var parts = host.Split('.');
        return parts.Length == 4 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var third) && third < 255
            ? $"{parts[0]}.{parts[1]}.{(third + 1).ToString(CultureInfo.InvariantCulture)}"
            : throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"cannot derive a DR prefix from on-prem host '{host}'; set address_prefix");
    }
}
