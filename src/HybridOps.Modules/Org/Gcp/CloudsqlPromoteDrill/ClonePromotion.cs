using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Engine;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Postgres.Sql;
using HybridOps.Providers.Managed;
using Npgsql;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPromoteDrill;

/// <summary>
/// The promotion, rehearsed on a clone of the standby (never on the standby): the provider copies the
/// running standby into a new instance whose logical replication never starts; the clone's
/// subscriptions are disabled and dropped with slot_name NONE (no connection to the source), its write
/// guard lifted and it is promoted through the provider, then a plain client session writes. Time to
/// writable = from disabling the clone's subscriptions to that acknowledged write. The barrier row and
/// the per-table counts are checked on the clone. The clone is removed through the provider whatever happened.
/// </summary>
internal sealed class ClonePromotion(ModuleContext context, DrLink link, IManagedPostgresProvider provider, NoCutoverInputs inputs, NoCutoverDrill drill)
{
    public async Task<JsonObject> RunAsync(JsonObject barrierIds, CancellationToken ct)
    {
        if (!inputs.CloneEnabled)
        {
            drill.Skip("clone_promoted", "clone: false in the inputs");
            return new JsonObject { ["supported"] = provider is IManagedInstanceCloner, ["skipped"] = "clone: false" };
        }

        if (provider is not IManagedInstanceCloner cloner)
        {
            var reason = $"provider '{provider.Name}' cannot clone an instance in hyops; the standby's promotability is proven by the checks and the barrier only";
            drill.Skip("clone_promoted", reason);
            return new JsonObject { ["supported"] = false, ["skipped"] = reason };
        }

        var clone = new JsonObject { ["supported"] = true, ["name"] = inputs.CloneName };
        var started = context.Time.GetUtcNow();
        try
        {
            await PromoteCloneAsync(cloner, clone, barrierIds, ct);
        }
        catch (Exception ex) when (ex is HyopsException or NpgsqlException or InvalidOperationException && ex is not OperationCanceledException)
        {
            var message = ex is HyopsException h ? h.Diagnostics[0].Message : ex.Message;
            drill.Check("clone_promoted", false, new JsonObject { ["clone"] = inputs.CloneName, ["error"] = message }, DiagnosticCatalog.NoCutoverCloneFailed,
                $"clone '{inputs.CloneName}': {message}");
        }
        finally
        {
            clone["removed"] = await RemoveAsync(CancellationToken.None);
            clone["total_s"] = Seconds(started, context.Time.GetUtcNow());
        }

        return clone;
    }

