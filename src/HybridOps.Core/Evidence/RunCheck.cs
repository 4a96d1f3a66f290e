namespace HybridOps.Core.Evidence;

/// <summary>One run directory against the index entry that pinned it (its last seal or adoption), if any.</summary>
internal static class RunCheck
{
    public static EvidenceFinding Indexed(RunKey key, string dir, IndexEntry? pinned, IReadOnlyDictionary<string, RunKey> sealedHeads)
    {
        var record = Path.Combine(dir, RunRecord.FileName);
        EvidenceFinding Finding(string status, string detail) => new("run", key.ToString(), key.RelativeDir, status, detail);

        if (!Directory.Exists(dir))
        {
            return Finding("removed", pinned is null ? "the index opened this run; its directory is gone" : "the index sealed this run; its directory is gone");
        }

        if (!File.Exists(record))
        {
            return pinned is null
                ? Finding("unsealed", "opened, but no record line was written (the run was killed as it started)")
                : Finding("removed", $"{RunRecord.FileName} is gone from the run directory");
        }

        var verdict = RunRecordVerifier.Verify(record);
        if (!verdict.Intact)
        {
            var adoptedBroken = pinned?.Type == "adopt" && pinned.Text("intact") == "false";
            return Finding("edited", $"{RunRecord.FileName} line {verdict.FirstBrokenLine}: {verdict.Reason}{(adoptedBroken ? " (already broken when the index adopted it)" : "")}");
        }

        if (pinned is null)
        {
            return Finding("unsealed", $"no result line after {verdict.Lines} lines: the run was killed or is still running; its own chain is intact");
        }

        var lines = pinned.Long("lines") ?? -1;
        var head = pinned.Text("head");
        if (verdict.Lines != lines || verdict.Head != head)
        {
            if (verdict.Head is { } h && sealedHeads.TryGetValue(h, out var owner) && owner != key)
            {
                return Finding("moved", $"the directory holds the record sealed for {owner} (runs moved or swapped)");
            }

            return Finding("edited", verdict.Lines < lines ? $"truncated: {verdict.Lines} of the {lines} sealed lines"
                : verdict.Lines > lines ? $"{verdict.Lines - lines} lines after the sealed head (the chain was extended after the result)"
                : "replaced: the chain is intact but its head is not the sealed head");
        }

        var files = SealedFiles.Compare(pinned.Files(), DirectoryHashes.Of(dir, RunRecord.FileName));
        return files is null ? Finding("ok", $"{verdict.Lines} lines, sealed") : Finding("edited", files);
    }

    public static EvidenceFinding Unindexed(RunKey key, string dir, bool chained)
    {
        var verdict = RunRecordVerifier.Verify(Path.Combine(dir, RunRecord.FileName));
        if (!verdict.Intact)
        {
            return new("run", key.ToString(), key.RelativeDir, "edited", $"{RunRecord.FileName} line {verdict.FirstBrokenLine}: {verdict.Reason}");
        }

        return chained
            ? new("run", key.ToString(), key.RelativeDir, "unindexed", "a record the index never opened: added outside hyops (or by a hyops without the evidence index)")
            : new("run", key.ToString(), key.RelativeDir, "unchained", $"{verdict.Lines} lines, own chain intact; no evidence index, so a removed run would not show");
    }
}
