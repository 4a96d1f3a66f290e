using System.Collections.Immutable;

namespace HybridOps.Core.Evidence;

/// <summary>
/// Checks every run record and drill report under a runtime root against the evidence index: the index's
/// own chain, then each run it opened (present, own chain intact, final head and documents as sealed), each
/// drill report (files as pinned), and every record or report on disk the index never named. A root without
/// an index (written before the chain existed) is reported as unchained, record by record, not as tampered.
/// </summary>
public static class EvidenceVerifier
{
    /// <param name="scope">Only these runs and drills (a bundle); null: everything under the root.</param>
    /// <param name="requireChain">An unchained root fails instead of passing with notes.</param>
    /// <param name="expectHead">A head hash recorded earlier (e.g. by an auditor): it must still be a line of the index.</param>
    public static EvidenceReport Verify(string root, EvidenceScope? scope = null, bool requireChain = false, string? expectHead = null)
    {
        var segments = EvidenceIndex.Segments(root);
        var findings = ImmutableArray.CreateBuilder<EvidenceFinding>();
        var disk = RunKey.OnDisk(root).Where(r => scope is null || scope.Runs.Contains(r.Key)).ToDictionary(r => r.Key, r => r.Dir);
        var diskDrills = scope is null
            ? DrillDirs.OnDisk(root).ToDictionary(d => d.RunId, d => d.Dir, StringComparer.Ordinal)
            : scope.Drills.Where(d => Directory.Exists(d.Value)).ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal);
        if (segments.Count == 0)
        {
            if (requireChain || expectHead is not null)
            {
                findings.Add(new("index", "evidence index", EvidenceIndex.RelativeDir, "removed", "no evidence index: runs are not chained (a root written before the index, or the index was deleted)"));
            }

            findings.AddRange(disk.Where(r => File.Exists(Path.Combine(r.Value, RunRecord.FileName))).Select(r => RunCheck.Unindexed(r.Key, r.Value, chained: false)));
            findings.AddRange(diskDrills.Select(d => new EvidenceFinding("drill", d.Key, d.Value, "unchained", "no evidence index pins this report's files")));
            return new EvidenceReport { Source = root, Chained = false, RunsChecked = disk.Count, DrillsChecked = diskDrills.Count, Findings = Sorted(findings) };
        }

        var lines = EvidenceIndex.Lines(root).ToList();
        var chain = RunRecordVerifier.Verify(lines.Select(l => l.Line));
        if (!chain.Intact)
        {
            var (_, segment, at) = lines[chain.FirstBrokenLine!.Value - 1];
            findings.Add(new("index", "evidence index", $"{EvidenceIndex.RelativeDir}/{segment}", "edited",
                $"line {chain.FirstBrokenLine} ({segment} line {at}): {chain.Reason} (lines or segments reordered, removed or changed)"));
        }

        var entries = EvidenceIndex.Read(root);
        if (expectHead is not null && !entries.Any(e => e.Hash == expectHead))
        {
            findings.Add(new("index", "evidence index", EvidenceIndex.RelativeDir, "edited", $"the expected head {expectHead} is not a line of the index: it was rewritten or truncated since"));
        }

        var view = IndexView.Of(entries);
        var runs = view.Runs.Where(r => scope is null || scope.Runs.Contains(r.Key)).ToList();
        foreach (var (key, pinned) in runs)
        {
            findings.Add(RunCheck.Indexed(key, Path.Combine(root, key.RelativeDir), pinned, view.SealedHeads));
        }

        foreach (var (key, dir) in disk.Where(r => !view.Runs.ContainsKey(r.Key) && File.Exists(Path.Combine(r.Value, RunRecord.FileName))))
        {
            findings.Add(RunCheck.Unindexed(key, dir, chained: true));
        }

        var drills = view.Drills.Where(d => scope is null || scope.Drills.ContainsKey(d.Key)).ToList();
        foreach (var (runId, entry) in drills)
        {
            findings.Add(DrillCheck(root, runId, entry, scope));
        }

        foreach (var (runId, dir) in diskDrills.Where(d => !view.Drills.ContainsKey(d.Key)))
        {
            findings.Add(new("drill", runId, dir, "unindexed", "a drill report the index never pinned: added outside hyops (or by a hyops without the evidence index)"));
        }

        return new EvidenceReport
        {
            Source = root,
            Chained = true,
            IndexEntries = entries.Count,
            HeadSeq = entries.Count == 0 ? 0 : entries[^1].Seq,
            HeadHash = entries.Count == 0 ? null : entries[^1].Hash,
            RunsChecked = runs.Count + disk.Keys.Count(k => !view.Runs.ContainsKey(k)),
            DrillsChecked = drills.Count + diskDrills.Keys.Count(k => !view.Drills.ContainsKey(k)),
            Findings = Sorted(findings),
        };
    }

    private static EvidenceFinding DrillCheck(string root, string runId, IndexEntry entry, EvidenceScope? scope)
    {
        var pinnedDir = entry.Text("dir") ?? "";
        var dir = scope?.Drills.GetValueOrDefault(runId) ?? (Path.IsPathRooted(pinnedDir) ? pinnedDir : Path.Combine(root, pinnedDir));
        var name = $"{entry.Text("blueprint_id")} drill {runId}";
        if (!Directory.Exists(dir))
        {
            return new("drill", name, pinnedDir, "removed", "the index pinned this drill report; its directory is gone");
        }

        var changes = SealedFiles.Compare(entry.Files(), DirectoryHashes.Of(dir));
        return changes is null ? new("drill", name, pinnedDir, "ok", $"{entry.Files().Count} files as pinned") : new("drill", name, pinnedDir, "edited", changes);
    }

    /// <summary>Failures first, then notes; ok findings are counted, not listed.</summary>
    private static ImmutableArray<EvidenceFinding> Sorted(IEnumerable<EvidenceFinding> findings) =>
        [.. findings.Where(f => f.Status != "ok").OrderBy(f => f.Failed ? 0 : 1).ThenBy(f => f.Path, StringComparer.Ordinal)];
}
