using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Providers.Gcp;
using HybridOps.Providers.Managed;
using Npgsql;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPromote;

/// <summary>
/// The ordered promotion: verify (lag, health, barrier) -> stop apply -> sequences -> drop subscriptions -> mark primary -> prove writable.
/// Provider gcp: verify (DMS job CDC, source slot lag, barrier) -> DMS :promote -> sequences -> prove writable.
/// </summary>
internal sealed class Promotion(ModuleContext context, DrLink link, IManagedPostgresProvider provider, ManagedInstance instance)
{
    /// <summary>The barrier usually lands within milliseconds; a coarse poll would add most of its period to the fenced window.</summary>
    private static readonly TimeSpan BarrierPoll = TimeSpan.FromMilliseconds(20);

    private long Margin => context.Inputs.Values.Int("sequence_margin") ?? 1000;

    public async Task<JsonObject> RunAsync(CancellationToken ct)
    {
        var sourceReachable = await ReplicationProbe.SourceReachableAsync(link, ct);
        var maxLag = (long)(context.Inputs.Values.Int("max_lag_bytes") ?? 0);
        // One admin session per standby database from the barrier to the lifted guard: the promotion's
        // ordered changes do not each pay for a new connection (TCP + SCRAM) while on-prem is fenced.
        // Opened once the lag and health checks passed, as before.
        var targets = new Dictionary<string, NpgsqlConnection>(StringComparer.Ordinal);
        try
        {
            return await RunAsync(sourceReachable, maxLag, targets, ct);
        }
        finally
        {
            foreach (var target in targets.Values)
            {
                await target.DisposeAsync();
            }
        }
    }

    private async Task<JsonObject> RunAsync(bool sourceReachable, long maxLag, Dictionary<string, NpgsqlConnection> targets, CancellationToken ct)
    {
        string mode;
        long? lag;
        string? barrierLsn = null;
        var gcp = provider as GcpManagedPostgres;
        if (sourceReachable)
        {
            mode = "barrier";
            lag = gcp is null ? await VerifyLiveAsync(maxLag, ct) : await VerifyDmsAsync(gcp, maxLag, ct);
            await OpenTargetsAsync(targets, ct);
            barrierLsn = await BarrierAsync(targets, ct);
        }
        else
        {
            mode = "last_known_state";
            lag = VerifyLastKnown(maxLag);
            await OpenTargetsAsync(targets, ct);
        }

        if (gcp is not null)
        {
            var synced = await PromoteThroughDmsAsync(gcp, sourceReachable, targets, ct);
            return await OutputsAsync(mode, synced, barrierLsn, lag, ct);
        }

        // From here on the standby changes. Stop apply first so nothing moves underneath the sequence sync.
        foreach (var db in link.Databases)
        {
            await Sql.ExecAsync(targets[db], $"alter subscription {Sql.Ident(DrLink.LinkName(db))} disable", ct);
        }

        context.Evidence.Check("apply_stopped", true, new JsonObject { ["subscriptions"] = link.Databases.Select(DrLink.LinkName).ToJsonArray() });
        var sequences = 0;
        foreach (var db in link.Databases)
        {
            sequences += sourceReachable ? await SequencesFromSourceAsync(db, targets[db], ct) : await SequencesFromColumnsAsync(db, targets[db], ct);
        }

        foreach (var db in link.Databases)
        {
            var name = Sql.Ident(DrLink.LinkName(db));
            await Sql.ExecAsync(targets[db], $"alter subscription {name} set (slot_name = NONE)", ct);
            await Sql.ExecAsync(targets[db], $"drop subscription {name}", ct);
        }

        context.Evidence.Check("subscriptions_dropped", true, new JsonObject
        {
            ["subscriptions"] = link.Databases.Select(DrLink.LinkName).ToJsonArray(),
            ["source_slots"] = "kept (slot_name = NONE); the standby teardown (cloudsql-external-replica destroy) retires them",
        });
        foreach (var db in link.Databases)
        {
            await StandbyWriteGuard.LiftAsync(targets[db], ct);
        }

        context.Evidence.Check("standby_write_guard_lifted", true, new JsonObject { ["databases"] = link.Databases.ToJsonArray(), ["schema"] = StandbyWriteGuard.Schema });
        var op = await provider.PromoteReplicaAsync(instance.Name, ct);
        context.Evidence.Append("provider_operation", op.ToJson());
        await ProveWritableAsync(ct);
        return await OutputsAsync(mode, sequences, barrierLsn, lag, ct);
    }

