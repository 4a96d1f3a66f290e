using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlFence;

/// <summary>
/// platform/onprem/postgresql-fence: makes a Patroni cluster unable to take writes and proves it
/// with write probes (apply_mode fence), or only proves it (verify). destroy unfences: restores
/// the saved pg_hba through Patroni and proves a write succeeds again.
/// </summary>
public sealed class PostgresqlFenceHandler(Func<PatroniClient> patroniFactory) : IModuleHandler
{
    public const string Ref = "platform/onprem/postgresql-fence";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        var mode = context.Inputs.String("apply_mode");
        if (!context.Spec.ApplyModes.Contains(mode ?? ""))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"input 'apply_mode' is '{mode}' (supported: {string.Join(", ", context.Spec.ApplyModes)})");
        }

        var cluster = HaClusterState.From(context.Inputs.State("cluster_state_ref"), "cluster_state_ref");
        KeepRules(context, cluster);
        if (context.Action == "destroy" || (context.Action == "deploy" && mode == "fence"))
        {
            var confirm = context.Inputs.String("fence_confirm");
            if (confirm is null)
            {
                throw HyopsException.From(DiagnosticCatalog.FenceConfirmRequired, $"input 'fence_confirm' is empty; to {(context.Action == "destroy" ? "unfence" : "fence")} cluster '{cluster.ClusterName}' set fence_confirm: \"{cluster.ClusterName}\"");
            }

            if (confirm != cluster.ClusterName)
            {
                throw HyopsException.From(DiagnosticCatalog.FenceConfirmMismatch, $"fence_confirm is '{confirm}' but the cluster state names '{cluster.ClusterName}'");
            }
        }
    }

    /// <summary>
    /// The pg_hba lines the fence keeps before its reject: the pg_hba_rules_added of the state named by
    /// keep_rules_state_ref (the DR source's consumer allowlist). Refused (HYO2070) when one could open writes.
    /// </summary>
    internal static IReadOnlyList<string> KeepRules(ModuleContext context, HaClusterState cluster)
    {
        if (context.Inputs.String("keep_rules_state_ref") is null)
        {
            return [];
        }

        var state = context.Inputs.State("keep_rules_state_ref")
            ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'keep_rules_state_ref' must reference a published state");
        // The source's reject lines for its role need no keeping: the fence rejects every address after the kept lines.
        var lines = state.Outputs["pg_hba_rules_added"] is JsonArray a
            ? a.Select(n => n?.GetValue<string>() ?? "").Where(l => HbaLine.Parse(l) is not { Method: "reject" }).ToList()
            : [];
        var forbidden = new[] { cluster.DbUser, context.Inputs.String("probe_user"), "postgres" };
        foreach (var line in lines)
        {
            if (FenceRules.Unsafe(line, forbidden) is { } why)
            {
                throw HyopsException.From(DiagnosticCatalog.FenceKeepRuleInvalid, $"'{line}' from {state.ModuleRef} pg_hba_rules_added: {why}; nothing was changed");
            }
        }

        return lines;
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        var cluster = HaClusterState.From(context.Inputs.State("cluster_state_ref"), "cluster_state_ref");
        var mode = context.Inputs.String("apply_mode")!;
        var run = new FenceRun(cluster, patroniFactory(), context);
        if (context.Action == "destroy")
        {
            context.Evidence.Guard("fence_confirm", true, new JsonObject { ["cluster_name"] = cluster.ClusterName, ["action"] = "unfence" });
            await run.UnfenceAsync(cancellationToken);
            return ModuleOutcome.Destroyed();
        }

        var previousHba = context.Previous?.Outputs["previous_pg_hba"] as JsonArray;
        if (context.Action == "deploy" && mode == "fence")
        {
            context.Evidence.Guard("fence_confirm", true, new JsonObject { ["cluster_name"] = cluster.ClusterName, ["action"] = "fence" });
            context.Progress.Report($"fencing cluster {cluster.ClusterName} through Patroni");
            previousHba = await run.ApplyAsync(previousHba, KeepRules(context, cluster), cancellationToken);
        }

        var probes = await run.ProbeAsync(settle: mode == "fence" && context.Action == "deploy", cancellationToken);
        var open = probes.Where(p => p.Write.AcceptsWrites).ToList();
        var method = probes.All(p => !p.Reachable) ? "unreachable" : probes.All(p => p.Reachable) ? "pg_hba-reject" : "mixed";
        var outputs = new JsonObject
        {
            ["cluster_name"] = cluster.ClusterName,
            ["fenced"] = open.Count == 0,
            ["fenced_at"] = open.Count == 0 ? context.Previous?.Outputs.Str("fenced_at") is { } at && mode == "verify" ? at : context.Time.GetUtcNow().ToString("O") : null,
            ["members"] = new JsonArray(probes.Select(p => (JsonNode?)p.ToJson()).ToArray()),
            ["method"] = method,
            ["previous_pg_hba"] = previousHba?.DeepClone() ?? new JsonArray(),
            ["apply_mode"] = mode,
            ["kept_rules"] = KeepRules(context, cluster).ToJsonArray(),
        };
        context.Evidence.Check("cluster_fenced", open.Count == 0, new JsonObject { ["method"] = method, ["members"] = outputs["members"]!.DeepClone() },
            open.Count == 0 ? null : (mode == "verify" || context.Action == "status" ? DiagnosticCatalog.FenceVerifyFailed : DiagnosticCatalog.FenceNotProven).Code);
        if (open.Count > 0)
        {
            var who = string.Join(", ", open.Select(p => $"{p.Member.Name} ({p.Member.Host}:{p.Member.Port})"));
            if (mode == "verify" || context.Action == "status")
            {
                throw HyopsException.From(DiagnosticCatalog.FenceVerifyFailed, $"cluster '{cluster.ClusterName}': {who} accepted a read-write transaction");
            }

            throw HyopsException.From(run.PatroniReached ? DiagnosticCatalog.FenceNotProven : DiagnosticCatalog.FencePatroniUnreachable,
                $"cluster '{cluster.ClusterName}': {who} still accepted a read-write transaction");
        }

        return ModuleOutcome.Ok(outputs);
    }
}
