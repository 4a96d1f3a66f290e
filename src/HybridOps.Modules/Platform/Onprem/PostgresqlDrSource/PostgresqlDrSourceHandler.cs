using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Postgres.Patroni;
using HybridOps.Postgres.Sql;

namespace HybridOps.Modules.Platform.Onprem.PostgresqlDrSource;

/// <summary>
/// platform/onprem/postgresql-dr-source (seed 000). deploy prepares the source (role, grants,
/// allowlist through Patroni) and publishes postgresql-dr-source/v1; status re-assesses read-only;
/// destroy removes only what deploy added. It never provisions targets, promotes, or touches pgBackRest.
/// </summary>
public sealed class PostgresqlDrSourceHandler(Func<PatroniClient> patroniFactory) : IModuleHandler
{
    public const string Ref = "platform/onprem/postgresql-dr-source";

    public string ModuleRef => Ref;

    public void Validate(ModuleContext context)
    {
        DrSourceInputs.From(context.Inputs);
        HaClusterState.From(context.Inputs.State("cluster_state_ref"), "cluster_state_ref");
    }

    public async Task<ModuleOutcome> RunAsync(ModuleContext context, CancellationToken cancellationToken)
    {
        var inputs = DrSourceInputs.From(context.Inputs);
        var cluster = HaClusterState.From(context.Inputs.State("cluster_state_ref"), "cluster_state_ref");
        var inventoryCluster = context.Inputs.State("inventory_state_ref")?.Outputs.Str("cluster_name");
        context.Evidence.Check("inventory_matches_cluster_state", inventoryCluster is null || inventoryCluster == cluster.ClusterName,
            new JsonObject { ["inventory_cluster_name"] = inventoryCluster, ["cluster_state_cluster_name"] = cluster.ClusterName });
        if (inventoryCluster is not null && inventoryCluster != cluster.ClusterName)
        {
            throw HyopsException.From(DiagnosticCatalog.SourceMisconfigured, $"inventory cluster '{inventoryCluster}' is not the cluster state's '{cluster.ClusterName}'");
        }

        var previous = context.Previous?.Outputs;
        if (context.Action == "destroy")
        {
            return await DestroyAsync(context, cluster, inputs with { ReplicationUser = previous.Str("replication_user") ?? inputs.ReplicationUser }, previous, cancellationToken);
        }

        var assessment = new SourceAssessment(cluster, inputs, context);
        context.Progress.Report($"assessing source cluster {cluster.ClusterName}");
        await assessment.TopologyAsync(cancellationToken);
        JsonObject? prepared = null;
        if (inputs.Managed && inputs.ConsumerProvider == "gcp" && context.Action == "deploy" && context.Inputs.String("prepare_pglogical_confirm") is { Length: > 0 } confirm)
        {
            if (confirm != cluster.ClusterName)
            {
                throw HyopsException.From(DiagnosticCatalog.PglogicalPrepareConfirmRequired,
                    $"prepare_pglogical_confirm is '{confirm}', expected the cluster name '{cluster.ClusterName}'; nothing was changed");
            }

            context.Progress.Report($"preparing pglogical on {cluster.ClusterName} through Patroni (members restart when a parameter needs it)");
            prepared = await new PglogicalPreparation(cluster, inputs, assessment, patroniFactory(), context).RunAsync(cancellationToken);
        }

        await using var leader = await PgSession.OpenAsync(assessment.Leader, cancellationToken);
        await assessment.DatabasesPresentAsync(leader, cancellationToken);
        var posture = await assessment.PostureAsync(leader, cancellationToken);
        if (inputs.Managed && inputs.ConsumerProvider == "gcp")
        {
            // Before any grant or pg_hba change: a source DMS cannot use is refused with every missing item named.
            posture["dms_prerequisites"] = await PglogicalPrerequisites.RequireAsync(leader, inputs.Databases.Length, context, cancellationToken);
            posture["pglogical_prepared"] = prepared;
        }

        var access = new SourceAccess(inputs, context);
        var allowlist = new ConsumerAllowlist(inputs, new PatroniHba(patroniFactory(), context.Time), context);
        var createdBefore = previous?["role_created_by_module"] is JsonValue c && c.GetValue<bool>() && previous.Str("replication_user") == inputs.ReplicationUser;
        var (roleReady, roleCreated) = await access.EnsureRoleAsync(leader, createdBefore, cancellationToken);
        JsonArray grants;
        JsonArray hbaAdded;
        bool hbaReady;
        if (context.Action == "status")
        {
            grants = previous?["grants_added"]?.DeepClone() as JsonArray ?? [];
            hbaAdded = previous?["pg_hba_rules_added"]?.DeepClone() as JsonArray ?? [];
            hbaReady = await allowlist.PresentAsync(cluster, m => assessment.Endpoint(m.Host, m.Port), cancellationToken);
        }
        else
        {
            context.Progress.Report($"granting {inputs.ReplicationUser} and applying the consumer allowlist through Patroni");
            grants = await access.GrantAsync(db => assessment.Endpoint(cluster.LeaderHost, cluster.LeaderPort, db), previous?["grants_added"] as JsonArray, cancellationToken);
            hbaAdded = await allowlist.ApplyAsync(cluster, m => assessment.Endpoint(m.Host, m.Port), previous?["pg_hba_rules_added"] as JsonArray, cancellationToken);
            hbaReady = true;
        }

        var preflight = new JsonObject();
        foreach (var db in inputs.Databases)
        {
            preflight[db] = await LogicalPreflight.RunAsync(assessment.Endpoint(cluster.LeaderHost, cluster.LeaderPort, db), cancellationToken);
            context.Evidence.Check($"preflight:{db}", preflight[db]!["clean"]!.GetValue<bool>(), (JsonObject)preflight[db]!.DeepClone());
        }

        var readiness = new JsonObject
        {
            ["cluster_state_ok"] = true,
            ["single_writable_primary"] = true,
            ["leader_reachable"] = true,
            ["members_reachable"] = assessment.Members.All(m => m!["reachable"]!.GetValue<bool>()),
            ["databases_present"] = true,
            ["wal_level_ok"] = !inputs.Managed || posture["wal_level"]!.GetValue<string>() == "logical",
            ["replication_capacity"] = posture["logical_ready"]!.GetValue<bool>() || !inputs.Managed,
            ["replication_role_ready"] = roleReady,
            ["pg_hba_allowlist_applied"] = hbaReady,
            ["preflight_clean"] = preflight.All(p => p.Value!["clean"]!.GetValue<bool>()),
        };
        var ready = readiness.Where(r => r.Key is not "preflight_clean" and not "members_reachable").All(r => r.Value!.GetValue<bool>());
        context.Evidence.Check("source_ready", ready, (JsonObject)readiness.DeepClone());
        var outputs = new JsonObject
        {
            ["source_cluster_name"] = cluster.ClusterName,
            ["source_system_identifier"] = cluster.SystemIdentifier,
            ["source_host"] = cluster.LeaderHost,
            ["source_port"] = cluster.LeaderPort,
            ["source_databases"] = inputs.Databases.ToJsonArray(),
            ["replication_user"] = inputs.ReplicationUser,
            ["replication_password_env"] = inputs.ReplicationPasswordEnv,
            ["dr_mode"] = inputs.DrMode,
            ["allowed_consumer_cidrs"] = inputs.ConsumerCidrs.Select(c => c.ToString()).ToJsonArray(),
            ["ready"] = ready,
            ["readiness"] = readiness,
            ["posture"] = posture,
            ["preflight"] = preflight,
            ["pg_hba_rules_added"] = hbaAdded,
            ["role_created_by_module"] = roleCreated,
            ["grants_added"] = grants,
            ["members"] = assessment.Members.DeepClone(),
            ["assessed_at"] = context.Time.GetUtcNow().ToString("O"),
        };
        context.Evidence.WriteDocument("source-contract.json", outputs.DeepClone());
        return ModuleOutcome.Ok(outputs);
    }

