using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Evidence;

/// <summary>
/// What an export of one run id carries: a blueprint run with the module runs its steps name and the drill
/// reports of that blueprint run; a drill run id brings its blueprint run the same way; a module run is alone.
/// </summary>
public sealed record BundleSubject(string RunId, IReadOnlyList<RunKey> Runs, IReadOnlyDictionary<string, (string BlueprintId, string Dir)> Drills)
{
    public static BundleSubject Find(string root, string runId)
    {
        var entries = EvidenceIndex.Read(root);
        var keys = entries.Select(e => e.Type is "open" or "seal" or "adopt" ? e.Run : null).OfType<RunKey>()
            .Concat(RunKey.OnDisk(root).Select(r => r.Key)).Distinct().ToList();
        var drills = DrillLocations(root, entries);

        var runs = new List<RunKey>();
        var blueprintRun = drills.TryGetValue(runId, out var asDrill) ? asDrill.BlueprintRunId : runId;
        var top = keys.FirstOrDefault(k => k.RunId == blueprintRun);
        if (top is null && asDrill.Dir is null)
        {
            throw HyopsException.From(DiagnosticCatalog.EvidenceRunNotFound, $"no run record or drill report with run id '{runId}' under {root}");
        }

        if (top is not null)
        {
            runs.Add(top);
            if (top.Kind == "blueprint")
            {
                var modules = ModuleRunIds(Path.Combine(root, top.RelativeDir, RunRecord.FileName));
                runs.AddRange(keys.Where(k => k.Kind == "module" && modules.Contains(k.RunId)));
            }
        }

        var chosen = drills.Where(d => d.Key == runId || (top is not null && d.Value.BlueprintRunId == top.RunId))
            .ToDictionary(d => d.Key, d => (d.Value.BlueprintId, d.Value.Dir!), StringComparer.Ordinal);
        return new BundleSubject(runId, runs, chosen);
    }

    /// <summary>Drill run id -> (blueprint id, blueprint run id, directory) from the index, then the default drills/ tree.</summary>
    private static Dictionary<string, (string BlueprintId, string? BlueprintRunId, string? Dir)> DrillLocations(string root, List<IndexEntry> entries)
    {
        var drills = new Dictionary<string, (string, string?, string?)>(StringComparer.Ordinal);
        foreach (var e in entries.Where(e => (e.Type == "drill" || e.Text("subject") == "drill") && e.RunId is not null))
        {
            var dir = e.Text("dir") ?? "";
            drills[e.RunId!] = (e.Text("blueprint_id") ?? "", e.Text("blueprint_run_id"), Path.IsPathRooted(dir) ? dir : Path.Combine(root, dir));
        }

        foreach (var (blueprintId, runId, dir) in DrillDirs.OnDisk(root))
        {
            drills.TryAdd(runId, (blueprintId, DrillDirs.BlueprintRunId(dir), dir));
        }

        return drills;
    }

    /// <summary>module_run_id of every step line of a blueprint record (lines that do not parse are skipped: verify reports them).</summary>
    private static HashSet<string> ModuleRunIds(string record)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(record))
        {
            return ids;
        }

        foreach (var line in File.ReadLines(record))
        {
            try
            {
                if (JsonNode.Parse(line) is JsonObject o && o["type"]?.ToString() == "step" && o["data"]?["module_run_id"] is JsonValue id)
                {
                    ids.Add(id.ToString());
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // not evidence of a step; verify names the line
            }
        }

        return ids;
    }
}
