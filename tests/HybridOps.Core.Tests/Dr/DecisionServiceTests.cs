using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.Dr;
using HybridOps.Core.Evidence;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;
using HybridOps.Modules.Platform.Network.DecisionService;

namespace HybridOps.Core.Tests.Dr;

/// <summary>platform/network/decision-service run through the module runner: ranks drilled options, refuses unproven ones, records a verifiable decision.</summary>
public sealed class DecisionServiceTests : IDisposable
{
    private readonly TestRuntime t = new(new DecisionServiceHandler());
    private readonly DateTimeOffset now = DateTimeOffset.UtcNow;

    public DecisionServiceTests()
    {
        t.WriteModule(DecisionServiceHandler.Ref, File.ReadAllText(Path.Combine(RepoRoot.Path, "modules", DecisionServiceHandler.Ref, "spec.yml")));
        DrTestFacts.WriteState(t.States);
    }

    public void Dispose() => t.Dispose();

    private static JsonObject OnpremAndRepo1Down() => new()
    {
        ["onprem_reachable"] = false,
        ["unreachable_repositories"] = new JsonArray(DrOptionCatalog.Repo1StateRef),
    };

    private Task<HybridOps.Core.Engine.ModuleRunResult> DecideAsync(JsonObject inputs) => t.RunModuleAsync(moduleRef: DecisionServiceHandler.Ref, inputs: inputs);

    /// <summary>A refused decision: the diagnostic it failed with, and its run directory (the newest decision run).</summary>
    private async Task<(Diagnostic Diagnostic, string? RecordDir)> RefusedAsync(JsonObject inputs)
    {
        var ex = await Should.ThrowAsync<HyopsException>(() => DecideAsync(inputs));
        var runs = Path.Combine(t.Root, "logs", "module", DecisionServiceHandler.Ref.Replace("/", "__", StringComparison.Ordinal));
        var dir = Directory.Exists(runs) ? Directory.EnumerateDirectories(runs).Order(StringComparer.Ordinal).LastOrDefault() : null;
        return (ex.Diagnostics.ShouldHaveSingleItem(), dir);
    }

    [Fact]
    public async Task OnpremAndRepo1Unreachable_WithThePromotionDrilled_PicksThePremiumPromote()
    {
        DrTestFacts.Keep(t.Root, DrTestFacts.PromoteDrill(t.Root, "p1", now.AddDays(-2)));
        DrTestFacts.Keep(t.Root, DrTestFacts.RestoreDrill(t.Root, "r1", now.AddDays(-2), DrOptionCatalog.Repo1StateRef));
        DrTestFacts.Keep(t.Root, DrTestFacts.RestoreDrill(t.Root, "r2", now.AddDays(-1), DrTestFacts.Repo2));

        var r = await DecideAsync(OnpremAndRepo1Down());

        r.ExitCode.ShouldBe(ExitCode.Success, string.Join("; ", r.Diagnostics));
        r.Outputs["chosen_option"]!.GetValue<string>().ShouldBe(DrOption.PremiumPromote);
        r.Outputs["blueprint_ref"]!.GetValue<string>().ShouldBe(DrOptionCatalog.PromoteBlueprint);
        r.Outputs["ranking"]!.AsArray().Select(x => x!["option"]!.GetValue<string>()).ShouldBe([DrOption.PremiumPromote, DrOption.RestoreRepo2]);
        var refused = r.Outputs["refused"]!.AsArray().ShouldHaveSingleItem()!;
        refused["option"]!.GetValue<string>().ShouldBe(DrOption.RestoreRepo1);
        refused["reasons"]!.GetValue<string>().ShouldBe("repository_reachable");
        r.Outputs["command"]!.GetValue<string>().ShouldContain($"blueprint deploy --ref {DrOptionCatalog.PromoteBlueprint} --inputs ");
        r.Outputs["inputs"]!["promote"]!["promote_confirm"]!.GetValue<string>().ShouldBe(""); // the operator types it
        r.Outputs["confirmations"]!.AsArray().Select(c => c!["value"]!.GetValue<string>()).ShouldBe(["onprem-pg", "hyops-dr-standby", "db.hyops.lab."]);
    }

