using System.Collections.Immutable;
using HybridOps.Core.Evidence;

namespace HybridOps.Core.Drill;

/// <summary>
/// Every drill report kept under a runtime root: those the evidence index pinned (wherever --report-dir put
/// them) and those in the default &lt;root&gt;/drills/&lt;blueprint id&gt;/&lt;run id&gt;/, oldest first, each with its
/// trend against the previous drill of the same blueprint. Reports that do not parse are listed apart.
/// </summary>
public sealed record DrillHistory(ImmutableArray<DrillHistoryEntry> Drills, ImmutableArray<string> Unreadable)
{
    /// <param name="blueprint">A blueprint ref (onprem/x@v1) or id (onprem__x@v1); null for all.</param>
    public static DrillHistory Read(string root, string? blueprint = null)
    {
        var (all, unreadable) = Reports(root);
        var reports = all.Where(r => blueprint is null || r.BlueprintRef == blueprint || r.BlueprintId == blueprint).ToList();
        var entries = ImmutableArray.CreateBuilder<DrillHistoryEntry>();
        var previous = new Dictionary<string, DrillHistoryEntry>(StringComparer.Ordinal);
        foreach (var r in reports)
        {
            var entry = new DrillHistoryEntry(r.BlueprintRef, r.BlueprintId, r.RunId, r.StartedAt, r.Status, r.Disaster,
                r.Rto.Seconds, r.Rpo?.MissingCount, r.Rpo?.WindowSeconds, r.TimeToProtectedSeconds, r.ReportDir!, null, r.DrillKind, r.Isolated, r.NoCutover);
            if (previous.TryGetValue(r.BlueprintId, out var p))
            {
                entry = entry with
                {
                    Trend = new DrillTrend(p.RunId, Delta(entry.RtoSeconds, p.RtoSeconds), entry.RpoMissing - p.RpoMissing,
                        Delta(entry.TimeToProtectedSeconds, p.TimeToProtectedSeconds)),
                };
            }

            previous[r.BlueprintId] = entry;
            entries.Add(entry);
        }

        return new DrillHistory(entries.ToImmutable(), unreadable);
    }

    /// <summary>Every readable drill report under the root (with its <see cref="DrillReport.ReportDir"/>), oldest first, and the directories that do not parse.</summary>
    public static (ImmutableArray<DrillReport> Reports, ImmutableArray<string> Unreadable) Reports(string root)
    {
        var dirs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in EvidenceIndex.Read(root).Where(e => e.Type == "drill" || e.Text("subject") == "drill"))
        {
            if (e.RunId is { } id && e.Text("dir") is { } dir)
            {
                dirs[id] = Path.IsPathRooted(dir) ? dir : Path.Combine(root, dir);
            }
        }

        foreach (var (_, runId, dir) in DrillDirs.OnDisk(root))
        {
            dirs.TryAdd(runId, dir);
        }

        var reports = new List<DrillReport>();
        var unreadable = ImmutableArray.CreateBuilder<string>();
        foreach (var dir in dirs.Values.Distinct(StringComparer.Ordinal))
        {
            if (TryRead(Path.Combine(dir, DrillDirs.ReportFile)) is { } report)
            {
                reports.Add(report with { ReportDir = dir });
            }
            else
            {
                unreadable.Add(dir);
            }
        }

        return ([.. reports.OrderBy(r => r.StartedAt).ThenBy(r => r.RunId, StringComparer.Ordinal)], unreadable.ToImmutable());
    }

    private static double? Delta(double? now, double? before) => now is { } a && before is { } b ? Math.Round(a - b, 3) : null;

    private static DrillReport? TryRead(string file)
    {
        try
        {
            return File.Exists(file) ? Json.Deserialize(File.ReadAllText(file), CoreJsonContext.Default.DrillReport) : null;
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException or NotSupportedException)
        {
            return null;
        }
    }
}
