using System.Text;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Runtime;

/// <summary>
/// An exclusive, process-wide lock on a runtime root (flock under the hood via FileShare.None), so two
/// mutating runs cannot race on the same cluster. Released when disposed or when the process dies.
/// </summary>
public sealed class RootLock : IDisposable
{
    private readonly FileStream stream;

    private RootLock(FileStream stream, string path)
    {
        this.stream = stream;
        Path = path;
    }

    public string Path { get; }

    public static RootLock Acquire(string runtimeRoot, string target = "root")
    {
        var dir = System.IO.Path.Combine(runtimeRoot, "locks");
        Directory.CreateDirectory(dir);
        var path = System.IO.Path.Combine(dir, $"{target}.lock");
        try
        {
            var fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            fs.SetLength(0);
            fs.Write(Encoding.UTF8.GetBytes($"{Environment.ProcessId}\n"));
            fs.Flush(flushToDisk: true);
            return new RootLock(fs, path);
        }
        catch (IOException)
        {
            var holder = TryReadHolder(path);
            throw HyopsException.From(DiagnosticCatalog.LockHeld, $"lock '{path}' is held{(holder is null ? "" : $" by pid {holder}")}");
        }
    }

    private static string? TryReadHolder(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(fs);
            return reader.ReadLine()?.Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => stream.Dispose();
}
