namespace HybridOps.Core.Evidence;

/// <summary>
/// The index folded per subject: each run it opened or adopted with the entry that pins it last (seal or
/// adopt; null while only opened), each drill report's last entry, and which run each sealed head belongs to.
/// </summary>
internal sealed record IndexView(
    IReadOnlyDictionary<RunKey, IndexEntry?> Runs,
    IReadOnlyDictionary<string, IndexEntry> Drills,
    IReadOnlyDictionary<string, RunKey> SealedHeads)
{
    public static IndexView Of(IEnumerable<IndexEntry> entries)
    {
        var runs = new Dictionary<RunKey, IndexEntry?>();
        var drills = new Dictionary<string, IndexEntry>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var subject = e.Type == "adopt" ? e.Text("subject") : null;
            if ((e.Type == "drill" || subject == "drill") && e.RunId is { } drillRun)
            {
                drills[drillRun] = e;
            }
            else if (e.Run is { } key && e.Type is "open" or "seal" or "adopt")
            {
                runs[key] = e.Type == "open" ? runs.GetValueOrDefault(key) : e;
            }
        }

        var heads = new Dictionary<string, RunKey>(StringComparer.Ordinal);
        foreach (var (key, pinned) in runs)
        {
            if (pinned?.Text("head") is { } head)
            {
                heads.TryAdd(head, key);
            }
        }

        return new IndexView(runs, drills, heads);
    }
}
