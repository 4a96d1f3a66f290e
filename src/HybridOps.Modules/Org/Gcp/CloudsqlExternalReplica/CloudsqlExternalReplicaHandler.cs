using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Postgres.Exec;
using HybridOps.Postgres.Patroni;
using HybridOps.Providers.Managed;

namespace HybridOps.Modules.Org.Gcp.CloudsqlExternalReplica;

/// <summary>
/// org/gcp/cloudsql-external-replica: the managed standby fed by logical replication from the on-prem
/// DR source. Everything it needs comes from state (DR source, managed instance, site inventory).
/// </summary>
public sealed class CloudsqlExternalReplicaHandler(Func<PatroniClient> patroniFactory, IProcessRunner runner, ManagedProviders providers) : IModuleHandler
{
    public const string Ref = "org/gcp/cloudsql-external-replica";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        var mode = context.Inputs.String("apply_mode");
        if (!context.Spec.ApplyModes.Contains(mode ?? ""))
        {
            throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"apply_mode '{mode}' is not supported (supported: {string.Join(", ", context.Spec.ApplyModes)})");
        }

        var link = DrLink.From(context, "source_state_ref", "target_state_ref");
        if (context.Action == "deploy" && mode == "establish")
        {
            var ready = link.Source["ready"] is JsonValue v && v.TryGetValue<bool>(out var r) && r;
            if (!ready)
            {
                throw HyopsException.From(DiagnosticCatalog.DrSourceNotReady,
                    $"the DR source '{link.Source.Str("source_cluster_name")}' publishes ready: false; nothing was changed");
            }

            if (link.Target.Str("role") != "standby")
            {
                throw HyopsException.From(DiagnosticCatalog.InputInvalid, $"target instance '{link.TargetName}' has role '{link.Target.Str("role")}'; only a standby can be fed");
            }
        }

        var confirm = context.Inputs.String("drop_target_data_confirm");
        if (context.Action == "destroy" && confirm is not null && confirm != link.TargetName)
        {
            throw HyopsException.From(DiagnosticCatalog.DestroyConfirmRequired,
                $"drop_target_data_confirm '{confirm}' does not name the target instance '{link.TargetName}'; nothing was changed");
        }
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        var link = DrLink.From(context, "source_state_ref", "target_state_ref");
        var location = ProviderLocation.FromJson(link.Target["provider_location"])
            ?? throw HyopsException.From(DiagnosticCatalog.StateContractVersion, "the target instance state publishes no provider_location");
        var provider = providers.Create(location, context.Secrets.Resolve);
        if (provider is Providers.Gcp.GcpManagedPostgres gcp)
        {
            // Cloud SQL is fed by Database Migration Service, not by a subscription hyops creates.
            var dms = new GcpReplicaRun(context, link, gcp);
            return context.Action switch
            {
                "destroy" => await dms.DestroyAsync(cancellationToken),
                "status" => await dms.StatusAsync(cancellationToken),
                _ when context.Inputs.String("apply_mode") == "status" => await dms.StatusAsync(cancellationToken),
                _ when context.Inputs.String("apply_mode") == "add_tables" => throw HyopsException.From(DiagnosticCatalog.InputInvalid,
                    "apply_mode add_tables is for provider local; with gcp, DMS replicates the tables it was started with (restart the job to add tables)"),
                _ => await dms.EstablishAsync(cancellationToken),
            };
        }

        var run = new ReplicaRun(context, link, patroniFactory(), runner, provider);
        return context.Action switch
        {
            "destroy" => await run.DestroyAsync(cancellationToken),
            "status" => await run.StatusAsync(cancellationToken),
            _ => context.Inputs.String("apply_mode") switch
            {
                "status" => await run.StatusAsync(cancellationToken),
                "add_tables" => await run.AddTablesAsync(cancellationToken),
                _ => await run.EstablishAsync(cancellationToken),
            },
        };
    }
}
