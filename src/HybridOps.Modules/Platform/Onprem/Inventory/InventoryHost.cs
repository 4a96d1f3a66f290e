using System.Net;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Modules.Common;

namespace HybridOps.Modules.Platform.Onprem.Inventory;

/// <summary>
/// One database host of a site inventory, normalized: how hyops reaches it (ssh, become), where
/// PostgreSQL lives on it (Debian layout by default) and its Patroni REST API. Published as the
/// members[] entries of the onprem-inventory/v1 contract; the older {name, host, pg_port, api_url}
/// fields stay where they were so every consumer keeps working.
/// </summary>
internal sealed record InventoryHost(
    string Name,
    string Host,
    int PgPort,
    string ApiUrl,
    HostAccess Access,
    PostgresLayout Layout,
    PatroniAccess Patroni)
{
    public static InventoryHost Parse(JsonObject m, PostgresLayout defaults)
    {
        var name = m.Str("name") ?? throw Invalid("?", "needs a name");
        var host = m.Str("host") ?? throw Invalid(name, "needs host (an address or a DNS name)");
        if (!IPAddress.TryParse(host, out _) && Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw Invalid(name, $"host '{host}' is not an address or host name");
        }

        var pgPort = m.Int("pg_port") ?? 5432;
        var apiUrl = m.Str("api_url") ?? (m["patroni"] as JsonObject).Str("url") ?? $"http://{HostForUrl(host)}:8008";
        if (pgPort is < 1 or > 65535)
        {
            throw Invalid(name, $"pg_port {pgPort} is not a TCP port");
        }

        if (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var api) || api.Scheme is not ("http" or "https"))
        {
            throw Invalid(name, $"api_url '{apiUrl}' is not an http(s) URL");
        }

        return new InventoryHost(name, host, pgPort, apiUrl,
            HostAccess.Parse(name, m["ssh"] as JsonObject, m.Str("become"), m.Str("service_user"), m.Str("service_manager")),
            PostgresLayout.Parse(name, m["postgres"] as JsonObject, defaults),
            PatroniAccess.Parse(name, m["patroni"] as JsonObject, api));
    }

    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["host"] = Host,
        ["pg_port"] = PgPort,
        ["api_url"] = ApiUrl,
        ["ssh"] = Access.SshJson(),
        ["become"] = Access.Become,
        ["service_user"] = Access.ServiceUser,
        ["service_manager"] = Access.ServiceManager,
        ["postgres"] = Layout.ToJson(),
        ["patroni"] = Patroni.ToJson(),
    };

    internal static HyopsException Invalid(string member, string what) =>
        HyopsException.From(DiagnosticCatalog.InventoryHostInvalid, $"inventory member '{member}' {what}");

    private static string HostForUrl(string host) => IPAddress.TryParse(host, out var a) && a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{host}]" : host;
}
