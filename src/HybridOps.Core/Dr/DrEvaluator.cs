using System.Collections.Immutable;
using HybridOps.Core.Drill;

namespace HybridOps.Core.Dr;

/// <summary>
/// Whether an option is eligible now: its last drill succeeded (else "not proven"), no longer ago than the
/// policy allows, and every precondition holds. Pure: the caller reads state and reports.
/// </summary>
public static class DrEvaluator
{
    public const string NeverDrilled = "never_drilled";
    public const string LastDrillFailed = "last_drill_failed";
    public const string DrillStale = "drill_stale";
    public const string NotDeclared = "not_declared";

    public static DrOptionStatus Evaluate(DrOption option, DrOptionFacts facts, IReadOnlyList<DrillReport> reports, DrPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(policy);
        var mine = reports.Where(r => Proves(option, r)).OrderBy(r => r.StartedAt).ToList();
        var last = mine.Count == 0 ? null : mine[^1];
        var reasons = ImmutableArray.CreateBuilder<string>();
        if (!facts.Declared)
        {
            reasons.Add(NotDeclared);
        }

        if (last is null)
        {
            reasons.Add(NeverDrilled);
        }
        else if (last.Status != "ok")
        {
            reasons.Add(LastDrillFailed);
        }
        else if (now - last.StartedAt > policy.MaxDrillAge)
        {
            reasons.Add(DrillStale);
        }

        reasons.AddRange(facts.Preconditions.Where(p => !p.Met).Select(p => p.Name));
        var lastDrill = last is null ? null : new DrLastDrill(last.RunId, last.StartedAt, last.Status,
            Math.Round(Math.Max(0, (now - last.StartedAt).TotalSeconds), 1), last.Rto.Seconds, last.Rpo?.MissingCount, last.ReportDir ?? "");
        var forecast = DrForecaster.Forecast(option, facts, [.. mine.Where(r => r.Status == "ok")], policy);
        var objective = new DrObjective(policy.RtoObjectiveSeconds, policy.RpoObjectiveSeconds, policy.MaxDrillAge.TotalDays);
        var notProven = last is null || last.Status != "ok";
        return new DrOptionStatus(option, objective, forecast, lastDrill, facts, reasons.Count == 0, notProven, reasons.ToImmutable());
    }

    /// <summary>A drill proves an option when it ran the option's blueprint from the option's repository.</summary>
    public static bool Proves(DrOption option, DrillReport report)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(report);
        if (report.BlueprintRef != option.BlueprintRef)
        {
            return false;
        }

        return option.Kind == "promote"
            || (report.Source?.RepoStateRef is { } repo ? repo == option.RepoStateRef : option.ClaimsUnsourcedDrills);
    }
}
