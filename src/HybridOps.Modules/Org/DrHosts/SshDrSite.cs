using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Platform.Onprem.Inventory;
using HybridOps.Postgres.Hosts;

namespace HybridOps.Modules.Org.DrHosts;

/// <summary>
/// dr-hosts provider `hosts`: the DR site is a set of hosts the operator already has (cloud VMs,
/// or the lab's DR hosts), declared like inventory members (address, ssh access, become, service
/// user and manager, PostgreSQL layout), and the site's etcd endpoints. Deploy and status prove
/// every host answers over ssh as the login user and as the service user, and that the DCS is
/// healthy; nothing is installed or started. The contract publishes the hosts WITH their access,
/// so a restore reaches them over ssh.
/// </summary>
internal static class SshDrSite
{
    public const string Provider = "hosts";
    public const string DefaultDataRoot = "/var/lib/postgresql/hyops";

    public static IReadOnlyList<InventoryHost> Hosts(ModuleContext context)
    {
        var raw = context.Inputs.Values.Objects("hosts").ToList();
        if (raw.Count == 0)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, "provider hosts needs input 'hosts': the DR site's database hosts, each with name, host and ssh access (like inventory members)");
        }

        var hosts = raw.Select(h => InventoryHost.Parse(h, PostgresLayout.FromDefaults(context.Inputs.Values["postgres_defaults"] as JsonObject))).ToList();
        if (hosts.FirstOrDefault(h => h.Access.Transport != SiteHost.SshTransport) is { } local)
        {
            throw HyopsException.From(DiagnosticCatalog.InventoryHostInvalid, $"dr host '{local.Name}' must be reached over ssh (ssh.transport ssh): hyops reaches every DR host over ssh");
        }

        if (hosts.GroupBy(h => h.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"dr host names must be unique: '{dup.Key}' appears {dup.Count()} times");
        }

        if (EtcdUrls(context).Count == 0)
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired, "provider hosts needs input 'etcd_endpoints': the DR site's etcd client URLs (http://host:2379, or https://host:2379 with etcd_ca_file)");
        }

        EtcdTls.Validate(EtcdUrls(context), context.Inputs.String("etcd_ca_file"), "etcd_endpoints");

        if (context.Inputs.String("data_root") is { } root && !root.StartsWith('/'))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"data_root '{root}' must be an absolute path on the hosts");
        }

        foreach (var n in context.Inputs.Values["client_networks"] as JsonArray ?? [])
        {
            if (!Postgres.Sql.Cidr.TryParse((string?)n ?? "", out _))
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"client_networks entry '{n}' is not a CIDR like 169.254.250.16/28");
            }
        }

        return hosts;
    }

    public static async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken ct)
    {
        if (context.Action == "destroy")
        {
            context.Evidence.Note("destroy retires the dr-hosts contract; nothing on the hosts is changed (a restored cluster is destroyed by its own module)");
            return ModuleOutcome.Destroyed();
        }

        var hosts = Hosts(context);

        foreach (var h in hosts)
        {
            var site = InventoryHosts.ToSiteHost(h.ToJson());
            await using var executor = HostExecutors.Create(site);
            var login = await executor.RunAsync(new HostCommand(["true"]) { Timeout = TimeSpan.FromSeconds(30) }, ct);
            var asService = await executor.RunAsync(new HostCommand(["id", "-un"]) { RunAs = site.ServiceUser, Timeout = TimeSpan.FromSeconds(30) }, ct);
            var ok = login.Succeeded && asService.Succeeded && asService.StdOut.Trim() == site.ServiceUser;
            context.Evidence.Check($"host_reachable:{h.Name}", ok, new JsonObject
            {
                ["host"] = site.ToString(), ["login_ms"] = Math.Round(login.Duration.TotalMilliseconds), ["service_user"] = site.ServiceUser, ["as_service_user"] = asService.StdOut.Trim(),
            }, ok ? null : DiagnosticCatalog.SiteStartFailed.Code);
            if (!ok)
            {
                throw HyopsException.From(DiagnosticCatalog.SiteStartFailed,
                    $"dr host {site}: commands as '{site.ServiceUser}' fail ({asService.StdErr.Trim()}); the login user needs passwordless sudo to it (become sudo) or must be it (become none)");
            }
        }

        var urls = EtcdUrls(context);
        var healthy = new List<string>();
        foreach (var url in urls)
        {
            if (await SiteProbe.EtcdHealthyAsync(url, context.Inputs.String("etcd_ca_file"), ct))
            {
                healthy.Add(url);
            }
        }

        context.Evidence.Check("etcd_healthy", healthy.Count > 0, new JsonObject { ["endpoints"] = urls.ToJsonArray(), ["healthy"] = healthy.ToJsonArray() });
        if (healthy.Count == 0)
        {
            throw HyopsException.From(DiagnosticCatalog.DcsUnreachable, $"no etcd endpoint of the DR site answers healthy: {string.Join(", ", urls)}");
        }

        context.Progress.Report($"site {context.Inputs.String("site")}: {hosts.Count} host(s) answer over ssh, etcd healthy on {healthy[0]}");
        return ModuleOutcome.Ok(new JsonObject
        {
            ["site"] = context.Inputs.String("site"),
            ["provider"] = Provider,
            ["hosts"] = new JsonArray([.. hosts.Select(h =>
            {
                var entry = h.ToJson();
                entry["api_port"] = new Uri(h.ApiUrl).Port;
                return (JsonNode)entry;
            })]),
            ["dcs"] = new JsonObject { ["kind"] = "etcd3", ["endpoints"] = urls.ToJsonArray(), ["ca_file"] = context.Inputs.String("etcd_ca_file") },
            ["data_root"] = context.Inputs.String("data_root") ?? DefaultDataRoot,
            ["work_root"] = context.Inputs.String("work_root"),
            ["client_networks"] = (context.Inputs.Values["client_networks"] as JsonArray ?? []).DeepClone(),
            ["os_user"] = hosts[0].Access.ServiceUser,
            ["executor"] = "ssh",
            ["etcd_healthy"] = true,
        });
    }

    private static List<string> EtcdUrls(ModuleContext context) =>
        [.. (context.Inputs.Values["etcd_endpoints"] as JsonArray ?? []).Select(e => (string?)e).OfType<string>().Where(e => e.Length > 0)];
}
