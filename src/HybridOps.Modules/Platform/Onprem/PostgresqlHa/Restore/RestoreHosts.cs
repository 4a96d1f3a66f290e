using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Core.State;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa.Restore;

/// <summary>
/// One host a restored member runs on, and where its files live on it (&lt;data_root&gt;/&lt;name&gt;/).
/// <see cref="Ssh"/> is how hyops reaches it over SSH (every host of a restore target has it).
/// </summary>
public sealed record RestoreHost(string Name, string Host, int PgPort, int ApiPort, string Dir)
{
    public SiteHost? Ssh { get; init; }

    /// <summary>The host's service manager (systemd or start-stop-daemon); used with <see cref="Ssh"/>.</summary>
    public string ServiceManager { get; init; } = ServiceManagers.Systemd;

    public string DataDir => Path.Combine(Dir, "data");
    public string SocketDir => Path.Combine(Dir, "run");
    public string PatroniConfig => Path.Combine(Dir, "patroni.yml");
    public string PatroniLog => Path.Combine(Dir, "patroni.log");
    public string PgPass => Path.Combine(Dir, "pgpass");
    public string PgBackRestConfig => Path.Combine(Dir, "pgbackrest.conf");
    public string PgBackRestDir => Path.Combine(Dir, "pgbackrest");

    /// <summary>The CA certificate Patroni verifies an https etcd with (a copy of the hosts contract's etcd CA file).</summary>
    public string EtcdCaFile => Path.Combine(Dir, "etcd-ca.crt");
    public string ApiUrl => $"http://{Host}:{ApiPort}";
}

/// <summary>
/// The restore target normalized from either hosts contract: dr-hosts/v1 (the cloud site) or
/// onprem-inventory/v1 (failback rebuild on the on-prem hosts). Endpoints are host:port. <see cref="Source"/>
/// is the hosts state's ref with its instance (`org/gcp/dr-hosts#drill`), as a state ref input takes it.
/// </summary>
public sealed record RestoreHosts(string Source, IReadOnlyList<RestoreHost> Hosts, IReadOnlyList<string> DcsEndpoints, string DataRoot, string OsUser)
{
    public const string DrHostsContract = "dr-hosts/v1";
    public const string InventoryContract = "onprem-inventory/v1";

    /// <summary>Something answers on the member's PostgreSQL or REST port.</summary>
    public static bool PortsTaken(RestoreHost h) => Org.DrHosts.SiteProbe.Answers(h.Host, h.PgPort) || Org.DrHosts.SiteProbe.Answers(h.Host, h.ApiPort);

    /// <summary>The networks pg_hba admits for clients and replication (CIDRs).</summary>
    public IReadOnlyList<string> ClientNetworks { get; init; } = [];

    /// <summary>"http" or "https": how the DCS endpoints are reached.</summary>
    public string DcsScheme { get; init; } = "http";

    /// <summary>The CA certificate file (on this machine) an https DCS is verified with; null: the system trust store.</summary>
    public string? DcsCaFile { get; init; }

