using System.Text.Json.Nodes;
using HybridOps.Core;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Drill;
using HybridOps.Core.Evidence;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;

namespace HybridOps.Cli.Drill;

/// <summary>
/// Where drill reports live: &lt;root&gt;/drills/&lt;blueprint id&gt;/&lt;run id&gt;/report.{json,md,html}, plus
/// &lt;root&gt;/drills/&lt;blueprint id&gt;/last.json naming the latest report dir (which --report-dir may have put elsewhere).
/// Every report is also pinned in the evidence index (a `drill` entry with its files' hashes), which is how
/// `hyops drill history` finds reports written elsewhere and `hyops evidence verify` checks them.
/// </summary>
public static class DrillReports
{
    public static string Dir(string root, string blueprintId) => Path.Combine(root, "drills", blueprintId);

    /// <summary>Writes the report; returns why the evidence index could not pin it, if it could not (the report stands).</summary>
    public static string? Write(Invocation inv, DrillReport report)
    {
        ArgumentNullException.ThrowIfNull(inv);
        return Write(inv.Root, inv.Redactor, inv.Time, report);
    }

    public static string? Write(string root, Redactor redactor, TimeProvider time, DrillReport report)
    {
        ArgumentNullException.ThrowIfNull(redactor);
        ArgumentNullException.ThrowIfNull(report);
        var dir = report.ReportDir!;
        AtomicFile.WriteAllText(Path.Combine(dir, "report.json"), Json.Serialize(report, CoreJsonContext.Default.DrillReport), redactor.Redact);
        AtomicFile.WriteAllText(Path.Combine(dir, "report.md"), DrillReportText.Markdown(report), redactor.Redact);
        AtomicFile.WriteAllText(Path.Combine(dir, "report.html"), DrillReportText.Html(report), redactor.Redact);
        AtomicFile.WriteAllText(Path.Combine(Dir(root, report.BlueprintId), "last.json"),
            new JsonObject { ["run_id"] = report.RunId, ["report_dir"] = dir, ["status"] = report.Status }.ToJsonString(Json.Options), redactor.Redact);
        try
        {
            new EvidenceIndex(root, time, redactor.Redact).Drill(report.BlueprintId, report.RunId, report.BlueprintRunId, dir);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or HyopsException)
        {
            // Like a run record's: the drill happened and its report is written; `evidence verify` will call it unindexed.
            return $"the evidence index did not pin this report: {ex.Message}";
        }
    }

    /// <summary>The last report of <paramref name="blueprintId"/> as written (report.json), or HYO2031.</summary>
    public static JsonObject ReadLast(string root, string blueprintId)
    {
        var pointer = Path.Combine(Dir(root, blueprintId), "last.json");
        var dir = File.Exists(pointer) ? JsonNode.Parse(File.ReadAllText(pointer))?["report_dir"]?.GetValue<string>() : null;
        var file = dir is null ? null : Path.Combine(dir, "report.json");
        if (file is null || !File.Exists(file))
        {
            throw HyopsException.From(DiagnosticCatalog.DrillReportNotFound, $"no drill report recorded under {Dir(root, blueprintId)}");
        }

        return JsonNode.Parse(File.ReadAllText(file))!.AsObject();
    }
}
