using System.Collections.Immutable;
using System.Security.Cryptography;
using HybridOps.Core.Contracts;
using HybridOps.Core.State;

namespace HybridOps.Cli.Drill;

/// <summary>What a drill that must leave production's states alone compares before and after: the sha256 of every module state file but its own.</summary>
public static class StateFileHashes
{
    /// <summary>True for the state files (and their history copies) of <paramref name="steps"/>: a drill's own.</summary>
    public static Func<string, bool> OwnPaths(StateStore states, IReadOnlyList<BlueprintStep> steps)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(steps);
        var files = steps.Select(s => states.PathOf(s.ModuleRef, s.StateInstance)).ToHashSet(StringComparer.Ordinal);
        // StateStore keeps the previous version beside the state file, in history/<instance|latest>.<run id>.json.
        var history = steps.Select(s => (Dir: Path.Combine(Path.GetDirectoryName(states.PathOf(s.ModuleRef, s.StateInstance))!, "history"), Prefix: (s.StateInstance ?? "latest") + ".")).ToList();
        return f => files.Contains(f) || history.Any(h => Path.GetDirectoryName(f) == h.Dir && Path.GetFileName(f).StartsWith(h.Prefix, StringComparison.Ordinal));
    }

    /// <summary>sha256 of every module state file (relative path) except the drill's own.</summary>
    public static Dictionary<string, string> Of(string modulesDir, Func<string, bool> own)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(modulesDir))
        {
            return hashes;
        }

        foreach (var f in Directory.EnumerateFiles(modulesDir, "*", SearchOption.AllDirectories).Where(f => !own(f) && !f.EndsWith(".tmp", StringComparison.Ordinal)))
        {
            hashes[Path.GetRelativePath(modulesDir, f)] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)));
        }

        return hashes;
    }

    /// <summary>The relative paths whose hash differs, or that appeared or went.</summary>
    public static ImmutableArray<string> Changed(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return [.. before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).Order(StringComparer.Ordinal)];
    }
}