    /// <summary>etcdctl's endpoint and trust options.</summary>
    public IReadOnlyList<string> EtcdctlOptions =>
        [$"--endpoints={string.Join(',', DcsEndpoints.Select(e => $"{DcsScheme}://{e}"))}", .. DcsCaFile is null ? Array.Empty<string>() : [$"--cacert={DcsCaFile}"]];

    public static RestoreHosts From(ModuleContext context, ModuleState hostsState)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(hostsState);
        var o = hostsState.Outputs;
        var explicitRoot = context.Inputs.String("data_root");
        var source = new StateRef(hostsState.ModuleRef, hostsState.Instance).ToString();
        switch (o.Str("contract_version"))
        {
            case DrHostsContract:
            {
                var root = explicitRoot ?? o.Str("data_root") ?? throw Unsupported(hostsState, "it publishes no data_root");
                var hosts = o.Objects("hosts").Select(h => WithAccess(h, new RestoreHost(h.Str("name")!, h.Str("host")!, h.Int("pg_port") ?? 5432, h.Int("api_port") ?? 8008,
                    Path.Combine(root, h.Str("name")!)))).ToList();
                var urls = (o["dcs"]?["endpoints"] as JsonArray ?? []).Select(e => (string)e!).ToList();
                return Checked(context, hostsState, new RestoreHosts(source, hosts, [.. urls.Select(Normalize)], root, o.Str("os_user") ?? "postgres")
                {
                    ClientNetworks = Networks(context, o), DcsScheme = EtcdTls.Scheme(urls), DcsCaFile = (o["dcs"] as JsonObject).Str("ca_file") is { Length: > 0 } ca ? ca : null,
                });
            }

            case InventoryContract:
            {
                // Failback rebuild on the on-prem hosts: a module-owned tree under the inventory's rebuild_root,
                // never the member dirs of the cluster it replaces.
                var root = explicitRoot
                    ?? (SitePaths.RebuildRoot(o) is { } rebuild ? Path.Combine(rebuild, context.Inputs.String("cluster_name")!) : null)
                    ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'data_root' is required to rebuild on inventory hosts (the inventory publishes no rebuild_root)");
                var hosts = o.Objects("members").Select(m => WithAccess(m, new RestoreHost(m.Str("name")!, m.Str("host")!, m.Int("pg_port") ?? 5432,
                    new Uri(m.Str("api_url")!).Port, Path.Combine(root, m.Str("name")!)))).ToList();
                var urls = (o["etcd_endpoints"] as JsonArray ?? []).Select(e => (string)e!).ToList();
                return Checked(context, hostsState, new RestoreHosts(source, hosts, [.. urls.Select(Normalize)], root, context.Inputs.String("os_user") ?? "postgres")
                {
                    ClientNetworks = Networks(context, o), DcsScheme = EtcdTls.Scheme(urls), DcsCaFile = o.Str("etcd_ca_file") is { Length: > 0 } ca ? ca : null,
                });
            }

            default:
                throw Unsupported(hostsState, $"its contract_version is '{o.Str("contract_version") ?? "none"}'");
        }
    }

    /// <summary>"http://127.0.2.1:2379" and "127.0.2.1:2379" both become "127.0.2.1:2379".</summary>
    public static string Normalize(string endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? $"{uri.Host}:{uri.Port}" : endpoint.TrimEnd('/');

    /// <summary>A host entry that declares ssh access (the inventory's member shape) is reached over SSH.</summary>
    private static RestoreHost WithAccess(JsonObject entry, RestoreHost host) =>
        (entry["ssh"] as JsonObject).Str("transport") == SiteHost.SshTransport
            ? host with { Ssh = InventoryHosts.ToSiteHost(entry), ServiceManager = entry.Str("service_manager") ?? ServiceManagers.Systemd }
            : host;

    /// <summary>Input client_networks, else the hosts contract's.</summary>
    private static IReadOnlyList<string> Networks(ModuleContext context, JsonObject published)
    {
        var given = context.Inputs.Values["client_networks"] as JsonArray is { Count: > 0 } input ? input : published["client_networks"] as JsonArray;
        return given is { Count: > 0 } ? [.. given.Select(n => (string)n!)] : [];
    }

    private static RestoreHosts Checked(ModuleContext context, ModuleState state, RestoreHosts hosts)
    {
        if (hosts.Hosts.Count == 0)
        {
            throw Unsupported(state, "it lists no hosts");
        }

        if (hosts.DcsEndpoints.Count == 0)
        {
            throw Unsupported(state, "it lists no DCS (etcd) endpoint");
        }

        if (hosts.DcsCaFile is { } ca && !File.Exists(ca))
        {
            throw Unsupported(state, $"its etcd CA file {ca} does not exist on this machine (put the CA's PEM certificate back there, or deploy the hosts contract again with the etcd_ca_file it now has)");
        }

        if (hosts.Hosts.FirstOrDefault(h => h.Ssh is null) is { } local)
        {
            throw Unsupported(state, $"host {local.Name} is not reached over ssh (its entry has no ssh access): a restored cluster's members are hosts hyops reaches over ssh");
        }

        foreach (var n in hosts.ClientNetworks)
        {
            if (!Postgres.Sql.Cidr.TryParse(n, out _))
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"client_networks entry '{n}' is not a CIDR like 169.254.250.16/28");
            }
        }

        return hosts.ClientNetworks.Count > 0 ? hosts : throw HyopsException.From(DiagnosticCatalog.InputRequired,
            $"input 'client_networks' is required for a cluster on ssh hosts (hosts_state_ref '{state.ModuleRef}' publishes none): the CIDRs pg_hba admits for the members, hyops and the applications");
    }

    private static HyopsException Unsupported(ModuleState state, string why) =>
        HyopsException.From(DiagnosticCatalog.HostsContractUnsupported, $"hosts_state_ref '{state.ModuleRef}{(state.Instance is null ? "" : "#" + state.Instance)}': {why}");
}
