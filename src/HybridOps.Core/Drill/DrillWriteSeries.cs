using System.Collections.Immutable;

namespace HybridOps.Core.Drill;

/// <summary>
/// Acknowledged and failed writes per bucket (1 s, wider for drills over 10 minutes) from <see cref="Start"/>:
/// the data of the report's write-rate plot, counted from acks.jsonl and failures.jsonl.
/// </summary>
public sealed record DrillWriteSeries(DateTimeOffset Start, double BucketSeconds, ImmutableArray<int> Acked, ImmutableArray<int> Failed)
{
    private const int MaxBuckets = 600;

    /// <summary>
    /// What the two series count, for the plot's legend: null = the drill's write load (acknowledged /
    /// failed writes). An isolated drill counts production's own commits and rollbacks instead.
    /// </summary>
    public string? AckedLabel { get; init; }
    public string? FailedLabel { get; init; }

    /// <summary>A series from counts observed at moments (a sampler's deltas), bucketed like <see cref="From"/>.</summary>
    public static DrillWriteSeries FromCounts(IEnumerable<(DateTimeOffset At, int Acked, int Failed)> counts, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var span = Math.Max((to - from).TotalSeconds, 1);
        var bucket = Math.Max(1, Math.Ceiling(span / MaxBuckets));
        var n = (int)Math.Ceiling(span / bucket);
        var acked = new int[n];
        var failed = new int[n];
        foreach (var (at, a, f) in counts)
        {
            var i = (int)Math.Floor((at - from).TotalSeconds / bucket);
            if (i >= 0 && i < n)
            {
                acked[i] += a;
                failed[i] += f;
            }
        }

        return new DrillWriteSeries(from, bucket, [.. acked], [.. failed]);
    }

    public static DrillWriteSeries From(IEnumerable<AckRecord> acks, IEnumerable<LoadFailureRecord> failures, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(acks);
        ArgumentNullException.ThrowIfNull(failures);
        return FromCounts(acks.Select(a => (a.AckedAt, 1, 0)).Concat(failures.Select(f => (f.At, 0, 1))), from, to);
    }
}