    /// <summary>
    /// Provider gcp: DMS stops the apply itself. The job's `:promote` (polled to COMPLETED, then proven
    /// by instances.get) comes first, while the destination is still read-only; sequences (which
    /// logical replication does not carry) are set on the now-writable primary before it is proven writable.
    /// </summary>
    private async Task<int> PromoteThroughDmsAsync(GcpManagedPostgres gcp, bool sourceReachable, Dictionary<string, NpgsqlConnection> targets, CancellationToken ct)
    {
        try
        {
            var op = await provider.PromoteReplicaAsync(instance.Name, ct);
            context.Evidence.Append("provider_operation", op.ToJson());
            context.Evidence.Check("migration_job_promoted", true, new JsonObject
            {
                ["migration_job"] = GcpNames.MigrationJob(instance.Name), ["state"] = "COMPLETED", ["instance_name"] = instance.Name,
            });
        }
        finally
        {
            GcpEvidence.Record(context.Evidence, gcp.Apis);
        }

        var sequences = 0;
        foreach (var db in link.Databases)
        {
            sequences += sourceReachable ? await SequencesFromSourceAsync(db, targets[db], ct) : await SequencesFromColumnsAsync(db, targets[db], ct);
        }

        await ProveWritableAsync(ct);
        return sequences;
    }

    private async Task<JsonObject> OutputsAsync(string mode, int sequences, string? barrierLsn, long? lag, CancellationToken ct)
    {
        var promoted = await provider.GetInstanceAsync(instance.Name, ct);
        return new JsonObject
        {
            ["instance_name"] = instance.Name,
            ["host"] = instance.IpAddress,
            ["port"] = instance.Port,
            ["admin_user"] = instance.AdminUser,
            ["admin_password_env"] = link.Target.Str("admin_password_env"),
            ["role"] = promoted?.Role == InstanceRole.Primary ? "primary" : "standby",
            ["databases"] = link.Databases.ToJsonArray(),
            ["promoted_at"] = (promoted?.PromotedAt ?? context.Time.GetUtcNow()).ToString("O"),
            ["promotion_mode"] = mode,
            ["sequences_synced"] = sequences,
            ["barrier_lsn"] = barrierLsn,
            ["lag_bytes_at_promotion"] = lag,
            ["source_system_identifier"] = link.Source["source_system_identifier"]?.DeepClone(),
        };
    }

    private async Task OpenTargetsAsync(Dictionary<string, NpgsqlConnection> targets, CancellationToken ct)
    {
        foreach (var db in link.Databases)
        {
            targets[db] = await Sql.OpenAsync(link.TargetAdmin(db), ct);
        }
    }

    private async Task<long?> VerifyLiveAsync(long maxLag, CancellationToken ct)
    {
        var links = new List<LinkStatus>();
        foreach (var db in link.Databases)
        {
            links.Add(await ReplicationProbe.ProbeAsync(link, db, sourceReachable: true, ct));
        }

        long? lag = links.Any(l => l.LagBytes is null) ? null : links.Max(l => l.LagBytes!.Value);
        var lagOk = lag is { } l0 && l0 <= maxLag;
        var healthy = links.All(l => l.Healthy);
        var detail = new JsonArray(links.Select(l => (JsonNode?)l.ToJson()).ToArray());
        context.Evidence.Check("lag_within_policy", lagOk, new JsonObject { ["lag_bytes"] = lag, ["max_lag_bytes"] = maxLag, ["links"] = detail.DeepClone() },
            lagOk ? null : DiagnosticCatalog.PromoteLagExceeded.Code);
        context.Evidence.Check("replication_healthy", healthy, new JsonObject { ["replication_state"] = ReplicationProbe.StateOf(links, true), ["links"] = detail },
            healthy ? null : DiagnosticCatalog.ReplicationUnhealthy.Code);
        if (!lagOk)
        {
            throw HyopsException.From(DiagnosticCatalog.PromoteLagExceeded, $"slot lag is {lag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} bytes, max_lag_bytes is {maxLag}; nothing was changed");
        }

        if (!healthy)
        {
            throw HyopsException.From(DiagnosticCatalog.ReplicationUnhealthy, $"replication is '{ReplicationProbe.StateOf(links, true)}'; nothing was changed");
        }

        return lag;
    }

