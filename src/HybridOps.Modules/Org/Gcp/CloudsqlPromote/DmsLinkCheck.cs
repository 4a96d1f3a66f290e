using System.Text.Json.Nodes;
using HybridOps.Modules.Common;
using HybridOps.Modules.Org.Gcp.Managed;
using HybridOps.Providers.Gcp;

namespace HybridOps.Modules.Org.Gcp.CloudsqlPromote;

/// <summary>
/// The health and lag of a DMS-fed standby (provider gcp), read-only: the migration job must be
/// RUNNING in phase CDC (the API), and every source database must have an active logical slot of the
/// replication role, whose distance to the current WAL position is the lag (the source).
/// </summary>
internal sealed record DmsLinkCheck(JsonObject Job, IReadOnlyList<ConsumerSlotProbe.Result> Slots)
{
    public long? LagBytes => ConsumerSlotProbe.MaxLag(Slots);

    public bool Healthy => Job.Str("state") == "RUNNING" && Job.Str("phase") == "CDC" && LagBytes is not null;

    /// <summary>streaming, or the job's state/phase (or "no active consumer slot").</summary>
    public string State => Healthy ? "streaming"
        : Job.Str("state") == "RUNNING" && Job.Str("phase") == "CDC" ? "no active consumer slot on the source"
        : $"migration job {Job.Str("state")}/{Job.Str("phase") ?? "-"}";

    public JsonArray Links => new([.. Slots.Select(s => (JsonNode?)s.ToJson())]);

    public JsonObject ToJson() => new() { ["migration_job"] = Job.DeepClone(), ["links"] = Links, ["lag_bytes"] = LagBytes, ["replication_state"] = State };

    public static async Task<DmsLinkCheck> ProbeAsync(DrLink link, GcpApis apis, CancellationToken ct)
    {
        var job = await new GcpReplicaLink(apis, link.TargetName).StatusAsync(ct);
        var slots = new List<ConsumerSlotProbe.Result>();
        foreach (var db in link.Databases)
        {
            slots.Add(await ConsumerSlotProbe.ProbeAsync(link, db, ct));
        }

        return new DmsLinkCheck(job, slots);
    }
}