    private async Task<ModuleOutcome> DestroyAsync(ModuleContext context, HaClusterState cluster, DrSourceInputs inputs, JsonObject? previous, CancellationToken cancellationToken)
    {
        if (previous is null || previous.Count == 0)
        {
            context.Evidence.Note("no previous deploy recorded: nothing on the cluster was added by this module");
            return ModuleOutcome.Destroyed();
        }

        var assessment = new SourceAssessment(cluster, inputs, context);
        var allowlist = new ConsumerAllowlist(inputs, new PatroniHba(patroniFactory(), context.Time), context);
        await allowlist.RemoveAsync(cluster, m => assessment.Endpoint(m.Host, m.Port), previous["pg_hba_rules_added"] as JsonArray, cancellationToken);
        var access = new SourceAccess(inputs, context);
        await access.RevokeAsync(db => assessment.Endpoint(cluster.LeaderHost, cluster.LeaderPort, db), previous["grants_added"] as JsonArray, cancellationToken);
        if (previous["role_created_by_module"] is JsonValue created && created.GetValue<bool>())
        {
            await using var leader = await PgSession.OpenAsync(assessment.Leader, cancellationToken);
            await access.DropRoleAsync(leader, cancellationToken);
        }
        else
        {
            context.Evidence.Note($"role '{inputs.ReplicationUser}' was not created by this module and is kept");
        }

        return ModuleOutcome.Destroyed();
    }
}
