using System.Collections.Immutable;
using HybridOps.Core.Drill;
using HybridOps.Core.State;

namespace HybridOps.Core.Dr;

/// <summary>`hyops dr status`: every option with its objective, forecast, last drill and eligibility, as of <see cref="At"/>.</summary>
public sealed record DrStatusReport(DateTimeOffset At, ImmutableArray<DrOptionStatus> Options)
{
    public static DrStatusReport Read(string root, StateStore states, DrPolicy policy, DateTimeOffset now, string? repo2 = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var valid = policy.Validated();
        var reports = DrillHistory.Reports(root).Reports;
        var options = DrOptionCatalog.Standard(states, repo2: repo2);
        return new DrStatusReport(now, [.. options.Select(o => DrEvaluator.Evaluate(o, DrStateFacts.Read(states, o), reports, valid, now))]);
    }
}
