using System.CommandLine;
using System.Globalization;
using HybridOps.Core;
using HybridOps.Core.Dr;

namespace HybridOps.Cli.Commands;

/// <summary>`hyops dr status`: per DR option the objective, the forecast, the last drill and whether it is eligible now.</summary>
public static class DrCommand
{
    public static Command Build(Func<ParseResult, Invocation> invocation)
    {
        var cmd = new Command("dr", "DR options: what each would achieve now, and whether a drill proved it");
        var age = new Option<double>("--max-drill-age-days") { Description = "An option's last successful drill may be at most this old", DefaultValueFactory = _ => 30 };
        var rto = new Option<double>("--rto-objective-s") { Description = "RTO objective in seconds", DefaultValueFactory = _ => 900 };
        var rpo = new Option<double>("--rpo-objective-s") { Description = "RPO objective in seconds", DefaultValueFactory = _ => 300 };
        var repo2 = new Option<string?>("--repo2-state-ref") { Description = "The second repository's object-repo state (default: the first of org/azure/object-repo, org/aws/object-repo whose state exists)" };
        var status = new Command("status", """
            Per option (premium promote, restore from repo1, restore from repo2 when declared): the objective, the
            forecast RTO (restore rate of the last drills x current backup + WAL since it) and RPO (archive or
            replication lag), the last drill's result and age, and whether it is eligible (docs/decision.md).
            Reads state and drill reports only; changes nothing.
            """)
        {
            age, rto, rpo, repo2,
        };
        status.SetAction((parse, ct) => HyopsCli.Guarded(invocation(parse), () =>
        {
            var inv = invocation(parse);
            var policy = new DrPolicy
            {
                MaxDrillAge = TimeSpan.FromDays(Finite(parse.GetValue(age))),
                RtoObjectiveSeconds = parse.GetValue(rto),
                RpoObjectiveSeconds = parse.GetValue(rpo),
            }.Validated();
            var report = DrStatusReport.Read(inv.Root, inv.Runtime.States, policy, inv.Time.GetUtcNow(), parse.GetValue(repo2));
            inv.Renderer.Result(Json.ToObject(report, CoreJsonContext.Default.DrStatusReport), w => Text(w, report));
            return Task.FromResult(0);
        }));
        cmd.Subcommands.Add(status);
        return cmd;
    }

    private static double Finite(double days) => double.IsFinite(days) && days < 36500 ? days : -1;

    private static void Text(TextWriter w, DrStatusReport r)
    {
        w.WriteLine($"{"option",-16} {"eligible",-8} {"RTO obj",8} {"RTO fcst",9} {"RTO last",9} {"RPO obj",8} {"RPO fcst",9} {"last drill",-28} reasons");
        foreach (var o in r.Options)
        {
            var last = o.LastDrill is { } d ? $"{d.Status} {Age(d.AgeSeconds)} ago" : "never";
            w.WriteLine($"{o.Option.Id,-16} {(o.Eligible ? "yes" : "no"),-8} {S(o.Objective.RtoSeconds),8} {S(o.Forecast.RtoSeconds),9} {S(o.LastDrill?.RtoSeconds),9} {S(o.Objective.RpoSeconds),8} {S(o.Forecast.RpoSeconds),9} {last,-28} {(o.Reasons.IsEmpty ? "-" : string.Join(", ", o.Reasons))}");
        }

        foreach (var o in r.Options)
        {
            w.WriteLine($"{o.Option.Id}: {o.Option.Title}; RTO forecast: {o.Forecast.RtoBasis}; RPO forecast: {o.Forecast.RpoBasis}");
        }
    }

    private static string Age(double seconds) => seconds switch
    {
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:0}m"),
        < 172800 => string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:0.#}h"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{seconds / 86400:0.#}d"),
    };

    private static string S(double? seconds) => seconds?.ToString("0.#", CultureInfo.InvariantCulture) ?? "-";
}