    /// <summary>Provider gcp: the job RUNNING/CDC and the lag at the replication role's source slots, each checked like the local link.</summary>
    private async Task<long?> VerifyDmsAsync(GcpManagedPostgres gcp, long maxLag, CancellationToken ct)
    {
        DmsLinkCheck check;
        try
        {
            check = await DmsLinkCheck.ProbeAsync(link, gcp.Apis, ct);
        }
        finally
        {
            GcpEvidence.Record(context.Evidence, gcp.Apis);
        }

        var lag = check.LagBytes;
        var lagOk = lag is { } l0 && l0 <= maxLag;
        context.Evidence.Check("lag_within_policy", lagOk, new JsonObject { ["lag_bytes"] = lag, ["max_lag_bytes"] = maxLag, ["links"] = check.Links, ["measured_at"] = "source slots of the replication role" },
            lagOk ? null : DiagnosticCatalog.PromoteLagExceeded.Code);
        context.Evidence.Check("replication_healthy", check.Healthy, new JsonObject { ["replication_state"] = check.State, ["migration_job"] = check.Job.DeepClone() },
            check.Healthy ? null : DiagnosticCatalog.ReplicationUnhealthy.Code);
        if (!check.Healthy)
        {
            throw HyopsException.From(DiagnosticCatalog.ReplicationUnhealthy, $"replication is '{check.State}'; nothing was changed");
        }

        if (!lagOk)
        {
            throw HyopsException.From(DiagnosticCatalog.PromoteLagExceeded, $"slot lag is {lag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} bytes, max_lag_bytes is {maxLag}; nothing was changed");
        }

        return lag;
    }

    private long? VerifyLastKnown(long maxLag)
    {
        var allowed = context.Inputs.Bool("allow_source_unreachable");
        var replica = context.Inputs.State("replica_state_ref")!.Outputs;
        var lag = replica["lag_bytes"] is JsonValue v && v.TryGetValue<long>(out var x) ? x : (long?)null;
        var ok = allowed && lag is { } l && l <= maxLag;
        context.Evidence.Check("last_known_replication_state", ok, new JsonObject
        {
            ["source_reachable"] = false,
            ["allow_source_unreachable"] = allowed,
            ["last_status_at"] = replica["last_status_at"]?.DeepClone(),
            ["replication_state"] = replica["replication_state"]?.DeepClone(),
            ["lag_bytes"] = lag,
            ["max_lag_bytes"] = maxLag,
        }, ok ? null : (allowed ? DiagnosticCatalog.PromoteLagExceeded : DiagnosticCatalog.PromoteSourceUnreachable).Code);
        if (!allowed)
        {
            throw HyopsException.From(DiagnosticCatalog.PromoteSourceUnreachable, $"source {link.SourceHost}:{link.SourcePort} is unreachable; nothing was changed");
        }

        if (!ok)
        {
            throw HyopsException.From(DiagnosticCatalog.PromoteLagExceeded, $"last known lag {lag?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} exceeds max_lag_bytes {maxLag}; nothing was changed");
        }

        return lag;
    }

