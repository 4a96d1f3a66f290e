using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;

namespace HybridOps.Core.Dr;

/// <summary>
/// Ranks the eligible options by forecast RTO and RPO against the objective and a cost hint (lower score wins)
/// and refuses the rest, with the reason. An option never drilled, or whose last drill failed, is "not proven"
/// and never chosen, however good its forecast: the service selects among tested options only.
/// </summary>
public static class DrDecider
{
    public static DrDecision Decide(IReadOnlyList<DrOptionStatus> options, DrSituation situation, DrPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(situation);
        ArgumentNullException.ThrowIfNull(policy);
        var weighed = options.Select(o =>
        {
            var situational = Situational(o.Option, situation);
            var reasons = o.Reasons.AddRange(situational.Where(p => !p.Met).Select(p => p.Name));
            var eligible = reasons.IsEmpty;
            return new DrCandidate(o, situational, eligible, o.NotProven, reasons, eligible ? Score(o, policy) : null, null);
        }).ToList();
        var ranked = weighed.Where(c => c.Eligible).OrderBy(c => c.Score!.Total).ThenBy(c => c.Status.Option.Id, StringComparer.Ordinal).ToList();
        var candidates = weighed.Select(c => c.Eligible ? c with { Rank = ranked.IndexOf(c) + 1 } : c).ToImmutableArray();
        var objective = new DrObjective(policy.RtoObjectiveSeconds, policy.RpoObjectiveSeconds, policy.MaxDrillAge.TotalDays);
        if (ranked.Count == 0)
        {
            return new DrDecision(now, situation, objective, candidates, null, null, null, [],
                "no option is eligible: " + string.Join("; ", candidates.Select(c => $"{c.Status.Option.Id}: {string.Join(", ", c.Reasons)}")));
        }

        var chosen = ranked[0].Status.Option;
        var inputs = (JsonObject)chosen.Inputs.DeepClone();
        foreach (var c in chosen.Confirmations)
        {
            if (inputs[c.Step] is not JsonObject step)
            {
                step = new JsonObject();
                inputs[c.Step] = step;
            }

            step[c.Input] = "";
        }

        var why = string.Create(CultureInfo.InvariantCulture,
            $"{chosen.Id} ranks first with score {ranked[0].Score!.Total:0.####} ({string.Join("; ", ranked[0].Score!.Terms)})");
        return new DrDecision(now, situation, objective, candidates, chosen.Id, chosen.BlueprintRef, inputs, chosen.Confirmations, why);
    }

    /// <summary>Preconditions the situation decides: the target site and, for a restore, the repository reachable now.</summary>
    public static ImmutableArray<DrPrecondition> Situational(DrOption option, DrSituation situation)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(situation);
        return option.Kind == "promote"
            ? [new DrPrecondition("managed_site_reachable", situation.ManagedReachable, situation.ManagedReachable ? "the managed site is reachable" : "the managed site is unreachable")]
            :
            [
                new DrPrecondition("dr_site_reachable", situation.DrSiteReachable, situation.DrSiteReachable ? "the DR hosts' site is reachable" : "the DR hosts' site is unreachable"),
                new DrPrecondition("repository_reachable", situation.RepositoryReachable(option.RepoStateRef), $"{option.RepoStateRef} is {(situation.RepositoryReachable(option.RepoStateRef) ? "reachable" : "unreachable")}"),
            ];
    }

    /// <summary>
    /// Score = RTO weight × forecast RTO / RTO objective + RPO weight × forecast RPO / RPO objective (at least 1 s)
    /// + cost weight × cost hint. An unknown forecast counts as twice the objective, and says so.
    /// </summary>
    public static DrScore Score(DrOptionStatus status, DrPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(policy);
        var rpoObjective = Math.Max(1, policy.RpoObjectiveSeconds);
        var (rto, rtoNote) = status.Forecast.RtoSeconds is { } r ? (r, "forecast") : (2 * policy.RtoObjectiveSeconds, "unknown, counted as twice the objective");
        var (rpo, rpoNote) = status.Forecast.RpoSeconds is { } p ? (p, "forecast") : (2 * rpoObjective, "unknown, counted as twice the objective");
        var rtoTerm = policy.RtoWeight * rto / policy.RtoObjectiveSeconds;
        var rpoTerm = policy.RpoWeight * rpo / rpoObjective;
        var costTerm = policy.CostWeight * status.Option.CostHint;
        var inv = CultureInfo.InvariantCulture;
        return new DrScore(Math.Round(rtoTerm + rpoTerm + costTerm, 6),
        [
            string.Create(inv, $"RTO {rto:0.###} s ({rtoNote}) / objective {policy.RtoObjectiveSeconds:0.###} s x weight {policy.RtoWeight:0.###} = {rtoTerm:0.####}{(rto > policy.RtoObjectiveSeconds ? " (misses the objective)" : "")}"),
            string.Create(inv, $"RPO {rpo:0.###} s ({rpoNote}; {status.Forecast.RpoBasis}) / objective {rpoObjective:0.###} s x weight {policy.RpoWeight:0.###} = {rpoTerm:0.####}{(rpo > policy.RpoObjectiveSeconds ? " (misses the objective)" : "")}"),
            string.Create(inv, $"cost hint {status.Option.CostHint:0.###} x weight {policy.CostWeight:0.###} = {costTerm:0.####}"),
        ]);
    }
}
