using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Providers.Gcp;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPromote;

/// <summary>
/// Promotion preflight, run before the old primary is fenced (read-only on both ends): the standby is
/// promotable only with every subscription healthy and its apply worker running, the slot lag within
/// max_lag_bytes and no schema drift. Any failure refuses with HYO6103, nothing changed. The promote
/// step re-checks health and lag after the fence and proves it with the barrier.
/// </summary>
internal static class PromotionPreflight
{
    public static async Task RunAsync(ModuleContext context, DrLink link, GcpApis? gcp, CancellationToken ct)
    {
        if (!await ReplicationProbe.SourceReachableAsync(link, ct))
        {
            // A lost site is the allow_source_unreachable path of the promote step; nothing to measure here.
            context.Evidence.Check("preflight", context.Inputs.Bool("allow_source_unreachable"), new JsonObject { ["source_reachable"] = false },
                context.Inputs.Bool("allow_source_unreachable") ? null : DiagnosticCatalog.PromoteSourceUnreachable.Code);
            if (!context.Inputs.Bool("allow_source_unreachable"))
            {
                throw HyopsException.From(DiagnosticCatalog.PromoteSourceUnreachable, $"preflight: source {link.SourceHost}:{link.SourcePort} is unreachable; nothing was changed");
            }

            return;
        }

        var maxLag = (long)(context.Inputs.Values.Int("max_lag_bytes") ?? 0);
        var links = new List<LinkStatus>();
        var drift = new JsonArray();
        foreach (var db in link.Databases)
        {
            // Both are read-only, on their own connections: measured side by side, not one after the other.
            var compare = SchemaDrift.CompareAsync(link, db, ct);
            if (gcp is null)
            {
                var probe = ReplicationProbe.ProbeAsync(link, db, sourceReachable: true, ct);
                await Task.WhenAll(probe, compare);
                links.Add(await probe);
            }

            drift.Add((JsonNode)await compare);
        }

        // Provider gcp: DMS, not a hyops subscription, applies the changes: its job state and the source slots tell health and lag.
        var dms = gcp is null ? null : await DmsLinkCheck.ProbeAsync(link, gcp, ct);
        long? lag = dms is not null ? dms.LagBytes : links.Any(l => l.LagBytes is null) ? null : links.Max(l => l.LagBytes!.Value);
        var state = dms is not null ? dms.State : ReplicationProbe.StateOf(links, true);
        var failures = new List<string>();
        if (lag is not { } l0 || l0 > maxLag)
        {
            failures.Add($"slot lag {lag?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} bytes exceeds max_lag_bytes {maxLag.ToString(CultureInfo.InvariantCulture)}");
        }

        if (state != "streaming")
        {
            failures.Add($"replication is '{state}'" + (links.Any(x => x.SubscriptionExists && !x.WorkerRunning) ? " (apply worker not running)" : ""));
        }

        foreach (var report in drift.Select(d => d!.AsObject()).Where(d => d["drift"]!.GetValue<bool>()))
        {
            failures.Add($"schema drift in '{report["database"]}': {string.Join(", ", SchemaDrift.Names(report))}");
        }

        context.Evidence.Check("preflight", failures.Count == 0, new JsonObject
        {
            ["phase"] = "before the fence",
            ["replication_state"] = state,
            ["lag_bytes"] = lag,
            ["max_lag_bytes"] = maxLag,
            ["links"] = dms is not null ? dms.Links : new JsonArray([.. links.Select(x => (JsonNode?)x.ToJson())]),
            ["migration_job"] = dms?.Job.DeepClone(),
            ["schema_drift"] = drift,
            ["failures"] = failures.ToJsonArray(),
        }, failures.Count == 0 ? null : DiagnosticCatalog.PromotePreflightRefused.Code);
        if (failures.Count > 0)
        {
            throw HyopsException.From(DiagnosticCatalog.PromotePreflightRefused,
                $"standby '{link.TargetName}' is not promotable: {string.Join("; ", failures)}; nothing was changed (the on-prem cluster was not fenced)");
        }
    }
}