    [Fact]
    public async Task OnpremAndRepo1Unreachable_WithThePromotionNeverDrilled_RefusesItAsNotProven_AndPicksRestoreFromRepo2()
    {
        DrTestFacts.Keep(t.Root, DrTestFacts.RestoreDrill(t.Root, "r1", now.AddDays(-2), DrOptionCatalog.Repo1StateRef));
        DrTestFacts.Keep(t.Root, DrTestFacts.RestoreDrill(t.Root, "r2", now.AddDays(-1), DrTestFacts.Repo2));

        var r = await DecideAsync(OnpremAndRepo1Down());

        r.ExitCode.ShouldBe(ExitCode.Success, string.Join("; ", r.Diagnostics));
        r.Outputs["chosen_option"]!.GetValue<string>().ShouldBe(DrOption.RestoreRepo2);
        var inputs = r.Outputs["inputs"]!;
        foreach (var step in DrOptionCatalog.RepoSteps)
        {
            inputs[step]!["repo_state_ref"]!.GetValue<string>().ShouldBe(DrTestFacts.Repo2);
        }

        inputs["restore_dr"]!["restore_confirm"]!.GetValue<string>().ShouldBe("");
        var promote = r.Outputs["refused"]!.AsArray().Single(x => x!["option"]!.GetValue<string>() == DrOption.PremiumPromote)!;
        promote["not_proven"]!.GetValue<bool>().ShouldBeTrue();
        promote["reasons"]!.GetValue<string>().ShouldBe("never_drilled");
        var record = File.ReadAllText(Path.Combine(r.RecordDir!, RunRecord.FileName));
        record.ShouldContain("\"name\":\"option_premium-promote\"");
        record.ShouldContain("HYO7301");
        File.ReadAllText(r.Outputs["inputs_file"]!.GetValue<string>()).ShouldContain(DrTestFacts.Repo2);
    }

    [Fact]
    public async Task AStaleDrill_MakesItsOptionIneligible_AndWithNothingElseEligible_TheDecisionFailsWithHYO7302()
    {
        DrTestFacts.Keep(t.Root, DrTestFacts.PromoteDrill(t.Root, "p1", now.AddDays(-40)));
        DrTestFacts.Keep(t.Root, DrTestFacts.RestoreDrill(t.Root, "r2", now.AddDays(-1), DrTestFacts.Repo2));

        var (d, dir) = await RefusedAsync(new JsonObject { ["unreachable_repositories"] = new JsonArray(DrOptionCatalog.Repo1StateRef, DrTestFacts.Repo2) });

        d.ExitCode.ShouldBe(ExitCode.StateNotReady);
        d.Code.ShouldBe("HYO7302");
        d.Message.ShouldContain("premium-promote: drill_stale");
        var decision = JsonNode.Parse(File.ReadAllText(Path.Combine(dir!, DecisionServiceHandler.DecisionFile)))!;
        decision["chosen"].ShouldBeNull();
        decision["candidates"]!.AsArray().Count.ShouldBe(3);
    }

    [Fact]
    public async Task RequiringAnOptionWhoseLastDrillFailed_IsRefusedAsNotProven_HYO7301()
    {
        DrTestFacts.Keep(t.Root, DrTestFacts.PromoteDrill(t.Root, "p1", now.AddDays(-1), ok: false));

        var (d, _) = await RefusedAsync(new JsonObject { ["require_option"] = DrOption.PremiumPromote });

        d.ExitCode.ShouldBe(ExitCode.StateNotReady);
        d.Code.ShouldBe("HYO7301");
        d.Message.ShouldContain("last_drill_failed");
    }

    [Fact]
    public async Task EveryDecisionRecord_Verifies_AndAnExportBundleOfTheDecisionRunCarriesIt()
    {
        DrTestFacts.Keep(t.Root, DrTestFacts.PromoteDrill(t.Root, "p1", now.AddDays(-2)));
        var chosen = await DecideAsync(OnpremAndRepo1Down());
        (await RefusedAsync(new JsonObject { ["managed_reachable"] = false })).Diagnostic.Code.ShouldBe("HYO7302");

        var report = EvidenceVerifier.Verify(t.Root, requireChain: true);
        report.Status.ShouldBe("verified", string.Join("; ", report.Findings.Select(f => f.ToString())));
        var bundle = EvidenceBundle.Export(t.Root, chosen.RunId, t.Dir.Combine("out", "decision.tar.gz"), TimeProvider.System);
        BundleVerifier.Verify(bundle.File, requireChain: true).Status.ShouldBe("verified");
        Entries(bundle.File).ShouldContain(e => e.EndsWith($"/{chosen.RunId}/{DecisionServiceHandler.DecisionFile}", StringComparison.Ordinal));

        // The decision is sealed: editing its document shows.
        var doc = Path.Combine(chosen.RecordDir!, DecisionServiceHandler.DecisionFile);
        File.WriteAllText(doc, File.ReadAllText(doc).Replace(DrOption.PremiumPromote, DrOption.RestoreRepo1, StringComparison.Ordinal));
        EvidenceVerifier.Verify(t.Root).Findings.ShouldContain(f => f.Status == "edited");
    }

    [Fact]
    public async Task ANegativePolicyAge_IsRefusedBeforeAnything_HYO7303()
    {
        var (d, dir) = await RefusedAsync(new JsonObject { ["max_drill_age_days"] = -1 });

        d.ExitCode.ShouldBe(ExitCode.InputError);
        d.Code.ShouldBe("HYO7303");
        dir.ShouldBeNull();
        t.States.Read(DecisionServiceHandler.Ref, null).ShouldBeNull();
    }

    private static List<string> Entries(string tarGz)
    {
        using var file = File.OpenRead(tarGz);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gz);
        var names = new List<string>();
        while (tar.GetNextEntry() is { } e)
        {
            names.Add(e.Name);
        }

        return names;
    }
}
