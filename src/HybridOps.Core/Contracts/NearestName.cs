namespace HybridOps.Core.Contracts;

/// <summary>"Did you mean …": the closest known name within a small edit distance.</summary>
public static class NearestName
{
    public static string? Find(string name, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(known);
        var names = known.Distinct(StringComparer.Ordinal).ToList();
        var limit = Math.Max(1, Math.Min(3, name.Length / 3));
        var close = names
            .Select(k => (Name: k, Distance: Distance(name, k)))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();
        if (close is not null)
        {
            return close;
        }

        // Same stem, other last word (gate_name for gate_id): only when exactly one known name fits.
        var words = name.Split('_');
        var stem = words.Length > 1 ? string.Join('_', words[..^1]) + "_" : null;
        var sameStem = stem is null ? [] : names.Where(k => k.StartsWith(stem, StringComparison.Ordinal) && k.Split('_').Length == words.Length).ToList();
        return sameStem.Count == 1 ? sameStem[0] : null;
    }

    public static string Hint(string name, IEnumerable<string> known) =>
        Find(name, known) is { } near ? $" (did you mean '{near}'?)" : "";

    /// <summary>Optimal string alignment distance (a transposition counts as one edit), case-insensitive.</summary>
    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 3 || a.Length > 200 || b.Length > 200)
        {
            return int.MaxValue;
        }

        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
