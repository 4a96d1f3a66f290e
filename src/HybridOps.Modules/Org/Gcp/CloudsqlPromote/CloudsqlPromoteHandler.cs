using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Providers.Managed;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPromote;

/// <summary>
/// org/gcp/cloudsql-promote: lag- and barrier-checked promotion of the managed standby. Every refusal
/// happens before the first change; only this module's own state records it.
/// </summary>
public sealed class CloudsqlPromoteHandler(ManagedProviders providers) : IModuleHandler
{
    public const string Ref = "org/gcp/cloudsql-promote";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        var link = DrLink.From(context, "source_state_ref", "target_state_ref");
        var replica = DrLink.Require(context, "replica_state_ref", "cloudsql-external-replica/v1");
        if (replica.Str("target_instance") != link.TargetName)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedTargetMismatch,
                $"replica state feeds '{replica.Str("target_instance")}', target state is '{link.TargetName}'");
        }

        if ((context.Inputs.Values.Int("max_lag_bytes") ?? -1) < 0)
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, "max_lag_bytes must be a number >= 0");
        }

        if (context.Action == "deploy" && context.Inputs.String("promote_confirm") != link.TargetName)
        {
            throw HyopsException.From(DiagnosticCatalog.PromoteConfirmRequired,
                $"promote_confirm is '{context.Inputs.String("promote_confirm") ?? ""}', expected the instance name '{link.TargetName}'; nothing was changed");
        }

        providers.Create(Location(link), context.Secrets.Resolve);
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        var link = DrLink.From(context, "source_state_ref", "target_state_ref");
        var provider = providers.Create(Location(link), context.Secrets.Resolve);
        var instance = await provider.GetInstanceAsync(link.TargetName, cancellationToken);
        var runnable = instance is { State: InstanceState.Runnable };
        context.Evidence.Check("target_runnable", runnable, new JsonObject
        {
            ["instance_name"] = link.TargetName,
            ["state"] = instance is null ? "ABSENT" : ManagedInstance.StateName(instance.State),
            ["role"] = instance?.Role.ToString(),
        }, runnable ? null : DiagnosticCatalog.ManagedInstanceNotRunnable.Code);
        if (!runnable)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable, $"instance '{link.TargetName}' is not RUNNABLE");
        }

        if (context.Action == "destroy")
        {
            context.Evidence.Note("destroy retires this module's state only; the instance keeps its role and data");
            return ModuleOutcome.Destroyed();
        }

        if (context.Action == "status" && context.Inputs.Bool("preflight") && instance!.Role != InstanceRole.Primary)
        {
            try
            {
                await PromotionPreflight.RunAsync(context, link, (provider as Providers.Gcp.GcpManagedPostgres)?.Apis, cancellationToken);
            }
            finally
            {
                if (provider is Providers.Gcp.GcpManagedPostgres gcp)
                {
                    Providers.Gcp.GcpEvidence.Record(context.Evidence, gcp.Apis);
                }
            }
        }

        if (context.Action == "status" || instance!.Role == InstanceRole.Primary)
        {
            var outputs = (JsonObject?)context.Previous?.Outputs.DeepClone() ?? new JsonObject();
            outputs["role"] = instance!.Role == InstanceRole.Primary ? "primary" : "standby";
            if (context.Action != "status")
            {
                context.Evidence.Note($"instance '{link.TargetName}' is already primary (promoted at {instance.PromotedAt:O}); nothing done");
            }

            return ModuleOutcome.Ok(outputs);
        }

        context.Evidence.Guard("promote_confirm", true, new JsonObject { ["typed"] = context.Inputs.String("promote_confirm"), ["instance_name"] = link.TargetName });
        var promotion = new Promotion(context, link, provider, instance);
        try
        {
            return ModuleOutcome.Ok(await promotion.RunAsync(cancellationToken));
        }
        catch (HyopsException ex) when (FencedCluster(context) is { } cluster)
        {
            // After the fence "nothing was changed" is no longer true for production: say what stands and how to lift it.
            var first = ex.Diagnostics[0];
            context.Evidence.Check("fenced_not_promoted", false, new JsonObject { ["cluster_name"] = cluster, ["cause"] = first.Code, ["instance_name"] = link.TargetName },
                DiagnosticCatalog.FencedNotPromoted.Code);
            throw HyopsException.From(DiagnosticCatalog.FencedNotPromoted,
                $"on-prem cluster '{cluster}' is FENCED and '{link.TargetName}' was NOT promoted ({first.Code}: {first.Message}). "
                + $"Fix the cause and rerun the promote blueprint, or lift the fence: HYOPS_INPUT_FENCE_CONFIRM={cluster} hyops module destroy --module platform/onprem/postgresql-fence --instance {FenceInstance(context)}");
        }
    }

    /// <summary>The fenced cluster's name when fence_state_ref names a fence state that says fenced: true.</summary>
    private static string? FencedCluster(ModuleContext context) =>
        context.Inputs.State("fence_state_ref")?.Outputs is { } fence && fence["fenced"] is JsonValue v && v.TryGetValue<bool>(out var fenced) && fenced
            ? fence.Str("cluster_name") ?? "on-prem"
            : null;

    private static string FenceInstance(ModuleContext context) =>
        context.Inputs.String("fence_state_ref") is { } r && r.Contains('#', StringComparison.Ordinal) ? r[(r.IndexOf('#', StringComparison.Ordinal) + 1)..] : "latest";

    internal static ProviderLocation Location(DrLink link) =>
        ProviderLocation.FromJson(link.Target["provider_location"])
        ?? throw HyopsException.From(DiagnosticCatalog.StateContractVersion, "the target instance state publishes no provider_location");
}
