using System.Text.Json.Nodes;

namespace HybridOps.Modules.Org.Gcp.Managed;

/// <summary>
/// Lag of a consumer hyops does not drive (a DMS job), measured where hyops can see it: the logical
/// slots on the source that walsenders of the DR replication role hold in a database. Lag is the
/// largest distance from the current WAL position to a slot's confirmed flush; null when no such
/// slot is active (the consumer is not streaming). Read-only.
/// </summary>
internal static class ConsumerSlotProbe
{
    public sealed record Result(string Database, int ActiveSlots, long? LagBytes)
    {
        public JsonObject ToJson() => new() { ["database"] = Database, ["active_consumer_slots"] = ActiveSlots, ["lag_bytes"] = LagBytes };
    }

    public static async Task<Result> ProbeAsync(DrLink link, string db, CancellationToken ct)
    {
        await using var source = await Sql.OpenAsync(link.SourceAdmin(db), ct);
        var row = (await Sql.RowsAsync(source, """
            select count(*)::int, max(pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn))::bigint
            from pg_replication_slots s join pg_stat_replication r on r.pid = s.active_pid
            where s.slot_type = 'logical' and s.database = $1 and r.usename = $2
            """, ct, db, link.ReplicationUser))[0];
        var slots = (int)row[0]!;
        return new Result(db, slots, slots == 0 ? null : row[1] as long?);
    }

    /// <summary>The largest lag over the databases; null when one has no active consumer slot.</summary>
    public static long? MaxLag(IReadOnlyList<Result> results) => results.Any(r => r.LagBytes is null) ? null : results.Max(r => r.LagBytes!.Value);
}
