namespace HybridOps.Core.Drill;

/// <summary>The RTO/RPO arithmetic of a drill, as pure functions over the ack log and the ids read back.</summary>
public static class DrillMeasure
{
    private const int SampleSize = 20;

    /// <summary>
    /// RTO: the first ack at or after <paramref name="publishedAt"/> (the blueprint finished publishing)
    /// that went to <paramref name="publishedAddress"/> (any address when null), measured from
    /// <paramref name="failoverStart"/>.
    /// </summary>
    public static RtoMeasurement Rto(IEnumerable<AckRecord> acks, DateTimeOffset failoverStart, DateTimeOffset publishedAt, string? publishedAddress)
    {
        ArgumentNullException.ThrowIfNull(acks);
        var after = publishedAt > failoverStart ? publishedAt : failoverStart;
        var first = acks
            .Where(a => a.AckedAt >= after && (publishedAddress is null || a.Address == publishedAddress))
            .OrderBy(a => a.AckedAt)
            .ThenBy(a => a.Id)
            .FirstOrDefault();
        return new RtoMeasurement(failoverStart, publishedAt, publishedAddress, first?.AckedAt, first?.Id, first?.Address);
    }

    /// <summary>RPO: acked ids of <paramref name="loadId"/> missing from <paramref name="idsInDatabase"/>.</summary>
    public static RpoMeasurement Rpo(IEnumerable<AckRecord> acks, string loadId, IReadOnlySet<long> idsInDatabase)
    {
        ArgumentNullException.ThrowIfNull(acks);
        ArgumentNullException.ThrowIfNull(idsInDatabase);
        var mine = acks.Where(a => a.LoadId == loadId).GroupBy(a => a.Id).Select(g => g.First()).ToList();
        var acked = mine.Select(a => a.Id).ToHashSet();
        var missing = mine.Where(a => !idsInDatabase.Contains(a.Id)).OrderBy(a => a.Id).ToList();
        var byTime = missing.OrderBy(a => a.AckedAt).ToList();
        return new RpoMeasurement(
            Acknowledged: mine.Count,
            Found: mine.Count - missing.Count,
            MissingCount: missing.Count,
            MissingFirstId: missing.FirstOrDefault()?.Id,
            MissingLastId: missing.LastOrDefault()?.Id,
            MissingFirstAckAt: byTime.FirstOrDefault()?.AckedAt,
            MissingLastAckAt: byTime.LastOrDefault()?.AckedAt,
            Unacknowledged: idsInDatabase.Count(id => !acked.Contains(id)),
            MissingSample: [.. missing.Take(SampleSize).Select(a => a.Id)]);
    }
}
