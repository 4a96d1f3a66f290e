using System.Text.Json.Nodes;
using HybridOps.Modules.Org.Gcp.Managed;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPromoteDrill;

/// <summary>
/// One database's link identity, read-only from both ends: the source slot (active, the walsender
/// serving it, confirmed_flush_lsn) and the standby subscription (enabled, the slot it names).
/// Taken before the drill and after, to prove the drill took no slot and stopped no subscription.
/// </summary>
internal sealed record SlotFacts(string Database, string SlotName, bool SlotExists, bool Active, int? ActivePid, string? ConfirmedFlushLsn, bool SubscriptionEnabled, string? SubscriptionSlot)
{
    public JsonObject ToJson() => new()
    {
        ["database"] = Database, ["slot_name"] = SlotName, ["slot_exists"] = SlotExists, ["active"] = Active, ["active_pid"] = ActivePid,
        ["confirmed_flush_lsn"] = ConfirmedFlushLsn, ["subscription_enabled"] = SubscriptionEnabled, ["subscription_slot"] = SubscriptionSlot,
    };

    public static async Task<SlotFacts> ReadAsync(DrLink link, string db, CancellationToken ct)
    {
        var name = DrLink.LinkName(db);
        bool exists = false, active = false, enabled = false;
        int? pid = null;
        string? lsn = null, subSlot = null;
        await using (var source = await Sql.OpenAsync(link.SourceAdmin(db), ct))
        {
            var rows = await Sql.RowsAsync(source, "select active, active_pid, confirmed_flush_lsn::text from pg_replication_slots where slot_name = $1", ct, name);
            if (rows.Count == 1)
            {
                exists = true;
                active = (bool)rows[0][0]!;
                pid = rows[0][1] as int?;
                lsn = rows[0][2] as string;
            }
        }

        await using (var target = await Sql.OpenAsync(link.TargetAdmin(db), ct))
        {
            var rows = await Sql.RowsAsync(target, "select subenabled, subslotname::text from pg_subscription where subname = $1", ct, name);
            if (rows.Count == 1)
            {
                enabled = (bool)rows[0][0]!;
                subSlot = rows[0][1] as string;
            }
        }

        return new SlotFacts(db, name, exists, active, pid, lsn, enabled, subSlot);
    }

    /// <summary>The same slot still serves the same subscription and has not gone back (empty when so, else why not).</summary>
    public IEnumerable<string> DifferencesFrom(SlotFacts before)
    {
        ArgumentNullException.ThrowIfNull(before);
        if (!SlotExists)
        {
            yield return $"slot {SlotName} is gone on the source";
        }
        else if (!Active)
        {
            yield return $"slot {SlotName} is not active";
        }

        if (!SubscriptionEnabled)
        {
            yield return $"subscription {SlotName} is not enabled";
        }

        if (SubscriptionSlot != before.SubscriptionSlot)
        {
            yield return $"subscription {SlotName} names slot '{SubscriptionSlot}', before '{before.SubscriptionSlot}'";
        }

        if (Lsn(ConfirmedFlushLsn) < Lsn(before.ConfirmedFlushLsn))
        {
            yield return $"slot {SlotName} confirmed_flush_lsn went back from {before.ConfirmedFlushLsn} to {ConfirmedFlushLsn}";
        }
    }

    private static ulong Lsn(string? text) =>
        text?.Split('/') is [var hi, var lo]
            ? (ulong.Parse(hi, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture) << 32)
              | ulong.Parse(lo, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture)
            : 0;
}
