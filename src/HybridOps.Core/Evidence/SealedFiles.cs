namespace HybridOps.Core.Evidence;

/// <summary>Compares the file hashes an index entry pinned with what a directory holds now.</summary>
internal static class SealedFiles
{
    /// <summary>Null when equal; else what differs, naming each file ("outputs.json changed, x.json added").</summary>
    public static string? Compare(SortedDictionary<string, string> sealedFiles, SortedDictionary<string, string> now)
    {
        var changes = new List<string>();
        foreach (var (name, hash) in sealedFiles)
        {
            if (!now.TryGetValue(name, out var current))
            {
                changes.Add($"{name} removed");
            }
            else if (current != hash)
            {
                changes.Add($"{name} changed");
            }
        }

        changes.AddRange(now.Keys.Where(n => !sealedFiles.ContainsKey(n)).Select(n => $"{n} added after the seal"));
        return changes.Count == 0 ? null : string.Join(", ", changes);
    }
}