    private async Task PromoteCloneAsync(IManagedInstanceCloner cloner, JsonObject clone, JsonObject barrierIds, CancellationToken ct)
    {
        var standbyBefore = await CountsAsync(link.TargetAdmin, ct);
        var copyStart = context.Time.GetUtcNow();
        context.Progress.Report($"cloning '{link.TargetName}' into '{inputs.CloneName}' on the provider host");
        var instance = await cloner.CloneInstanceAsync(link.TargetName, inputs.CloneName, link.TargetPassword, ct);
        var ready = context.Time.GetUtcNow();
        clone["host"] = instance.IpAddress;
        clone["port"] = instance.Port;
        clone["copy_s"] = Seconds(copyStart, ready);
        var standbyAfter = await CountsAsync(link.TargetAdmin, ct);
        PgEndpoint CloneAdmin(string db) => link.TargetAdmin(db) with { Host = instance.IpAddress, Port = instance.Port };
        var cloneCounts = await CountsAsync(CloneAdmin, ct);

        var conns = new Dictionary<string, NpgsqlConnection>(StringComparer.Ordinal);
        try
        {
            var workers = new JsonArray();
            foreach (var db in link.Databases)
            {
                conns[db] = await Sql.OpenAsync(CloneAdmin(db), ct);
                // The setting, not only the moment: a worker that failed against the busy slot is gone by now, but could take the slot later.
                var running = await Sql.ScalarAsync<int>(conns[db], "select count(*)::int from pg_stat_subscription where pid is not null", ct);
                var limit = await Sql.ScalarAsync<string>(conns[db], "show max_logical_replication_workers", ct);
                workers.Add((JsonNode)new JsonObject { ["database"] = db, ["running_workers"] = running, ["max_logical_replication_workers"] = limit });
                if (running != 0 || limit != "0")
                {
                    throw HyopsException.From(DiagnosticCatalog.NoCutoverCloneFailed,
                        $"the clone could apply from the source in '{db}' (max_logical_replication_workers {limit}, {running} worker(s) running); nothing was promoted on it");
                }
            }

            context.Evidence.Check("clone_applies_nothing", true, new JsonObject { ["databases"] = workers });

            // The promotion's own steps, on the clone: from here the time to writable runs.
            var promoteStart = context.Time.GetUtcNow();
            foreach (var db in link.Databases)
            {
                var name = Sql.Ident(DrLink.LinkName(db));
                await Sql.ExecAsync(conns[db], $"alter subscription {name} disable", ct);
                await Sql.ExecAsync(conns[db], $"alter subscription {name} set (slot_name = NONE)", ct);
                await Sql.ExecAsync(conns[db], $"drop subscription {name}", ct);
                await StandbyWriteGuard.LiftAsync(conns[db], ct);
            }

            var op = await provider.PromoteReplicaAsync(inputs.CloneName, ct);
            context.Evidence.Append("provider_operation", op.ToJson());
            foreach (var db in link.Databases)
            {
                await using var client = await Sql.OpenAsync(CloneAdmin(db) with { Options = null }, ct);
                await Sql.ExecAsync(client, "insert into hyops_dr.barrier (id) values ($1)", ct, $"clone-writable-{context.RunId}-{db}");
            }

            var writable = context.Time.GetUtcNow();
            clone["time_to_writable_s"] = Seconds(promoteStart, writable);
            clone["ready_to_writable_s"] = Seconds(copyStart, writable);
            drill.Check("clone_promoted", true, new JsonObject
            {
                ["clone"] = inputs.CloneName, ["host"] = instance.IpAddress, ["port"] = instance.Port, ["subscriptions_dropped"] = link.Databases.Select(DrLink.LinkName).ToJsonArray(),
                ["write"] = "insert into hyops_dr.barrier from a plain client session", ["time_to_writable_s"] = clone["time_to_writable_s"]!.DeepClone(),
            }, DiagnosticCatalog.NoCutoverCloneFailed, "");

            var missing = new List<string>();
            foreach (var db in link.Databases)
            {
                var id = barrierIds[db]!.GetValue<string>();
                if (await Sql.ScalarAsync<int>(conns[db], "select count(*)::int from hyops_dr.barrier where id = $1", ct, id) != 1)
                {
                    missing.Add(id);
                }
            }

            clone["barrier_found"] = missing.Count == 0;
            drill.Check("barrier_on_clone", missing.Count == 0, new JsonObject { ["barrier_ids"] = barrierIds.DeepClone(), ["missing"] = missing.ToJsonArray() },
                DiagnosticCatalog.NoCutoverCloneFailed, $"barrier row(s) {string.Join(", ", missing)} not on the clone");

            var tables = new JsonObject();
            var outside = new List<string>();
            foreach (var db in link.Databases)
            {
                var (t, o) = TableCounts.Compare(standbyBefore[db], standbyAfter[db], cloneCounts[db]);
                tables[db] = t;
                outside.AddRange(o.Select(x => $"{db}: {x}"));
            }

            clone["tables"] = tables;
            clone["counts_matched"] = outside.Count == 0;
            drill.Check("clone_table_counts", outside.Count == 0, new JsonObject { ["tables"] = tables.DeepClone() },
                DiagnosticCatalog.NoCutoverCloneFailed, $"table counts on the clone outside the standby's before/after counts: {string.Join("; ", outside)}");
        }
        finally
        {
            foreach (var c in conns.Values)
            {
                await c.DisposeAsync();
            }
        }
    }

    private async Task<Dictionary<string, SortedDictionary<string, long>>> CountsAsync(Func<string, PgEndpoint> endpoint, CancellationToken ct)
    {
        var all = new Dictionary<string, SortedDictionary<string, long>>(StringComparer.Ordinal);
        foreach (var db in link.Databases)
        {
            await using var conn = await Sql.OpenAsync(endpoint(db), ct);
            all[db] = await TableCounts.ReadAsync(conn, ct);
        }

        return all;
    }

    /// <summary>Stops and deletes the clone through the provider; true once the provider no longer knows it.</summary>
    private async Task<bool> RemoveAsync(CancellationToken ct)
    {
        var observed = new JsonObject { ["clone"] = inputs.CloneName };
        try
        {
            if (await provider.GetInstanceAsync(inputs.CloneName, ct) is not null)
            {
                var op = await provider.DeleteInstanceAsync(inputs.CloneName, ct);
                context.Evidence.Append("provider_operation", op.ToJson());
            }

            var gone = await provider.GetInstanceAsync(inputs.CloneName, ct) is null;
            observed["gone"] = gone;
            return drill.Check("clone_removed", gone, observed, DiagnosticCatalog.NoCutoverStandbyDisturbed, $"clone '{inputs.CloneName}' is still known to the provider after its removal");
        }
        catch (HyopsException ex)
        {
            observed["error"] = ex.Diagnostics[0].Message;
            return drill.Check("clone_removed", false, observed, DiagnosticCatalog.NoCutoverStandbyDisturbed, $"clone '{inputs.CloneName}' was not removed: {ex.Diagnostics[0].Message}");
        }
    }

    private static double Seconds(DateTimeOffset a, DateTimeOffset b) => Math.Round((b - a).TotalSeconds, 3);
}
