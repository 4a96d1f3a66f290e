using System.Text.Json.Nodes;

namespace HybridOps.Core.Evidence;

/// <summary>One line of the evidence index as read back (whether or not its hash verifies).</summary>
public sealed record IndexEntry(long Seq, string Type, string At, JsonObject Data, string Hash)
{
    public RunKey? Run => RunKey.FromJson(Data);

    public string? RunId => Data["run_id"] is JsonValue v ? v.ToString() : null;

    public long? Long(string name) => Data[name] is JsonValue v && v.TryGetValue<long>(out var n) ? n : null;

    public string? Text(string name) => Data[name] is JsonValue v ? v.ToString() : null;

    /// <summary>The file name -> hash map of a seal, adopt or drill entry.</summary>
    public SortedDictionary<string, string> Files()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (Data["files"] is JsonObject o)
        {
            foreach (var (name, hash) in o)
            {
                files[name] = hash?.ToString() ?? "";
            }
        }

        return files;
    }
}
