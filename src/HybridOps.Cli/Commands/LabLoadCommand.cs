using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using HybridOps.Cli.Drill;
using HybridOps.Core;
using HybridOps.Core.Runtime;
using HybridOps.Lab;
using HybridOps.Lab.Load;

namespace HybridOps.Cli.Commands;

/// <summary>
/// `hyops lab load [--rate N] [--duration S] [--out DIR]`: a write workload through the published
/// service record that logs every acknowledged commit (acks.jsonl) and every failure (failures.jsonl).
/// </summary>
public static class LabLoadCommand
{
    public static Command Build(Func<ParseResult, Invocation> invocation)
    {
        var rate = new Option<double>("--rate") { Description = "Transactions (rows) per second", DefaultValueFactory = _ => 20 };
        var duration = new Option<double?>("--duration") { Description = "Seconds to run (default: until Ctrl-C)" };
        var outDir = new Option<string?>("--out") { Description = "Directory for acks.jsonl, failures.jsonl, summary.json (default <root>/loads/<load id>)" };
        var record = new Option<string?>("--record") { Description = "Service record to resolve (default db.hyops.lab.)" };
        var passwordEnv = new Option<string?>("--password-env") { Description = "Env/vault key NAME of the database password (default HYOPS_LAB_PG_SUPERUSER_PASSWORD)" };
        var cmd = new Command("load", "Write workload through the published service endpoint; records every acknowledged commit")
        {
            rate, duration, outDir, record, passwordEnv,
        };
        cmd.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), async () =>
        {
            var inv = invocation(parse);
            var loadId = "load-" + RunIds.New(inv.Time);
            var dir = Path.GetFullPath(parse.GetValue(outDir) ?? Path.Combine(inv.Root, "loads", loadId));
            var seconds = parse.GetValue(duration);
            var options = LoadSetup.Options(inv.Runtime, dir, parse.GetValue(rate), seconds is { } s ? TimeSpan.FromSeconds(s) : null,
                parse.GetValue(record), parse.GetValue(passwordEnv)) with { LoadId = loadId };
            var load = new WriteLoad(options, inv.Time);
            inv.Renderer.Progress($"load {loadId}: {options.Rate.ToString(CultureInfo.InvariantCulture)}/s via {options.ServiceRecord} "
                + $"(DNS {options.DnsServer}:{options.DnsPort}), acks in {options.AckLogPath}");
            var summary = await load.RunAsync(inv.Runtime.Progress, ct);
            var doc = Json.ToObject(summary, LabJsonContext.Default.WriteLoadSummary);
            doc["out_dir"] = dir;
            File.WriteAllText(Path.Combine(dir, "summary.json"), inv.Redactor.Redact(doc.ToJsonString(Json.Options)));
            inv.Renderer.Result(doc, w =>
            {
                w.WriteLine($"load {summary.LoadId}: {summary.Acked} acked, {summary.Failed} failed in {summary.DurationS:F1}s "
                    + $"(first ack {summary.FirstAck:HH:mm:ss.fff}, last {summary.LastAck:HH:mm:ss.fff})");
                foreach (var (address, n) in summary.AckedByAddress)
                {
                    w.WriteLine($"  {address,-15} {n} acked");
                }

                foreach (var (error, n) in summary.FailedByError)
                {
                    w.WriteLine($"  failed {error}: {n}");
                }

                w.WriteLine($"  ack log: {summary.AckLog}");
            });
            return 0;
        }));
        return cmd;
    }
}
