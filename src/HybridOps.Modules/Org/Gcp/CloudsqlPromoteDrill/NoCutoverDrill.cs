using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.CloudsqlPromote;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Providers.Gcp;
using HybridOps.Providers.Managed;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPromoteDrill;

/// <summary>
/// The drill's order: the standby's promotability (runnable replica, healthy link, lag, schema drift),
/// the barrier, the clone's promotion, the standby afterwards. The first failed check of the
/// promotability or the barrier stops the drill (nothing to clean up yet); a failed clone check still
/// removes the clone and still checks the standby. Any failure makes the outcome PARTIAL with the
/// first diagnostic; every check is in the run record.
/// </summary>
internal sealed class NoCutoverDrill(ModuleContext context, DrLink link, IManagedPostgresProvider provider, NoCutoverInputs inputs)
{
    public const string ProductionWrites = "one row per replicated database in hyops_dr.barrier on the source (id drill-<run id>-<db>)";
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    private readonly List<Diagnostic> failures = [];
    private readonly JsonArray checks = [];

    public async Task<ModuleOutcome> RunAsync(CancellationToken ct)
    {
        var outputs = new JsonObject
        {
            ["instance_name"] = link.TargetName, ["max_lag_bytes"] = inputs.MaxLagBytes, ["production_writes"] = ProductionWrites, ["checks"] = checks,
        };
        var gcp = provider as GcpManagedPostgres;
        var slotsBefore = new List<SlotFacts>();
        if (await PromotableAsync(outputs, gcp, ct))
        {
            if (gcp is null)
            {
                foreach (var db in link.Databases)
                {
                    slotsBefore.Add(await SlotFacts.ReadAsync(link, db, ct));
                }
            }

            await BarrierAsync(outputs, ct);
        }

        outputs["promotable"] = failures.Count == 0;
        if (failures.Count == 0)
        {
            outputs["clone"] = await new ClonePromotion(context, link, provider, inputs, this).RunAsync(outputs["barrier_ids"]!.AsObject(), ct);
            outputs["standby_after"] = await StandbyAfterAsync(gcp, slotsBefore, ct);
        }

        return failures.Count == 0 ? ModuleOutcome.Ok(outputs) : ModuleOutcome.Partial(outputs, failures[0]);
    }

    /// <summary>Records a check; a failed one adds its diagnostic. Returns <paramref name="ok"/>.</summary>
    public bool Check(string name, bool ok, JsonObject observed, DiagnosticDescriptor descriptor, string message)
    {
        checks.Add((JsonNode)new JsonObject { ["name"] = name, ["result"] = ok ? "passed" : "failed" });
        context.Evidence.Check(name, ok, observed, ok ? null : descriptor.Code);
        if (!ok)
        {
            failures.Add(HyopsException.From(descriptor, message).Diagnostics[0]);
        }

        return ok;
    }

    public void Skip(string name, string reason)
    {
        checks.Add((JsonNode)new JsonObject { ["name"] = name, ["result"] = "skipped", ["reason"] = reason });
        context.Evidence.Append("check_skipped", new JsonObject { ["name"] = name, ["reason"] = reason });
        context.Evidence.Note($"{name}: skipped ({reason})");
    }

