using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.CloudsqlPromote;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Providers.Managed;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPromoteDrill;

/// <summary>
/// org/gcp/cloudsql-promote-drill: the premium lane's no-cutover drill. Proves the standby promotable
/// with the promotion's own pre-fence checks and a barrier, promotes a clone of it where the provider
/// can clone, and proves the real standby undisturbed afterwards. No fence, no promotion of the
/// standby, no DNS. Every refusal happens in Validate, before anything is touched.
/// </summary>
public sealed class CloudsqlPromoteDrillHandler(ManagedProviders providers) : IModuleHandler
{
    public const string Ref = "org/gcp/cloudsql-promote-drill";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Action == "destroy")
        {
            return;
        }

        var link = DrLink.From(context, "source_state_ref", "target_state_ref");
        var replica = DrLink.Require(context, "replica_state_ref", "cloudsql-external-replica/v1");
        if (replica.Str("target_instance") != link.TargetName)
        {
            throw HyopsException.From(DiagnosticCatalog.ManagedTargetMismatch,
                $"replica state feeds '{replica.Str("target_instance")}', target state is '{link.TargetName}'");
        }

        NoCutoverInputs.From(context, link.TargetName);
        if (context.Inputs.String("drill_confirm") != link.TargetName)
        {
            throw HyopsException.From(DiagnosticCatalog.NoCutoverNotConfirmed,
                $"drill_confirm is '{context.Inputs.String("drill_confirm") ?? "(missing)"}'; it must be the standby's instance name '{link.TargetName}'; nothing was changed");
        }

        providers.Create(CloudsqlPromoteHandler.Location(link), context.Secrets.Resolve);
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Action == "destroy")
        {
            context.Evidence.Note("destroy retires the drill record; the standby, its clone and production are not touched");
            return ModuleOutcome.Destroyed();
        }

        var link = DrLink.From(context, "source_state_ref", "target_state_ref");
        var inputs = NoCutoverInputs.From(context, link.TargetName);
        var provider = providers.Create(CloudsqlPromoteHandler.Location(link), context.Secrets.Resolve);
        try
        {
            context.Evidence.Guard("drill_confirm", true, new JsonObject
            {
                ["instance_name"] = link.TargetName, ["typed"] = context.Inputs.String("drill_confirm"), ["at"] = context.Time.GetUtcNow().ToString("O"),
                ["run_id"] = context.RunId, ["production_writes"] = NoCutoverDrill.ProductionWrites,
            });
            context.Progress.Report($"no-cutover drill of '{link.TargetName}': checks, barrier{(inputs.CloneEnabled ? $", clone '{inputs.CloneName}'" : "")}; no fence, no promotion of the standby, no DNS change");
            return await new NoCutoverDrill(context, link, provider, inputs).RunAsync(cancellationToken);
        }
        finally
        {
            CloudsqlPostgresql.CloudsqlPostgresqlHandler.RecordActions(context, provider);

            if (provider is IAsyncDisposable d)
            {
                await d.DisposeAsync();
            }
        }
    }
}
