using System.Text;
using System.Text.Json.Serialization.Metadata;
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

    public void Append<T>(T entry, JsonTypeInfo<T> type)
    {
        var bytes = Encoding.UTF8.GetBytes(Json.Serialize(entry, type, indented: false) + "\n");
        lock (gate)
        {
            stream.Write(bytes);
            stream.Flush();
        }
    }

    public void Dispose() => stream.Dispose();
}
