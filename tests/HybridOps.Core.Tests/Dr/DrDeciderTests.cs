using System.Collections.Immutable;
using HybridOps.Core.Dr;

namespace HybridOps.Core.Tests.Dr;

/// <summary>The decision's arithmetic: the score of an eligible option, term by term, and the order it gives.</summary>
public sealed class DrDeciderTests
{
    private static readonly DrSituation AllUp = new(true, true, true, []);

    private static DrOptionStatus Eligible(string id, string kind, double? rto, double? rpo, double cost) => new(
        new DrOption { Id = id, Title = id, Kind = kind, BlueprintRef = "dr/x@v1", Site = "dr-hosts", RepoStateRef = kind == "restore" ? "org/gcp/object-repo" : null, CostHint = cost },
        new DrObjective(900, 300, 30),
        new DrForecast(rto, rpo, "test", "test lag", null, null, null, 1),
        null,
        new DrOptionFacts(true, null, null, null, rpo, "test lag", []),
        Eligible: true,
        NotProven: false,
        Reasons: ImmutableArray<string>.Empty);

    [Fact]
    public void Score_IsRtoAndRpoAgainstTheObjective_PlusTheCostHint_WithEveryTermExplained()
    {
        var score = DrDecider.Score(Eligible("a", "restore", 450, 30, 1), new DrPolicy());

        score.Total.ShouldBe(0.5 + 0.1 + 0.01);
        score.Terms.Length.ShouldBe(3);
        score.Terms[0].ShouldStartWith("RTO 450 s (forecast) / objective 900 s x weight 1 = 0.5");
        score.Terms[1].ShouldStartWith("RPO 30 s (forecast; test lag) / objective 300 s x weight 1 = 0.1");
        score.Terms[2].ShouldBe("cost hint 1 x weight 0.01 = 0.01");
    }

    [Fact]
    public void AnUnknownForecast_CountsAsTwiceTheObjective_AndSaysSo_AndAMissedObjectiveIsMarked()
    {
        var score = DrDecider.Score(Eligible("a", "restore", null, 600, 1), new DrPolicy());

        score.Terms[0].ShouldContain("RTO 1800 s (unknown, counted as twice the objective)");
        score.Terms[0].ShouldContain("(misses the objective)");
        score.Terms[1].ShouldContain("= 2 (misses the objective)");
    }

    [Fact]
    public void Decide_RanksByScore_TheCostHintOnlyBreakingNearTies()
    {
        var options = new[]
        {
            Eligible("cheap-slow", "restore", 600, 60, 1),
            Eligible("dear-fast", "promote", 20, 2, 3),
            Eligible("cheap-fast", "restore", 20, 2, 1),
        };

        var d = DrDecider.Decide(options, AllUp, new DrPolicy(), DateTimeOffset.UnixEpoch);

        d.Chosen.ShouldBe("cheap-fast");
        d.Candidates.OrderBy(c => c.Rank).Select(c => c.Status.Option.Id).ShouldBe(["cheap-fast", "dear-fast", "cheap-slow"]);
        d.Explanation.ShouldStartWith("cheap-fast ranks first with score ");
    }

    [Fact]
    public void Decide_WithTheManagedSiteUnreachable_RefusesThePromotion_ForThatReason()
    {
        var d = DrDecider.Decide([Eligible("p", "promote", 10, 1, 3), Eligible("r", "restore", 60, 20, 1)], AllUp with { ManagedReachable = false }, new DrPolicy(), DateTimeOffset.UnixEpoch);

        d.Chosen.ShouldBe("r");
        var p = d.Candidates.Single(c => c.Status.Option.Id == "p");
        p.Eligible.ShouldBeFalse();
        p.Reasons.ShouldBe(["managed_site_reachable"]);
        p.Score.ShouldBeNull();
        p.Rank.ShouldBeNull();
    }
}