    /// <summary>The promotion's pre-fence checks, read-only on both ends.</summary>
    private async Task<bool> PromotableAsync(JsonObject outputs, GcpManagedPostgres? gcp, CancellationToken ct)
    {
        var instance = await provider.GetInstanceAsync(link.TargetName, ct);
        var replica = instance is { State: InstanceState.Runnable, Role: InstanceRole.Replica };
        if (!Check("standby_runnable", replica, new JsonObject
            {
                ["instance_name"] = link.TargetName, ["state"] = instance is null ? "ABSENT" : ManagedInstance.StateName(instance.State), ["role"] = instance?.Role.ToString(),
            }, DiagnosticCatalog.NoCutoverNotPromotable, $"instance '{link.TargetName}' is {(instance is null ? "absent" : $"{ManagedInstance.StateName(instance.State)} {instance.Role}")}, not a RUNNABLE replica"))
        {
            return false;
        }

        if (!await ReplicationProbe.SourceReachableAsync(link, ct))
        {
            return Check("source_reachable", false, new JsonObject { ["source_host"] = link.SourceHost, ["source_port"] = link.SourcePort },
                DiagnosticCatalog.NoCutoverNotPromotable, $"source {link.SourceHost}:{link.SourcePort} is unreachable: a drill needs production up");
        }

        long? lag;
        string state;
        JsonNode links;
        if (gcp is not null)
        {
            var dms = await DmsLinkCheck.ProbeAsync(link, gcp.Apis, ct);
            (lag, state, links) = (dms.LagBytes, dms.State, dms.ToJson());
        }
        else
        {
            var probes = new List<LinkStatus>();
            foreach (var db in link.Databases)
            {
                probes.Add(await ReplicationProbe.ProbeAsync(link, db, sourceReachable: true, ct));
            }

            lag = probes.Any(l => l.LagBytes is null) ? null : probes.Max(l => l.LagBytes!.Value);
            state = ReplicationProbe.StateOf(probes, true);
            links = new JsonArray([.. probes.Select(p => (JsonNode?)p.ToJson())]);
        }

        outputs["lag_bytes"] = lag;
        if (!Check("standby_healthy", state == "streaming", new JsonObject { ["replication_state"] = state, ["links"] = links.DeepClone() },
                DiagnosticCatalog.NoCutoverNotPromotable, $"standby health: replication is '{state}' (subscriptions enabled, apply worker running, every table ready are needed)"))
        {
            return false;
        }

        var lagText = lag?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
        if (!Check("lag_within_policy", lag is { } l && l <= inputs.MaxLagBytes, new JsonObject { ["lag_bytes"] = lag, ["max_lag_bytes"] = inputs.MaxLagBytes },
                DiagnosticCatalog.NoCutoverNotPromotable, $"lag: slot lag {lagText} bytes exceeds max_lag_bytes {inputs.MaxLagBytes.ToString(CultureInfo.InvariantCulture)}"))
        {
            return false;
        }

        var drift = new JsonArray();
        foreach (var db in link.Databases)
        {
            drift.Add((JsonNode)await SchemaDrift.CompareAsync(link, db, ct));
        }

        var drifted = drift.Select(d => d!.AsObject()).Where(d => d["drift"]!.GetValue<bool>()).ToList();
        return Check("no_schema_drift", drifted.Count == 0, new JsonObject { ["schema_drift"] = drift },
            DiagnosticCatalog.NoCutoverNotPromotable, $"schema drift: {string.Join("; ", drifted.Select(d => $"'{d["database"]}': {string.Join(", ", SchemaDrift.Names(d))}"))}");
    }

    /// <summary>The promotion's barrier, the drill's only production write: a row per database on the source, awaited on the standby.</summary>
    private async Task BarrierAsync(JsonObject outputs, CancellationToken ct)
    {
        var ids = new JsonObject();
        outputs["barrier_ids"] = ids;
        var longest = 0.0;
        foreach (var db in link.Databases)
        {
            var id = $"drill-{context.RunId}-{db}";
            ids[db] = id;
            string lsn;
            await using (var source = await Sql.OpenAsync(link.SourceAdmin(db), ct))
            {
                await using var tx = await source.BeginTransactionAsync(ct);
                await Sql.ExecAsync(source, "set transaction read write", ct);
                await Sql.ExecAsync(source, "insert into hyops_dr.barrier (id) values ($1) on conflict (id) do nothing", ct, id);
                await tx.CommitAsync(ct);
                lsn = (await Sql.ScalarAsync<string>(source, "select pg_current_wal_lsn()::text", ct))!;
            }

            outputs["barrier_lsn"] = lsn;
            var started = context.Time.GetTimestamp();
            await using var target = await Sql.OpenAsync(link.TargetAdmin(db), ct);
            var seen = false;
            while (!(seen = await Sql.ScalarAsync<int>(target, "select count(*)::int from hyops_dr.barrier where id = $1", ct, id) == 1)
                   && context.Time.GetElapsedTime(started) < inputs.BarrierTimeout)
            {
                await Task.Delay(Poll, context.Time, ct);
            }

            var waited = Math.Round(context.Time.GetElapsedTime(started).TotalSeconds, 3);
            longest = Math.Max(longest, waited);
            if (!Check("barrier_seen_on_standby", seen, new JsonObject { ["database"] = db, ["barrier_id"] = id, ["barrier_lsn"] = lsn, ["waited_s"] = waited, ["timeout_s"] = inputs.BarrierTimeout.TotalSeconds },
                    DiagnosticCatalog.NoCutoverBarrierNotSeen, $"barrier {id} (source lsn {lsn}) not on the standby after {inputs.BarrierTimeout.TotalSeconds:F0}s"))
            {
                return;
            }
        }

        outputs["barrier_seen_s"] = longest;
    }

