using System.Text.Json.Nodes;

namespace HybridOps.Core.Evidence;

/// <summary>Names one run record: logs/&lt;kind&gt;/&lt;id&gt;/&lt;run_id&gt;/ under a runtime root.</summary>
public sealed record RunKey(string Kind, string Id, string RunId)
{
    /// <summary>The run's directory relative to the runtime root, with '/' separators.</summary>
    public string RelativeDir => $"logs/{Kind}/{Id}/{RunId}";

    public override string ToString() => $"{Kind} {Id} run {RunId}";

    public JsonObject ToJson() => new() { ["kind"] = Kind, ["id"] = Id, ["run_id"] = RunId };

    public static RunKey? FromJson(JsonNode? data) =>
        data?["kind"] is JsonValue k && data["id"] is JsonValue i && data["run_id"] is JsonValue r
            ? new RunKey(k.ToString(), i.ToString(), r.ToString())
            : null;

    /// <summary>Every run directory under root/logs (three levels: kind, id, run id), whether or not it holds a record.</summary>
    public static IEnumerable<(RunKey Key, string Dir)> OnDisk(string root)
    {
        var logs = Path.Combine(root, "logs");
        if (!Directory.Exists(logs))
        {
            yield break;
        }

        foreach (var kind in Directory.EnumerateDirectories(logs).Order(StringComparer.Ordinal))
        {
            foreach (var id in Directory.EnumerateDirectories(kind).Order(StringComparer.Ordinal))
            {
                foreach (var run in Directory.EnumerateDirectories(id).Order(StringComparer.Ordinal))
                {
                    yield return (new RunKey(Path.GetFileName(kind), Path.GetFileName(id), Path.GetFileName(run)), run);
                }
            }
        }
    }
}
