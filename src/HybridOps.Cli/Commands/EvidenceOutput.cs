using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Evidence;

namespace HybridOps.Cli.Commands;

/// <summary>How `hyops evidence` prints a verification: findings as text or one JSON document, HYO7201 when it failed.</summary>
internal static class EvidenceOutput
{
    public static int Verified(Invocation inv, EvidenceReport report) => Render(inv, report.ToJson(), report, w => Text(w, report));

    public static int Exported(Invocation inv, EvidenceBundle.Exported exported, EvidenceReport check)
    {
        var doc = check.ToJson();
        doc["status"] = check.Passed ? "exported" : "exported-unverified";
        doc["bundle"] = exported.File;
        doc["run_id"] = exported.Subject.RunId;
        doc["runs"] = new JsonArray(exported.Subject.Runs.Select(r => (JsonNode?)r.ToString()).ToArray());
        doc["drills"] = new JsonArray(exported.Subject.Drills.Keys.Select(d => (JsonNode?)d).ToArray());
        doc["files"] = exported.Files;
        return Render(inv, doc, check, w =>
        {
            w.WriteLine($"exported {exported.File}: {exported.Subject.Runs.Count} runs, {exported.Subject.Drills.Count} drill reports, {exported.Files} files");
            foreach (var r in exported.Subject.Runs)
            {
                w.WriteLine($"  {r}");
            }

            foreach (var d in exported.Subject.Drills)
            {
                w.WriteLine($"  drill {d.Key} of {d.Value.BlueprintId}");
            }

            Text(w, check);
        });
    }

    private static int Render(Invocation inv, JsonObject doc, EvidenceReport report, Action<TextWriter> text)
    {
        if (report.Passed)
        {
            inv.Renderer.Result(doc, text);
            return 0;
        }

        var failures = report.Failures.ToList();
        var ex = HyopsException.From(DiagnosticCatalog.EvidenceNotVerified,
            $"{failures.Count} finding(s) in {report.Source}: {string.Join("; ", failures.Take(10).Select(f => $"{f.Status} {f.Subject} {f.Name}"))}{(failures.Count > 10 ? "; ..." : "")}");
        if (!inv.Renderer.Json)
        {
            inv.Renderer.Result(doc, text);
        }

        inv.Renderer.Failure(ex, inv.Renderer.Json ? doc : null);
        return (int)ex.ExitCode;
    }

    private static void Text(TextWriter w, EvidenceReport r)
    {
        w.WriteLine($"{r.Status}: {r.Source}: {r.RunsChecked} runs, {r.DrillsChecked} drill reports checked, {r.Failures.Count()} failures");
        w.WriteLine(r.Chained ? $"  index head: seq {r.HeadSeq} hash {r.HeadHash} (record it to check later with --expect-head)" : "  no evidence index: records are checked one by one, not chained across runs");
        foreach (var f in r.Findings)
        {
            w.WriteLine($"  {f}");
        }
    }
}