    /// <summary>The real standby after the drill: streaming, read-only, the same slot behind an enabled subscription, lag back within the bound.</summary>
    private async Task<JsonObject> StandbyAfterAsync(GcpManagedPostgres? gcp, List<SlotFacts> before, CancellationToken ct)
    {
        var started = context.Time.GetTimestamp();
        while (true)
        {
            var why = new List<string>();
            var observed = new JsonObject();
            if (gcp is not null)
            {
                var dms = await DmsLinkCheck.ProbeAsync(link, gcp.Apis, ct);
                observed = dms.ToJson();
                observed["lag_bytes"] = dms.LagBytes;
                if (dms.State != "streaming")
                {
                    why.Add($"replication is '{dms.State}'");
                }

                if (dms.LagBytes is not { } l || l > inputs.MaxLagBytes)
                {
                    why.Add($"lag {dms.LagBytes?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} bytes over max_lag_bytes");
                }
            }
            else
            {
                var probes = new List<LinkStatus>();
                var slots = new JsonArray();
                var readOnly = new JsonArray();
                foreach (var (db, i) in link.Databases.Select((d, i) => (d, i)))
                {
                    probes.Add(await ReplicationProbe.ProbeAsync(link, db, sourceReachable: true, ct));
                    var facts = await SlotFacts.ReadAsync(link, db, ct);
                    slots.Add((JsonNode)new JsonObject { ["before"] = before[i].ToJson(), ["after"] = facts.ToJson(), ["same_walsender"] = facts.ActivePid == before[i].ActivePid });
                    why.AddRange(facts.DifferencesFrom(before[i]));
                    var guard = await StandbyWriteGuard.ProbeAsync(link, db, ct);
                    readOnly.Add((JsonNode)guard);
                    if (guard["read_only"]?.GetValue<bool>() != true)
                    {
                        why.Add($"'{db}' is not read-only for a client (write sqlstate {guard["client_write_sqlstate"]})");
                    }
                }

                var state = ReplicationProbe.StateOf(probes, true);
                long? lag = probes.Any(l => l.LagBytes is null) ? null : probes.Max(l => l.LagBytes!.Value);
                if (state != "streaming")
                {
                    why.Add($"replication is '{state}'");
                }

                if (lag is not { } l0 || l0 > inputs.MaxLagBytes)
                {
                    why.Add($"lag {lag?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} bytes over max_lag_bytes {inputs.MaxLagBytes.ToString(CultureInfo.InvariantCulture)}");
                }

                observed = new JsonObject
                {
                    ["replication_state"] = state, ["lag_bytes"] = lag, ["read_only"] = readOnly.All(r => r!["read_only"]!.GetValue<bool>()),
                    ["slots"] = slots, ["read_only_probes"] = readOnly,
                };
            }

            if (why.Count == 0 || context.Time.GetElapsedTime(started) >= inputs.CatchUp)
            {
                observed["waited_s"] = Math.Round(context.Time.GetElapsedTime(started).TotalSeconds, 3);
                Check("standby_unchanged", why.Count == 0, observed.DeepClone().AsObject(), DiagnosticCatalog.NoCutoverStandbyDisturbed,
                    $"after the drill (waited {inputs.CatchUp.TotalSeconds:F0}s): {string.Join("; ", why)}");
                observed.Remove("read_only_probes");
                observed["unchanged"] = why.Count == 0;
                return observed;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), context.Time, ct);
        }
    }
}
