using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Providers.Managed;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>
/// Where the managed instance lives: provider local on the host named by provider_host (reached over
/// ssh), or provider gcp in a Google Cloud project. Pure (reads inputs and state only).
/// </summary>
internal static class ManagedSite
{
    public const string SiteName = "managed";

    public static ProviderLocation Resolve(ModuleContext context)
    {
        var provider = context.Inputs.String("provider") ?? "local";
        if (provider == "local" && context.Inputs.Values["provider_host"] is JsonObject { Count: > 0 } entry)
        {
            return OnHost(context, entry);
        }

        if (provider == "local")
        {
            throw HyopsException.From(DiagnosticCatalog.InputRequired,
                "provider local needs input 'provider_host': the host its PostgreSQL runs on, with its ssh access as in a site inventory (`hyops lab up` prints the lab's as managed_site)");
        }

        if (provider == "gcp")
        {
            // gcp: {project, region, credentials_env, api_endpoints, poll_interval_ms, operation_budget_s}; region defaults to the module's region input.
            var gcp = context.Inputs.Values["gcp"]?.DeepClone() as JsonObject ?? [];
            if (gcp["region"]?.GetValue<string>() is null or "")
            {
                gcp["region"] = context.Inputs.String("region");
            }

            var settings = ProviderLocation.GcpFromJson(gcp) ?? throw HyopsException.From(DiagnosticCatalog.InputRequired,
                "provider gcp needs input 'gcp.project': the Google Cloud project that holds the instance (see docs/gcp.md)");
            if (settings.Region.Length == 0)
            {
                throw HyopsException.From(DiagnosticCatalog.InputRequired, "provider gcp needs a region (input 'region' or 'gcp.region'), e.g. europe-west2");
            }

            return new ProviderLocation(provider, "", "") { Gcp = settings };
        }

        throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"provider '{provider}' must be one of local, gcp");
    }

    /// <summary>The default data root of the local provider on a host.</summary>
    public const string HostDataRoot = "/var/lib/postgresql/hyops-managed";

    private static ProviderLocation OnHost(ModuleContext context, JsonObject entry)
    {
        try
        {
            _ = Postgres.Hosts.SiteHostEntry.Parse(entry);
            if (Postgres.Hosts.SiteHostEntry.ServiceManager(entry) is not (Postgres.Hosts.ServiceManagers.Systemd or Postgres.Hosts.ServiceManagers.StartStopDaemon) and var kind)
            {
                throw new ArgumentException($"service_manager '{kind}' is not one of systemd, start-stop-daemon");
            }
        }
        catch (ArgumentException ex)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"provider_host: {ex.Message}; give name, host and ssh access as in a site inventory (docs/sites.md)");
        }

        var dataRoot = context.Inputs.String("data_root") ?? HostDataRoot;
        if (!dataRoot.StartsWith('/'))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"data_root '{dataRoot}' must be an absolute path on host {entry.Str("name")}");
        }

        return new ProviderLocation("local", dataRoot, "") { Host = (JsonObject)entry.DeepClone() };
    }

    /// <summary>
    /// The fence acts on the instance this module's state recorded, wherever it lives: its provider
    /// location comes from that state (a failback blueprint fences a gcp or a local instance with the
    /// same inputs). Any other mode, or no state yet: <see cref="Resolve"/>.
    /// </summary>
    public static ProviderLocation ResolveRecorded(ModuleContext context) =>
        context.Inputs.String("apply_mode") == "fence" && ProviderLocation.FromJson(context.Previous?.Outputs["provider_location"]) is { } recorded
            ? recorded
            : Resolve(context);
}
