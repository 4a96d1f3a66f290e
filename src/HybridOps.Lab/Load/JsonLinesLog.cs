using System.Text;
using HybridOps.Core;

namespace HybridOps.Lab.Load;

/// <summary>Append-only JSON lines; every line is flushed before the call returns, so a crash loses no logged ack.</summary>
internal sealed class JsonLinesLog : IDisposable
{
    private readonly FileStream stream;
    private readonly object gate = new();

    public JsonLinesLog(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    public void Append<T>(T entry)
    {
        var bytes = Encoding.UTF8.GetBytes(Json.Serialize(entry, indented: false) + "\n");
        lock (gate)
        {
            stream.Write(bytes);
            stream.Flush();
        }
    }

    public static IReadOnlyList<T> Read<T>(string path) =>
        File.Exists(path)
            ? [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => Json.Deserialize<T>(l)).OfType<T>()]
            : [];

    public void Dispose() => stream.Dispose();
}
