using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using Npgsql;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>What one database's link looks like right now, from both ends.</summary>
internal sealed record LinkStatus(string Database, bool SubscriptionExists, bool Enabled, bool WorkerRunning, int ReadyTables, int TotalTables, long? LagBytes, bool? SlotActive)
{
    public bool Healthy => SubscriptionExists && Enabled && WorkerRunning && TotalTables > 0 && ReadyTables == TotalTables;

    public JsonObject ToJson() => new()
    {
        ["database"] = Database,
        ["subscription_exists"] = SubscriptionExists,
        ["enabled"] = Enabled,
        ["apply_worker_running"] = WorkerRunning,
        ["ready_tables"] = ReadyTables,
        ["total_tables"] = TotalTables,
        ["lag_bytes"] = LagBytes,
        ["slot_active"] = SlotActive,
    };
}

/// <summary>Reads subscription and slot facts (read-only) and measures lag; never changes replication.</summary>
internal static class ReplicationProbe
{
    public static async Task<LinkStatus> ProbeAsync(DrLink link, string db, bool sourceReachable, CancellationToken ct)
    {
        var name = DrLink.LinkName(db);
        bool exists = false, enabled = false, worker = false;
        int ready = 0, total = 0;
        if (await TargetHasDatabaseAsync(link, db, ct))
        {
            await using var target = await Sql.OpenAsync(link.TargetAdmin(db), ct);
            var sub = await Sql.RowsAsync(target, """
                select s.subenabled,
                       exists (select 1 from pg_stat_subscription st where st.subid = s.oid and st.pid is not null and st.relid is null),
                       (select count(*) filter (where r.srsubstate = 'r') from pg_subscription_rel r where r.srsubid = s.oid)::int,
                       (select count(*) from pg_subscription_rel r where r.srsubid = s.oid)::int
                from pg_subscription s where s.subname = $1
                """, ct, name);
            if (sub.Count == 1)
            {
                exists = true;
                enabled = (bool)sub[0][0]!;
                worker = (bool)sub[0][1]!;
                ready = (int)sub[0][2]!;
                total = (int)sub[0][3]!;
            }
        }

        long? lag = null;
        bool? active = null;
        if (sourceReachable)
        {
            await using var source = await Sql.OpenAsync(link.SourceAdmin(db), ct);
            var slot = await Sql.RowsAsync(source,
                "select pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint, active from pg_replication_slots where slot_name = $1", ct, name);
            if (slot.Count == 1)
            {
                lag = slot[0][0] as long?;
                active = slot[0][1] as bool?;
            }
        }

        return new LinkStatus(db, exists, enabled, worker, ready, total, lag, active);
    }

    public static async Task<bool> TargetHasDatabaseAsync(DrLink link, string db, CancellationToken ct)
    {
        await using var conn = await Sql.OpenAsync(link.TargetAdmin("postgres"), ct);
        return await Sql.ScalarAsync<int>(conn, "select count(*)::int from pg_database where datname = $1", ct, db) == 1;
    }

    /// <summary>True when the source answers SQL as the admin user (false when it is gone, e.g. after a site loss).</summary>
    public static async Task<bool> SourceReachableAsync(DrLink link, CancellationToken ct)
    {
        try
        {
            await using var conn = await Sql.OpenAsync(link.SourceAdmin(link.Databases[0]), ct);
            return true;
        }
        catch (HyopsException ex) when (ex.ExitCode == ExitCode.ConnectivityFailure)
        {
            return false;
        }
    }

    /// <summary>
    /// Heartbeat round trip: stamp hyops_dr.heartbeat on the source, then wait up to <paramref name="wait"/>
    /// for the stamp on the target. Seconds until it arrived, or the target's age when it did not.
    /// </summary>
    public static async Task<double?> HeartbeatLagAsync(DrLink link, string db, TimeSpan wait, TimeProvider time, CancellationToken ct)
    {
        DateTime stamp;
        await using (var source = await Sql.OpenAsync(link.SourceAdmin(db), ct))
        {
            await using var tx = await source.BeginTransactionAsync(ct);
            await Sql.ExecAsync(source, "set transaction read write", ct);
            stamp = (await Sql.ScalarAsync<DateTime>(source,
                "insert into hyops_dr.heartbeat values (1, clock_timestamp()) on conflict (id) do update set at = excluded.at returning at", ct))!;
            await tx.CommitAsync(ct);
        }

        var started = time.GetTimestamp();
        await using var target = await Sql.OpenAsync(link.TargetAdmin(db), ct);
        while (true)
        {
            var seen = await ReadHeartbeatAsync(target, ct);
            if (seen is { } s && s >= stamp)
            {
                return Math.Round(time.GetElapsedTime(started).TotalSeconds, 3);
            }

            if (time.GetElapsedTime(started) >= wait)
            {
                return seen is { } old ? Math.Round((stamp - old).TotalSeconds + time.GetElapsedTime(started).TotalSeconds, 3) : null;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), time, ct);
        }
    }

    private static async Task<DateTime?> ReadHeartbeatAsync(NpgsqlConnection target, CancellationToken ct)
    {
        var rows = await Sql.RowsAsync(target, "select at from hyops_dr.heartbeat where id = 1", ct);
        return rows.Count == 1 ? (DateTime?)rows[0][0] : null;
    }

    public static string StateOf(IReadOnlyList<LinkStatus> links, bool sourceReachable) =>
        !sourceReachable ? "source_unreachable"
        : links.Any(l => !l.SubscriptionExists) ? "absent"
        : links.Any(l => !l.Enabled) ? "disabled"
        : links.Any(l => l.ReadyTables < l.TotalTables) ? "syncing"
        : links.Any(l => !l.WorkerRunning) ? "down"
        : "streaming";
}
