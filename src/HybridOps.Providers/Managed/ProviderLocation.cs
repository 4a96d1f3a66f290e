using System.Text.Json.Nodes;
using HybridOps.Providers.Gcp;

namespace HybridOps.Providers.Managed;

/// <summary>
/// Provider coordinates published in the instance contract so later modules reach the same provider:
/// for local, the data root and the managed site's address prefix; for gcp, project, region, the NAME
/// of the credentials env key and any API base URL overrides. Never a secret.
/// </summary>
public sealed record ProviderLocation(string Provider, string DataRoot, string AddressPrefix)
{
    /// <summary>Local provider on a host reached over SSH: the host's entry (name, host, ssh, become, service_user, service_manager).</summary>
    public JsonObject? Host { get; init; }

    /// <summary>Set when Provider is "gcp".</summary>
    public GcpSettings? Gcp { get; init; }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["provider"] = Provider, ["data_root"] = DataRoot, ["address_prefix"] = AddressPrefix };
        if (Host is not null)
        {
            json["host"] = Host.DeepClone();
        }

        if (Gcp is { } g)
        {
            var defaults = new GcpSettings(g.Project, g.Region);
            json["gcp"] = new JsonObject
            {
                ["project"] = g.Project,
                ["region"] = g.Region,
                ["credentials_env"] = g.CredentialsEnv,
                ["poll_interval_ms"] = (long)g.PollInterval.TotalMilliseconds,
                ["operation_budget_s"] = (long)g.OperationBudget.TotalSeconds,
                ["api_endpoints"] = new JsonObject
                {
                    ["sqladmin"] = g.SqlAdminBase == defaults.SqlAdminBase ? null : g.SqlAdminBase.ToString(),
                    ["datamigration"] = g.DataMigrationBase == defaults.DataMigrationBase ? null : g.DataMigrationBase.ToString(),
                    ["dns"] = g.DnsBase == defaults.DnsBase ? null : g.DnsBase.ToString(),
                },
            };
        }

        return json;
    }

    public static ProviderLocation? FromJson(JsonNode? node) =>
        node is JsonObject o && o["provider"]?.GetValue<string>() is { } p
            ? new ProviderLocation(p, o["data_root"]?.GetValue<string>() ?? "", o["address_prefix"]?.GetValue<string>() ?? "") { Gcp = GcpFromJson(o["gcp"] as JsonObject), Host = o["host"]?.DeepClone() as JsonObject }
            : null;

    /// <summary>gcp settings from a published location or from module inputs of the same shape.</summary>
    public static GcpSettings? GcpFromJson(JsonObject? g)
    {
        if (g?["project"]?.GetValue<string>() is not { Length: > 0 } project)
        {
            return null;
        }

        var settings = new GcpSettings(project, g["region"]?.GetValue<string>() ?? "")
        {
            CredentialsEnv = g["credentials_env"]?.GetValue<string>() is { Length: > 0 } env ? env : GcpSettings.DefaultCredentialsEnv,
        };
        if (Number(g, "poll_interval_ms") is { } poll)
        {
            settings = settings with { PollInterval = TimeSpan.FromMilliseconds(poll) };
        }

        if (Number(g, "operation_budget_s") is { } budget)
        {
            settings = settings with { OperationBudget = TimeSpan.FromSeconds(budget) };
        }

        var endpoints = g["api_endpoints"] as JsonObject;
        return settings with
        {
            SqlAdminBase = Endpoint(endpoints, "sqladmin") ?? settings.SqlAdminBase,
            DataMigrationBase = Endpoint(endpoints, "datamigration") ?? settings.DataMigrationBase,
            DnsBase = Endpoint(endpoints, "dns") ?? settings.DnsBase,
        };
    }

    private static long? Number(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<long>(out var n) && n > 0 ? n : null;

    private static Uri? Endpoint(JsonObject? endpoints, string api) =>
        endpoints?[api]?.GetValue<string>() is { Length: > 0 } url && Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri) ? uri : null;
}
