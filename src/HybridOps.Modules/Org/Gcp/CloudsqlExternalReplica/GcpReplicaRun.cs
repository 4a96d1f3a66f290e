using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Postgres.Sql;
using HybridOps.Providers.Gcp;

namespace HybridOps.Modules.Org.Gcp.CloudsqlExternalReplica;

/// <summary>
/// org/gcp/cloudsql-external-replica with provider gcp: the link is a Database Migration Service
/// CONTINUOUS job from a SOURCE profile (the DR source's replication role) to the standby's DESTINATION
/// profile. Status publishes the job's state and phase and proves the standby refuses a client write
/// (SQLSTATE 25006). Destroy removes job and source profile; the standby goes only with
/// drop_target_data_confirm = its name.
/// </summary>
internal sealed class GcpReplicaRun(ModuleContext context, DrLink link, GcpManagedPostgres provider)
{
    private readonly GcpReplicaLink dms = new(provider.Apis, link.TargetName);

    public async Task<ModuleOutcome> EstablishAsync(CancellationToken ct)
    {
        context.Progress.Report($"DMS: source profile, CONTINUOUS job into {link.TargetName}, verify, start");
        var budget = TimeSpan.FromSeconds(context.Inputs.Values.Int("sync_timeout_s") ?? 180);
        foreach (var db in link.Databases)
        {
            // Before the job starts, so its full dump copies them: the heartbeat and the promotion's barrier table.
            await using var source = await Sql.OpenAsync(link.SourceAdmin(db), ct);
            await DrMarkerTables.EnsureAsync(source, link.ReplicationUser, ct);
            context.Evidence.Check("source_prepared", true, new JsonObject { ["database"] = db, ["heartbeat"] = DrMarkerTables.Heartbeat, ["barrier"] = DrMarkerTables.Barrier });
        }

        try
        {
            var job = await dms.EstablishAsync(link.SourceHost, link.SourcePort, link.ReplicationUser, link.ReplicationPassword, budget, ct);
            context.Evidence.Check("migration_job_cdc", true, new JsonObject { ["job"] = dms.Job.Name, ["state"] = job["state"]?.DeepClone(), ["phase"] = job["phase"]?.DeepClone() });
        }
        finally
        {
            GcpEvidence.Record(context.Evidence, provider.Apis);
        }

        var outputs = await OutputsAsync(ct);
        outputs["established_at"] = ReplicaRun.Iso(context.Time.GetUtcNow());
        return ModuleOutcome.Ok(outputs);
    }

    public async Task<ModuleOutcome> StatusAsync(CancellationToken ct)
    {
        var outputs = await OutputsAsync(ct);
        outputs["established_at"] = context.Previous?.Outputs["established_at"]?.DeepClone();
        if (outputs.Str("replication_state") != "streaming")
        {
            return ModuleOutcome.Partial(outputs, DiagnosticCatalog.ReplicationUnhealthy.Create($"migration job {dms.Job.Id} is {outputs.Str("job_state")}/{outputs.Str("job_phase")}"));
        }

        return outputs["read_only"]!.GetValue<bool>()
            ? ModuleOutcome.Ok(outputs)
            : ModuleOutcome.Partial(outputs, DiagnosticCatalog.StandbyNotReadOnly.Create($"standby '{link.TargetName}' accepts client writes"));
    }

    public async Task<ModuleOutcome> DestroyAsync(CancellationToken ct)
    {
        try
        {
            context.Evidence.Check("migration_job_removed", true, await dms.DestroyAsync(ct));
            if (context.Inputs.String("drop_target_data_confirm") == link.TargetName)
            {
                context.Evidence.Guard("drop_target_data_confirm", true, new JsonObject { ["instance_name"] = link.TargetName, ["data_destructive"] = true });
                context.Evidence.Append("provider_operation", (await provider.DeleteInstanceAsync(link.TargetName, ct)).ToJson());
            }
            else
            {
                context.Evidence.Check("target_data_kept", true, new JsonObject { ["instance"] = link.TargetName });
            }
        }
        finally
        {
            GcpEvidence.Record(context.Evidence, provider.Apis);
        }

        return ModuleOutcome.Destroyed();
    }

    private async Task<JsonObject> OutputsAsync(CancellationToken ct)
    {
        var job = await dms.StatusAsync(ct);
        GcpEvidence.Record(context.Evidence, provider.Apis);
        var streaming = job.Str("state") == "RUNNING" && job.Str("phase") == "CDC";
        var readOnly = await ClientWriteRefusedAsync(ct);
        context.Evidence.Check("replication_status", streaming, job.DeepClone().AsObject());
        var outputs = link.Identifiers();
        outputs["replication_state"] = streaming ? "streaming" : job.Str("state") == "ABSENT" ? "down" : "degraded";
        outputs["migration_job"] = job.Str("migration_job");
        outputs["job_state"] = job.Str("state");
        outputs["job_phase"] = job.Str("phase");
        // DMS reports lag through Cloud Monitoring, which hyops does not read: measured on the source
        // instead, at the logical slots the replication role's walsenders hold (null when none streams).
        var lag = await SourceLagAsync(ct);
        outputs["lag_bytes"] = lag;
        outputs["lag_seconds"] = null;
        outputs["read_only"] = readOnly;
        outputs["last_status_at"] = ReplicaRun.Iso(context.Time.GetUtcNow());
        return outputs;
    }

    private async Task<long?> SourceLagAsync(CancellationToken ct)
    {
        if (!await ReplicationProbe.SourceReachableAsync(link, ct))
        {
            context.Evidence.Note("source unreachable: lag not measured");
            return null;
        }

        var slots = new List<ConsumerSlotProbe.Result>();
        foreach (var db in link.Databases)
        {
            slots.Add(await ConsumerSlotProbe.ProbeAsync(link, db, ct));
        }

        var lag = ConsumerSlotProbe.MaxLag(slots);
        context.Evidence.Check("source_consumer_slots", lag is not null, new JsonObject
        {
            ["replication_user"] = link.ReplicationUser, ["lag_bytes"] = lag, ["databases"] = new JsonArray([.. slots.Select(x => (JsonNode)x.ToJson())]),
        });
        return lag;
    }

    /// <summary>A plain client session (the admin user, no hyops session options) must fail a write with 25006 (the fence's own probe).</summary>
    private async Task<bool> ClientWriteRefusedAsync(CancellationToken ct)
    {
        var client = new PgEndpoint(link.TargetHost, link.TargetPort, link.TargetAdminUser, link.TargetPassword, "postgres");
        var (outcome, sqlState, detail) = await CloudsqlPostgresql.ManagedFence.ProbeAsync(client, ct);
        var refused = outcome == "read_only";
        context.Evidence.Check("standby_read_only", refused, new JsonObject { ["endpoint"] = client.ToString(), ["client_write"] = outcome, ["sqlstate"] = sqlState, ["detail"] = detail });
        return refused;
    }
}
