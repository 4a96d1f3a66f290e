using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Providers.Managed;

namespace HybridOps.Providers.Gcp;

/// <summary>A Cloud SQL `sql#instance` resource as the provider-neutral <see cref="ManagedInstance"/>.</summary>
internal static class GcpInstanceMapper
{
    public static ManagedInstance ToInstance(JsonObject i)
    {
        var settings = i["settings"] as JsonObject ?? [];
        var labels = settings["userLabels"] as JsonObject;
        var promoted = labels?[GcpNames.PromotedAtLabel]?.GetValue<string>() is { } p && long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var secs)
            ? DateTimeOffset.FromUnixTimeSeconds(secs) : (DateTimeOffset?)null;
        return new ManagedInstance
        {
            Name = i["name"]!.GetValue<string>(),
            State = State(i),
            IpAddress = Address(i) ?? "",
            Port = 5432,
            DatabaseVersion = i["databaseVersion"]?.GetValue<string>() ?? "",
            Role = IsReplica(i) ? InstanceRole.Replica : InstanceRole.Primary,
            Settings = new InstanceSettings(settings["tier"]?.GetValue<string>() ?? "", i["region"]?.GetValue<string>() ?? "",
                [.. (settings["ipConfiguration"]?["authorizedNetworks"] as JsonArray ?? []).Select(n => n?["value"]?.GetValue<string>() ?? "")]),
            AdminUser = labels?[GcpNames.AdminUserLabel]?.GetValue<string>() ?? "postgres",
            CreatedAt = DateTimeOffset.TryParse(i["createTime"]?.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var c) ? c : DateTimeOffset.UnixEpoch,
            PromotedAt = promoted,
            DatabaseFlags = (settings["databaseFlags"] as JsonArray ?? []).OfType<JsonObject>()
                .ToImmutableDictionary(f => f["name"]!.GetValue<string>(), f => f["value"]?.GetValue<string>() ?? "", StringComparer.Ordinal),
        };
    }

    /// <summary>A replica until promoted: READ_REPLICA_INSTANCE, or still naming a master (DMS's source representation).</summary>
    public static bool IsReplica(JsonObject i) =>
        i["instanceType"]?.GetValue<string>() == "READ_REPLICA_INSTANCE" || i["masterInstanceName"] is not null;

    /// <summary>The PRIMARY (public) address, else the PRIVATE one.</summary>
    public static string? Address(JsonObject i)
    {
        var all = (i["ipAddresses"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        return (all.FirstOrDefault(a => a["type"]?.GetValue<string>() == "PRIMARY") ?? all.FirstOrDefault(a => a["type"]?.GetValue<string>() == "PRIVATE"))?["ipAddress"]?.GetValue<string>();
    }

    public static ProviderOperation ToOperation(JsonObject op, string fallbackType, string target, DateTimeOffset started, DateTimeOffset ended) => new(
        op["name"]?.GetValue<string>() ?? "",
        op["operationType"]?.GetValue<string>() ?? (op["metadata"]?["verb"]?.GetValue<string>() ?? fallbackType).ToUpperInvariant(),
        op["targetId"]?.GetValue<string>() ?? target,
        op["status"]?.GetValue<string>() ?? (op["done"]?.GetValue<bool>() == true ? "DONE" : "RUNNING"),
        started,
        ended);

    private static InstanceState State(JsonObject i) => i["state"]?.GetValue<string>() switch
    {
        "RUNNABLE" when i["settings"]?["activationPolicy"]?.GetValue<string>() != "NEVER" => InstanceState.Runnable,
        "RUNNABLE" or "STOPPED" or "SUSPENDED" => InstanceState.Stopped,
        "PENDING_CREATE" or "MAINTENANCE" => InstanceState.PendingCreate,
        _ => InstanceState.Failed,
    };
}
