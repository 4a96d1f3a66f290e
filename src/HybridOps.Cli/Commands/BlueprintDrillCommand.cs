using System.CommandLine;
using System.Text.Json.Nodes;
using HybridOps.Cli.Drill;
using HybridOps.Core;
using HybridOps.Core.Drill;
using HybridOps.Core.Inputs;

namespace HybridOps.Cli.Commands;

/// <summary>
/// `hyops blueprint drill --ref REF [--inputs F] [--rate N] [--disaster none|onprem-site] [--settle-s N]
/// [--report-dir DIR] [--last]` and `hyops blueprint drill-report --ref REF`.
/// </summary>
public static class BlueprintDrillCommand
{
    public static IEnumerable<Command> Build(Func<ParseResult, Invocation> invocation)
    {
        var bpRef = new Option<string>("--ref", "-r") { Description = "Blueprint ref to drill", Required = true };
        var inputs = new Option<string?>("--inputs", "-i") { Description = "YAML file mapping step id -> input overrides" };
        var rate = new Option<double>("--rate") { Description = "Write load: transactions per second", DefaultValueFactory = _ => 20 };
        var disaster = new Option<string>("--disaster") { Description = "none (failover starts with the blueprint) or onprem-site (SIGKILL the on-prem site first)", DefaultValueFactory = _ => "none" };
        var settle = new Option<double>("--settle-s") { Description = "Seconds of steady load before the failover starts", DefaultValueFactory = _ => 2 };
        var reportDir = new Option<string?>("--report-dir") { Description = "Where to write report.{json,md,html} (default <root>/drills/<blueprint id>/<run id>)" };
        var recovery = new Option<double>("--recovery-timeout-s") { Description = "How long to wait for the first write through the published endpoint after publication", DefaultValueFactory = _ => 60 };
        var last = new Option<bool>("--last") { Description = "Print the last drill report of the blueprint instead of running one" };
        var drill = new Command("drill", "Run the blueprint under a write load, inject the disaster, count RTO and RPO and write a report")
        {
            bpRef, inputs, rate, disaster, settle, reportDir, recovery, last,
        };
        drill.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), async () =>
        {
            var inv = invocation(parse);
            if (parse.GetValue(last))
            {
                return PrintLast(inv, parse.GetValue(bpRef)!);
            }

            var file = parse.GetValue(inputs);
            var request = new DrillRequest(parse.GetValue(bpRef)!, file is null ? null : InputResolver.ReadFile(file))
            {
                Rate = parse.GetValue(rate),
                Disaster = parse.GetValue(disaster)!,
                SettleSeconds = parse.GetValue(settle),
                ReportDir = parse.GetValue(reportDir),
                RecoveryTimeoutSeconds = parse.GetValue(recovery),
            };
            var report = await new DrillRunner(inv).RunAsync(request, ct);
            inv.Renderer.Result(Json.ToObject(report, CoreJsonContext.Default.DrillReport), w => WriteText(w, report));
            return report.ExitCode;
        }));

        var reportRef = new Option<string>("--ref", "-r") { Description = "Blueprint ref", Required = true };
        var show = new Command("drill-report", "Print the last drill report of a blueprint") { reportRef };
        show.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () => Task.FromResult(PrintLast(invocation(parse), parse.GetValue(reportRef)!))));
        return [drill, show];
    }

    private static int PrintLast(Invocation inv, string blueprintRef)
    {
        var bp = inv.Content.LoadBlueprint(blueprintRef);
        var doc = DrillReports.ReadLast(inv.Root, bp.BlueprintId);
        var report = Json.Deserialize(doc.ToJsonString(Json.Compact), CoreJsonContext.Default.DrillReport)!;
        inv.Renderer.Result(doc, w => WriteText(w, report));
        return report.ExitCode;
    }

    private static void WriteText(TextWriter w, DrillReport r)
    {
        w.WriteLine($"drill {r.RunId} of {r.BlueprintRef}: {r.Status} (blueprint {r.BlueprintStatus}, exit {r.ExitCode} {r.ExitName}, {(r.Isolated is null && r.NoCutover is null ? $"disaster {r.Disaster}" : r.DrillKind)})");
        if (r.Isolated is not null || r.NoCutover is not null)
        {
            foreach (var line in DrillReportText.IsolatedLines(r))
            {
                w.WriteLine($"  {line}");
            }
        }
        else
        {
            w.WriteLine($"  {DrillReportText.RtoLine(r)}");
            w.WriteLine($"  {DrillReportText.ProtectedLine(r)}");
            w.WriteLine($"  {DrillReportText.RpoLine(r)}");
            w.WriteLine($"  writes: {r.Writes.Acked} acked, {r.Writes.Failed} failed ({string.Join(", ", r.Writes.AckedByAddress.Select(kv => $"{kv.Key} {kv.Value}"))})");
        }

        w.WriteLine($"  {"phase",-32} {"status",-8} {"start",-12} {"end",-12} {"seconds",8}");
        foreach (var p in r.Phases)
        {
            w.WriteLine($"  {p.Name,-32} {p.Status,-8} {p.StartedAt:HH:mm:ss.fff}  {p.EndedAt:HH:mm:ss.fff}  {p.DurationS,8:F3}");
        }

        foreach (var n in r.Notes)
        {
            w.WriteLine($"  note: {n}");
        }

        w.WriteLine($"  report: {Path.Combine(r.ReportDir ?? "", "report.html")}");
    }
}
