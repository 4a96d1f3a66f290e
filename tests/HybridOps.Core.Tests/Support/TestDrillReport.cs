using HybridOps.Core.Drill;

namespace HybridOps.Core.Tests.Support;

/// <summary>A drill report as the drill runner builds it, with the figures a test chooses (RTO, RPO, time to protected).</summary>
internal static class TestDrillReport
{
    public static DrillReport Make(string root, string blueprintRef, string runId, DateTimeOffset startedAt, double? rtoSeconds,
        long lost = 0, double protectedSeconds = 30, string? blueprintRunId = null, string? reportDir = null)
    {
        var failover = startedAt.AddSeconds(2);
        var acks = new List<AckRecord> { new(1, "L1", startedAt.AddSeconds(1), "127.0.1.1") };
        for (var i = 0; i < lost; i++)
        {
            acks.Add(new AckRecord(100 + i, "L1", startedAt.AddSeconds(1.5), "127.0.1.1"));
        }

        if (rtoSeconds is { } rto)
        {
            acks.Add(new AckRecord(2, "L1", failover.AddSeconds(rto), "127.0.2.1"));
        }

        var id = blueprintRef.Replace("/", "__", StringComparison.Ordinal);
        return new DrillReport
        {
            RunId = runId,
            BlueprintRef = blueprintRef,
            BlueprintId = id,
            BlueprintRunId = blueprintRunId,
            Status = rtoSeconds is null || lost > 0 ? "failed" : "ok",
            BlueprintStatus = "ok",
            ExitCode = rtoSeconds is null ? 8 : 0,
            ExitName = rtoSeconds is null ? "ReadinessFailure" : "Success",
            Disaster = "onprem-site",
            StartedAt = startedAt,
            EndedAt = failover.AddSeconds(protectedSeconds + 1),
            FailoverStart = failover,
            FailoverStartSource = "disaster_injection",
            ServiceRecord = "db.hyops.lab.",
            Phases = [new DrillPhase("step promote", "step", "ok", failover, failover.AddSeconds(1))],
            Rto = DrillMeasure.Rto(acks, failover, failover.AddSeconds(0.5), "127.0.2.1"),
            ProtectedAt = failover.AddSeconds(protectedSeconds),
            Rpo = DrillMeasure.Rpo(acks, "L1", new HashSet<long> { 1, 2 }),
            Writes = new DrillWrites("L1", 20, acks.Count, 0, acks[0].AckedAt, acks[^1].AckedAt, new Dictionary<string, long>(), new Dictionary<string, long>(), "acks.jsonl", "failures.jsonl"),
            ReportDir = reportDir ?? Path.Combine(root, "drills", id, runId),
        };
    }
}
