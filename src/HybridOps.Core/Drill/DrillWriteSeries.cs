using System.Collections.Immutable;

namespace HybridOps.Core.Drill;

/// <summary>
/// Acknowledged and failed writes per bucket (1 s, wider for drills over 10 minutes) from <see cref="Start"/>:
/// the data of the report's write-rate plot, counted from acks.jsonl and failures.jsonl.
/// </summary>
public sealed record DrillWriteSeries(DateTimeOffset Start, double BucketSeconds, ImmutableArray<int> Acked, ImmutableArray<int> Failed)
{
    private const int MaxBuckets = 600;

    public static DrillWriteSeries From(IEnumerable<AckRecord> acks, IEnumerable<LoadFailureRecord> failures, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(acks);
        ArgumentNullException.ThrowIfNull(failures);
        var span = Math.Max((to - from).TotalSeconds, 1);
        var bucket = Math.Max(1, Math.Ceiling(span / MaxBuckets));
        var n = (int)Math.Ceiling(span / bucket);
        var acked = new int[n];
        var failed = new int[n];
        foreach (var a in acks)
        {
            Count(acked, a.AckedAt);
        }

        foreach (var f in failures)
        {
            Count(failed, f.At);
        }

        return new DrillWriteSeries(from, bucket, [.. acked], [.. failed]);

        void Count(int[] series, DateTimeOffset at)
        {
            var i = (int)Math.Floor((at - from).TotalSeconds / bucket);
            if (i >= 0 && i < n)
            {
                series[i]++;
            }
        }
    }
}
