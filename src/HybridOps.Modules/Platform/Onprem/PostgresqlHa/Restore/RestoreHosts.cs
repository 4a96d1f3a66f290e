using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Core.State;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>One host a restored member runs on, and where its files live (&lt;data_root&gt;/&lt;name&gt;/).</summary>
public sealed record RestoreHost(string Name, string Host, int PgPort, int ApiPort, string Dir)
{
    public string DataDir => Path.Combine(Dir, "data");
    public string SocketDir => Path.Combine(Dir, "run");
    public string PatroniConfig => Path.Combine(Dir, "patroni.yml");
    public string PatroniLog => Path.Combine(Dir, "patroni.log");
    public string PgPass => Path.Combine(Dir, "pgpass");
    public string PgBackRestConfig => Path.Combine(Dir, "pgbackrest.conf");
    public string PgBackRestDir => Path.Combine(Dir, "pgbackrest");
    public string ApiUrl => $"http://{Host}:{ApiPort}";
}

/// <summary>
/// The restore target normalized from either hosts contract: dr-hosts/v1 (the cloud site) or
/// onprem-inventory/v1 (failback rebuild on the on-prem hosts). Endpoints are host:port.
/// </summary>
public sealed record RestoreHosts(string Source, IReadOnlyList<RestoreHost> Hosts, IReadOnlyList<string> DcsEndpoints, string DataRoot, string OsUser)
{
    public const string DrHostsContract = "dr-hosts/v1";
    public const string InventoryContract = "onprem-inventory/v1";

    public string Registry => Postgres.Exec.ProcessRegistry.PathIn(DataRoot);

    public static RestoreHosts From(ModuleContext context, ModuleState hostsState)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(hostsState);
        var o = hostsState.Outputs;
        var explicitRoot = context.Inputs.String("data_root");
        switch (o.Str("contract_version"))
        {
            case DrHostsContract:
            {
                var root = explicitRoot ?? o.Str("data_root") ?? throw Unsupported(hostsState, "it publishes no data_root");
                var hosts = o.Objects("hosts").Select(h => new RestoreHost(h.Str("name")!, h.Str("host")!, h.Int("pg_port") ?? 5432, h.Int("api_port") ?? 8008,
                    Path.Combine(root, h.Str("name")!))).ToList();
                var endpoints = (o["dcs"]?["endpoints"] as JsonArray ?? []).Select(e => Normalize((string)e!)).ToList();
                return Checked(hostsState, new RestoreHosts(hostsState.ModuleRef, hosts, endpoints, root, o.Str("os_user") ?? "postgres"));
            }

            case InventoryContract:
            {
                // Failback rebuild on the on-prem hosts: a module-owned tree under the inventory's rebuild_root,
                // never the member dirs of the cluster it replaces.
                var root = explicitRoot
                    ?? (SitePaths.RebuildRoot(o) is { } rebuild ? Path.Combine(rebuild, context.Inputs.String("cluster_name")!) : null)
                    ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'data_root' is required to rebuild on inventory hosts (the inventory publishes no rebuild_root)");
                var hosts = o.Objects("members").Select(m => new RestoreHost(m.Str("name")!, m.Str("host")!, m.Int("pg_port") ?? 5432,
                    new Uri(m.Str("api_url")!).Port, Path.Combine(root, m.Str("name")!))).ToList();
                var endpoints = (o["etcd_endpoints"] as JsonArray ?? []).Select(e => Normalize((string)e!)).ToList();
                return Checked(hostsState, new RestoreHosts(hostsState.ModuleRef, hosts, endpoints, root, context.Inputs.String("os_user") ?? "postgres"));
            }

            default:
                throw Unsupported(hostsState, $"its contract_version is '{o.Str("contract_version") ?? "none"}'");
        }
    }

    /// <summary>"http://127.0.2.1:2379" and "127.0.2.1:2379" both become "127.0.2.1:2379".</summary>
    public static string Normalize(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? $"{uri.Host}:{uri.Port}" : endpoint.TrimEnd('/');

    private static RestoreHosts Checked(ModuleState state, RestoreHosts hosts) =>
        hosts.Hosts.Count == 0 ? throw Unsupported(state, "it lists no hosts")
        : hosts.DcsEndpoints.Count == 0 ? throw Unsupported(state, "it lists no DCS (etcd) endpoint")
        : hosts;

    private static HyopsException Unsupported(ModuleState state, string why) =>
        HyopsException.From(DiagnosticCatalog.HostsContractUnsupported, $"hosts_state_ref '{state.ModuleRef}{(state.Instance is null ? "" : "#" + state.Instance)}': {why}");
}