    /// <summary>A unique row per database on the source; promotion proceeds only once every one is visible on the standby.</summary>
    private async Task<string> BarrierAsync(Dictionary<string, NpgsqlConnection> targets, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(context.Inputs.Values.Int("barrier_timeout_s") ?? 30);
        var lsn = "";
        foreach (var db in link.Databases)
        {
            var id = $"promote-{context.RunId}-{db}";
            await using (var source = await Sql.OpenAsync(link.SourceAdmin(db), ct))
            {
                // READ WRITE explicitly: a fence that sets default_transaction_read_only must not stop the barrier.
                await using var tx = await source.BeginTransactionAsync(ct);
                await Sql.ExecAsync(source, "set transaction read write", ct);
                await Sql.ExecAsync(source, "insert into hyops_dr.barrier (id) values ($1) on conflict (id) do nothing", ct, id);
                await tx.CommitAsync(ct);
                lsn = (await Sql.ScalarAsync<string>(source, "select pg_current_wal_lsn()::text", ct))!;
            }

            var started = context.Time.GetTimestamp();
            while (await Sql.ScalarAsync<int>(targets[db], "select count(*)::int from hyops_dr.barrier where id = $1", ct, id) == 0)
            {
                if (context.Time.GetElapsedTime(started) >= timeout)
                {
                    context.Evidence.Check("barrier_visible_on_standby", false, new JsonObject { ["database"] = db, ["barrier_id"] = id, ["barrier_lsn"] = lsn, ["timeout_s"] = timeout.TotalSeconds },
                        DiagnosticCatalog.PromoteBarrierTimeout.Code);
                    throw HyopsException.From(DiagnosticCatalog.PromoteBarrierTimeout, $"barrier {id} (source lsn {lsn}) not on the standby after {timeout.TotalSeconds:F0}s; nothing was changed on the standby");
                }

                await Task.Delay(BarrierPoll, context.Time, ct);
            }

            context.Evidence.Check("barrier_visible_on_standby", true, new JsonObject
            {
                ["database"] = db, ["barrier_id"] = id, ["barrier_lsn"] = lsn, ["waited_s"] = Math.Round(context.Time.GetElapsedTime(started).TotalSeconds, 3),
            });
        }

        return lsn;
    }

    private async Task<int> SequencesFromSourceAsync(string db, NpgsqlConnection target, CancellationToken ct)
    {
        List<object?[]> seqs;
        await using (var source = await Sql.OpenAsync(link.SourceAdmin(db), ct))
        {
            seqs = await Sql.RowsAsync(source, "select format('%I.%I', schemaname, sequencename), coalesce(last_value, start_value) from pg_sequences order by 1", ct);
        }

        var synced = new JsonArray();
        foreach (var row in seqs)
        {
            var name = (string)row[0]!;
            var value = (long)row[1]! + Margin;
            await Sql.ExecAsync(target, "select setval($1::regclass, $2, true)", ct, name, value);
            synced.Add((JsonNode)new JsonObject { ["sequence"] = name, ["source_last_value"] = (long)row[1]!, ["set_to"] = value });
        }

        context.Evidence.Check("sequences_synced", true, new JsonObject { ["database"] = db, ["from"] = "source pg_sequences", ["margin"] = Margin, ["sequences"] = synced });
        return seqs.Count;
    }

    private async Task<int> SequencesFromColumnsAsync(string db, NpgsqlConnection target, CancellationToken ct)
    {
        var owned = await Sql.RowsAsync(target, """
            select s.seqrelid::regclass::text, format('%I', a.attname), d.refobjid::regclass::text
            from pg_sequence s
            join pg_depend d on d.objid = s.seqrelid and d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
            join pg_attribute a on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
            order by 1
            """, ct);
        var synced = new JsonArray();
        foreach (var row in owned)
        {
            var max = await Sql.ScalarAsync<long>(target, $"select coalesce(max({(string)row[1]!}), 0)::bigint from {(string)row[2]!}", ct);
            await Sql.ExecAsync(target, "select setval($1::regclass, $2, true)", ct, (string)row[0]!, max + Margin);
            synced.Add((JsonNode)new JsonObject { ["sequence"] = (string)row[0]!, ["column_max"] = max, ["set_to"] = max + Margin });
        }

        context.Evidence.Check("sequences_synced", true, new JsonObject { ["database"] = db, ["from"] = "max(owned-by column) on the standby", ["margin"] = Margin, ["sequences"] = synced });
        return owned.Count;
    }

    private async Task ProveWritableAsync(CancellationToken ct)
    {
        foreach (var db in link.Databases)
        {
            // A plain client session (no hyops session options): proves the provider lifted the read-only default.
            await using var target = await Sql.OpenAsync(link.TargetAdmin(db) with { Options = null }, ct);
            try
            {
                await Sql.ExecAsync(target, "insert into hyops_dr.barrier (id) values ($1)", ct, $"promoted-{context.RunId}-{db}");
            }
            catch (PostgresException ex)
            {
                throw HyopsException.From(DiagnosticCatalog.ManagedInstanceNotRunnable, $"the promoted instance refused a write in '{db}': {ex.SqlState} {ex.MessageText}");
            }

            context.Evidence.Check("target_writable", true, new JsonObject { ["database"] = db, ["write"] = "insert into hyops_dr.barrier" });
        }
    }
}
