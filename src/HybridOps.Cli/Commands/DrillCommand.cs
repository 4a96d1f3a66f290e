using System.CommandLine;
using System.Globalization;
using HybridOps.Core;
using HybridOps.Core.Drill;

namespace HybridOps.Cli.Commands;

/// <summary>`hyops drill history [--ref BLUEPRINT]`: every drill report kept under the runtime root, with trends.</summary>
public static class DrillCommand
{
    public static Command Build(Func<ParseResult, Invocation> invocation)
    {
        var cmd = new Command("drill", "Drill reports kept under the runtime root (run a drill with `hyops blueprint drill`)");
        var bpRef = new Option<string?>("--ref", "-r") { Description = "Only drills of this blueprint (ref like dr/postgresql-ha-failover-gcp@v1, or its id)" };
        var history = new Command("history", """
            List every drill report, oldest first: blueprint, drill run id, start (UTC), result, RTO, RPO (acknowledged
            writes lost), time to protected, and the RTO change against the previous drill of the same blueprint. An
            isolated drill (production kept running) shows its own figures: writes blocked, restore, replay, time to
            writable, and the manifest and pg_amcheck verdicts.
            """)
        {
            bpRef,
        };
        history.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () =>
        {
            var inv = invocation(parse);
            var found = DrillHistory.Read(inv.Root, parse.GetValue(bpRef));
            inv.Renderer.Result(Json.ToObject(found, CoreJsonContext.Default.DrillHistory), w => Text(w, found));
            return Task.FromResult(0);
        }));
        cmd.Subcommands.Add(history);
        return cmd;
    }

    private static void Text(TextWriter w, DrillHistory h)
    {
        if (h.Drills.IsEmpty)
        {
            w.WriteLine("no drill reports under this runtime root (run `hyops blueprint drill --ref REF`)");
        }
        else
        {
            w.WriteLine($"{"blueprint",-40} {"drill run",-24} {"started (UTC)",-19} {"result",-7} {"RTO s",8} {"ΔRTO s",8} {"RPO",-16} {"protected s",11}");
        }

        foreach (var d in h.Drills)
        {
            if (d.NoCutover is { } n)
            {
                var clone = n.CloneSkipped is null ? $"clone writable {S(n.CloneTimeToWritableSeconds)} s{(n.CloneRemoved == true ? "" : ", CLONE LEFT")}" : "clone skipped";
                w.WriteLine($"{d.BlueprintRef,-40} {d.RunId,-24} {d.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} {d.Status,-7} no-cutover: promotable {(n.Promotable == true ? "yes" : "NO")}, barrier seen {S(n.BarrierSeenSeconds)} s, {clone}, standby {(n.StandbyUnchanged == true ? "unchanged" : "DISTURBED")}");
                continue;
            }

            if (d.Isolated is { } i)
            {
                var verdict = i.ManifestMatched == true && i.AmcheckClean == true ? "manifest ok, amcheck clean" : $"manifest {i.ManifestMatched?.ToString() ?? "-"}, amcheck {i.AmcheckClean?.ToString() ?? "-"}";
                w.WriteLine($"{d.BlueprintRef,-40} {d.RunId,-24} {d.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} {d.Status,-7} isolated: writes blocked {S(i.WritesBlockedMs)} ms, restore {S(i.RestoreSeconds)} s, replay {S(i.ReplaySeconds)} s, writable {S(i.TimeToWritableSeconds)} s, {verdict}{(i.TornDown ? "" : ", DRILL CLUSTER LEFT")}");
                continue;
            }

            var rpo = d.RpoMissing is null ? "not measured" : d.RpoMissing == 0 ? "0 lost" : $"{d.RpoMissing} lost/{S(d.RpoWindowSeconds)}s";
            var delta = d.Trend is null ? "first" : d.Trend.RtoDeltaSeconds is { } x ? x.ToString("+0.000;-0.000;0", CultureInfo.InvariantCulture) : "n/a";
            w.WriteLine($"{d.BlueprintRef,-40} {d.RunId,-24} {d.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} {d.Status,-7} {S(d.RtoSeconds),8} {delta,8} {rpo,-16} {S(d.TimeToProtectedSeconds),11}");
        }

        foreach (var dir in h.Unreadable)
        {
            w.WriteLine($"unreadable report: {dir}");
        }
    }

    private static string S(double? seconds) => seconds?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-";
}
