using System.Security.Cryptography;

namespace HybridOps.Core.Evidence;

/// <summary>
/// SHA-256 of every file under a directory, by relative path ('/' separators, sorted). Hidden temp files
/// of an atomic write in progress (".name.pid.guid.tmp") are not content and are skipped.
/// </summary>
public static class DirectoryHashes
{
    public static SortedDictionary<string, string> Of(string dir, params string[] except)
    {
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(dir))
        {
            return hashes;
        }

        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(dir, file).Replace(Path.DirectorySeparatorChar, '/');
            if (except.Contains(name, StringComparer.Ordinal) || IsTemp(name))
            {
                continue;
            }

            hashes[name] = OfFile(file);
        }

        return hashes;
    }

    public static string OfFile(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static bool IsTemp(string name)
    {
        var leaf = name[(name.LastIndexOf('/') + 1)..];
        return leaf.StartsWith('.') && leaf.EndsWith(".tmp", StringComparison.Ordinal);
    }
}
