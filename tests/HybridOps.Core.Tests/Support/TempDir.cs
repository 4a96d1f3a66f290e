using System.Security.Cryptography;
using System.Text;

namespace HybridOps.Core.Tests.Support;

/// <summary>A throwaway directory per test; deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hyops-core-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    /// <summary>Writes <paramref name="content"/> to a path relative to this directory and returns the full path.</summary>
    public string Write(string relativePath, string content)
    {
        var full = Combine(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        return full;
    }

    /// <summary>Every file under <paramref name="dir"/> as relative path -> SHA-256 of its bytes.</summary>
    public static SortedDictionary<string, string> Snapshot(string dir)
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!Directory.Exists(dir))
        {
            return snapshot;
        }

        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            snapshot[System.IO.Path.GetRelativePath(dir, file)] = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));
        }

        return snapshot;
    }

    /// <summary>Every file under <paramref name="dir"/> as relative path -> UTF-8 text.</summary>
    public static Dictionary<string, string> ReadAll(string dir) =>
        Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
                .ToDictionary(f => System.IO.Path.GetRelativePath(dir, f), f => Encoding.UTF8.GetString(File.ReadAllBytes(f)), StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Leftover temp files are harmless; don't fail a test over cleanup.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
