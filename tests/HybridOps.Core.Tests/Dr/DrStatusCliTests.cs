using System.Text.Json.Nodes;
using HybridOps.Core.Dr;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Dr;

/// <summary>`hyops dr status` in-process: one row per option, --output json with objective, forecast, last drill and eligibility.</summary>
[Collection(CliCollection.Name)]
public sealed class DrStatusCliTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string Root => dir.Combine("root");

    private Task<CliResult> RunAsync(params string[] args) =>
        CliRunner.RunAsync(new Dictionary<string, string> { ["HOME"] = dir.Combine("home") }, [.. args, "--root", Root]);

    [Fact]
    public async Task DrStatus_ShowsEveryOption_WithForecastAgainstLastMeasuredRto_AndWhyAnOptionIsNotEligible()
    {
        DrTestFacts.WriteState(new StateStore(Root, new Redactor()));
        var now = DateTimeOffset.UtcNow;
        DrTestFacts.Keep(Root, DrTestFacts.RestoreDrill(Root, "r1", now.AddDays(-1), DrOptionCatalog.Repo1StateRef));
        DrTestFacts.Keep(Root, DrTestFacts.PromoteDrill(Root, "p1", now.AddDays(-45)));

        var json = await RunAsync("dr", "status", "--output", "json");
        var text = await RunAsync("dr", "status");

        json.ExitCode.ShouldBe(0, json.ToString());
        var options = JsonNode.Parse(json.Stdout)!["options"]!.AsArray();
        options.Select(o => o!["option"]!["id"]!.GetValue<string>()).ShouldBe([DrOption.PremiumPromote, DrOption.RestoreRepo1, DrOption.RestoreRepo2]);
        var repo1 = options[1]!;
        repo1["eligible"]!.GetValue<bool>().ShouldBeTrue();
        repo1["forecast"]!["rto_seconds"]!.GetValue<double>().ShouldBe(82);
        repo1["last_drill"]!["rto_seconds"]!.GetValue<double>().ShouldBe(42);
        repo1["objective"]!["rto_seconds"]!.GetValue<double>().ShouldBe(900);
        options[0]!["reasons"]!.AsArray().Select(x => x!.GetValue<string>()).ShouldBe([DrEvaluator.DrillStale]);
        options[2]!["not_proven"]!.GetValue<bool>().ShouldBeTrue();
        text.ExitCode.ShouldBe(0, text.ToString());
        text.Stdout.ShouldContain("restore-repo1    yes");
        text.Stdout.ShouldContain("restore-repo2    no");
        text.Stdout.ShouldContain("never_drilled");
    }

    [Fact]
    public async Task DrStatus_WithAZeroPolicyAge_Exits2WithHYO7303()
    {
        var r = await RunAsync("dr", "status", "--max-drill-age-days", "0");

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Stderr.ShouldContain("HYO7303");
    }
}
