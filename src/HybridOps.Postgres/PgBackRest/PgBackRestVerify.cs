using System.Globalization;
using System.Text.RegularExpressions;

namespace HybridOps.Postgres.PgBackRest;

/// <summary>
/// What `pgbackrest verify --output=text --log-level-console=detail` found. pgBackRest 2.45 exits 0 even
/// when it finds problems: the continuous WAL ranges come as DETAIL lines (one per range, so two
/// ranges of one timeline are a hole between them), and invalid files as a "status: error" result.
/// </summary>
public sealed partial record PgBackRestVerify(IReadOnlyList<WalRange> Ranges, IReadOnlyList<WalGap> Gaps, bool Error, int InvalidFiles, string? Result)
{
    /// <summary>The argv options that make verify print what it found on stdout.</summary>
    public static IReadOnlyList<string> Options { get; } = ["--output=text", "--verbose", "--log-level-console=detail", "--log-level-stderr=off"];

    public static PgBackRestVerify Parse(string stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        var ranges = RangeLine().Matches(stdout).Select(m => new WalRange(m.Groups[1].Value, m.Groups[2].Value.ToUpperInvariant(), m.Groups[3].Value.ToUpperInvariant())).Distinct().ToList();
        var gaps = GapsOf(ranges);
        var result = ResultBlock().Match(stdout);
        var error = StatusError().IsMatch(stdout);
        var invalid = result.Success ? InvalidCount().Matches(result.Value).Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)) : 0;
        var text = result.Success ? string.Join("; ", result.Value.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)) : null;
        return new PgBackRestVerify(ranges, gaps, error, invalid, text);
    }

    /// <summary>
    /// The same findings with the WAL ranges walked from a listing of one archive id
    /// (`pgbackrest repo-ls --recurse archive/STANZA/ARCHIVE-ID`): for a store whose listing verify cannot
    /// use (s3rver returns no archive id directory at the stanza level, so verify reports "none found").
    /// </summary>
    public PgBackRestVerify WithListing(string archiveId, string listing)
    {
        ArgumentNullException.ThrowIfNull(listing);
        var segments = SegmentFile().Matches(listing).Select(m => m.Groups[1].Value.ToUpperInvariant()).Distinct().Order(StringComparer.Ordinal).ToList();
        var ranges = new List<WalRange>(Ranges.Where(r => r.ArchiveId != archiveId));
        for (var i = 0; i < segments.Count; i++)
        {
            var start = segments[i];
            while (i + 1 < segments.Count && WalSegment.Next(segments[i]) == segments[i + 1])
            {
                i++;
            }

            ranges.Add(new WalRange(archiveId, start, segments[i]));
        }

        return this with { Ranges = ranges, Gaps = GapsOf(ranges) };
    }

    private static List<WalGap> GapsOf(IReadOnlyList<WalRange> ranges)
    {
        var gaps = new List<WalGap>();
        foreach (var byArchive in ranges.GroupBy(r => r.ArchiveId))
        {
            var ordered = byArchive.OrderBy(r => r.Start, StringComparer.Ordinal).ToList();
            for (var i = 1; i < ordered.Count; i++)
            {
                // A new timeline starts a new range without a hole (the promoted member's first segment).
                if (WalSegment.Timeline(ordered[i - 1].Stop) == WalSegment.Timeline(ordered[i].Start))
                {
                    gaps.Add(new WalGap(ordered[i - 1].ArchiveId, ordered[i - 1].Stop, ordered[i].Start,
                        WalSegment.Next(ordered[i - 1].Stop), WalSegment.Previous(ordered[i].Start)));
                }
            }
        }

        return gaps;
    }

    /// <summary>The gaps after segment <paramref name="from"/> on its timeline (e.g. since the latest backup started).</summary>
    public IReadOnlyList<WalGap> GapsFrom(string from) =>
        Gaps.Where(g => string.CompareOrdinal(g.Before, from) > 0 && WalSegment.Timeline(g.After) == WalSegment.Timeline(from)).ToList();

    /// <summary>Whether one range holds every segment from <paramref name="start"/> to <paramref name="stop"/>.</summary>
    public bool Covers(string start, string stop) =>
        Ranges.Any(r => string.CompareOrdinal(r.Start, start) <= 0 && string.CompareOrdinal(r.Stop, stop) >= 0);

    [GeneratedRegex(@"^[0-9A-Fa-f]{16}/([0-9A-Fa-f]{24})-[0-9a-f]{40}", RegexOptions.Multiline)]
    private static partial Regex SegmentFile();

    [GeneratedRegex(@"DETAIL: archiveId: (\S+), wal start: ([0-9A-Fa-f]{24}), wal stop: ([0-9A-Fa-f]{24})")]
    private static partial Regex RangeLine();

    [GeneratedRegex(@"^stanza: .*\n(?:[ \t]+.*\n?|status: .*\n?)*", RegexOptions.Multiline)]
    private static partial Regex ResultBlock();

    [GeneratedRegex(@"^status: error", RegexOptions.Multiline)]
    private static partial Regex StatusError();

    [GeneratedRegex(@"(?:missing|checksum invalid|size invalid|other): (\d+)")]
    private static partial Regex InvalidCount();
}

/// <summary>One continuous WAL range of an archive id (e.g. 15-1) that verify found.</summary>
public sealed record WalRange(string ArchiveId, string Start, string Stop);

/// <summary>A hole in the archive: no segment after <see cref="After"/> before <see cref="Before"/>; missing <see cref="MissingFrom"/>..<see cref="MissingTo"/>.</summary>
public sealed record WalGap(string ArchiveId, string After, string Before, string MissingFrom, string MissingTo);
