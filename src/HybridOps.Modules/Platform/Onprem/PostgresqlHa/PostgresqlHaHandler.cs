using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Patroni;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlHa;

/// <summary>
/// platform/onprem/postgresql-ha. apply_mode `assess` publishes the source cluster contract (read-only);
/// `status` re-runs the assessment live without touching state; `destroy` retires the published
/// contract and touches nothing on the cluster.
/// </summary>
public sealed class PostgresqlHaHandler(Func<PatroniClient> patroniFactory) : IModuleHandler
{
    public const string Ref = "platform/onprem/postgresql-ha";
    public const string InventoryContract = "onprem-inventory/v1";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        var mode = context.Inputs.String("apply_mode");
        if (!context.Spec.ApplyModes.Contains(mode ?? ""))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid,
                $"apply_mode '{mode}' is not supported (supported: {string.Join(", ", context.Spec.ApplyModes)})");
        }

        var inventory = context.Inputs.State("inventory_state_ref")
            ?? throw HyopsException.From(DiagnosticCatalog.InputRequired, "input 'inventory_state_ref' must reference the source cluster inventory");
        var version = inventory.Outputs.Str("contract_version");
        if (version != InventoryContract)
        {
            throw HyopsException.From(DiagnosticCatalog.StateContractVersion,
                $"inventory state '{inventory.ModuleRef}' has contract_version '{version ?? "none"}', this module reads '{InventoryContract}'");
        }
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        if (context.Action == "destroy")
        {
            context.Evidence.Note("destroy retires the published source contract; nothing on the cluster is changed");
            return ModuleOutcome.Destroyed();
        }

        context.Progress.Report("assessing Patroni cluster");
        var outputs = await new ClusterAssessment(patroniFactory(), context).RunAsync(cancellationToken);
        return ModuleOutcome.Ok(outputs);
    }
}
