using System.Text.Json.Nodes;
using HybridOps.Core;
using HybridOps.Core.State;

namespace HybridOps.Providers.Local;

/// <summary>
/// &lt;data_root&gt;/processes.json: {"processes":[{"name","pid","marker"}]}. `hyops lab down` stops every
/// listed pid whose argv still contains its marker (the instance's data dir), so nothing outlives the lab.
/// </summary>
internal static class ProcessesFile
{
    private static readonly Lock Gate = new();

    public static void Set(string path, string name, int? pid, string marker)
    {
        lock (Gate)
        {
            var list = Read(path);
            var kept = new JsonArray(list.OfType<JsonObject>().Where(p => p["name"]?.GetValue<string>() != name).Select(p => (JsonNode?)p.DeepClone()).ToArray());
            if (pid is { } live)
            {
                kept.Add((JsonNode)new JsonObject { ["name"] = name, ["pid"] = live, ["marker"] = marker });
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            AtomicFile.WriteAllText(path, new JsonObject { ["processes"] = kept }.ToJsonString(Json.Options), s => s);
        }
    }

    private static JsonArray Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        return JsonNode.Parse(File.ReadAllText(path))?["processes"] as JsonArray ?? [];
    }
}
