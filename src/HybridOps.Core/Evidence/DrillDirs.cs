using System.Text.Json.Nodes;

namespace HybridOps.Core.Evidence;

/// <summary>Drill report directories in their default place: &lt;root&gt;/drills/&lt;blueprint id&gt;/&lt;run id&gt;/report.json.</summary>
public static class DrillDirs
{
    public const string ReportFile = "report.json";

    public static IEnumerable<(string BlueprintId, string RunId, string Dir)> OnDisk(string root)
    {
        var drills = Path.Combine(root, "drills");
        if (!Directory.Exists(drills))
        {
            yield break;
        }

        foreach (var blueprint in Directory.EnumerateDirectories(drills).Order(StringComparer.Ordinal))
        {
            foreach (var run in Directory.EnumerateDirectories(blueprint).Order(StringComparer.Ordinal))
            {
                if (File.Exists(Path.Combine(run, ReportFile)))
                {
                    yield return (Path.GetFileName(blueprint), Path.GetFileName(run), run);
                }
            }
        }
    }

    /// <summary>The blueprint run a report names (blueprint_run_id), or null when it cannot be read.</summary>
    public static string? BlueprintRunId(string dir)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(Path.Combine(dir, ReportFile)))?["blueprint_run_id"]?.ToString();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException)
        {
            return null;
        }
    }
}
