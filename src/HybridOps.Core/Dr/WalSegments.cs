using System.Globalization;

namespace HybridOps.Core.Dr;

/// <summary>WAL segment names (TTTTTTTTXXXXXXXXYYYYYYYY, 16 MiB segments): the bytes between two of them.</summary>
public static class WalSegments
{
    public const long SegmentBytes = 16L * 1024 * 1024;
    private const long SegmentsPerLog = 0x100000000L / SegmentBytes;

    /// <summary>Bytes of WAL after <paramref name="from"/> up to and including <paramref name="to"/>; null when either name is not a segment name.</summary>
    public static long? BytesAfter(string? from, string? to) =>
        Number(from) is { } a && Number(to) is { } b ? Math.Max(0, b - a) * SegmentBytes : null;

    /// <summary>The segment's position in the WAL stream (timeline ignored: a restore replays across timelines).</summary>
    public static long? Number(string? name)
    {
        if (name is not { Length: 24 }
            || !long.TryParse(name.AsSpan(8, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var log)
            || !long.TryParse(name.AsSpan(16, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var seg)
            || !long.TryParse(name.AsSpan(0, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _))
        {
            return null;
        }

        return (log * SegmentsPerLog) + seg;
    }
}
