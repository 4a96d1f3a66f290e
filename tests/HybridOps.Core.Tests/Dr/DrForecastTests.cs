using HybridOps.Core.Dr;
using HybridOps.Core.Drill;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Dr;

/// <summary>`hyops dr status` arithmetic: forecasts from the drills' restore rate and the sizes now, and eligibility by the last drill.</summary>
public sealed class DrForecastTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string Root => dir.Combine("root");

    private StateStore States => new(Root, new Redactor());

    private DrOptionStatus Status(string id, params DrillReport[] drills)
    {
        DrTestFacts.WriteState(States);
        var option = DrOptionCatalog.Standard(States).Single(o => o.Id == id);
        return DrEvaluator.Evaluate(option, DrStateFacts.Read(States, option), drills, new DrPolicy(), DrTestFacts.Now);
    }

    [Fact]
    public void WalSegments_CountSixteenMebibytesPerSegment_AcrossALogBoundary()
    {
        WalSegments.BytesAfter("000000010000000000000010", "000000010000000000000020").ShouldBe(16 * WalSegments.SegmentBytes);
        WalSegments.BytesAfter("0000000100000000000000FF", "000000020000000100000001").ShouldBe(2 * WalSegments.SegmentBytes);
        WalSegments.BytesAfter("not-a-segment", "000000010000000000000020").ShouldBeNull();
    }

    [Fact]
    public void RestoreForecast_IsTheDrillsOverhead_PlusTodaysBackupAndWal_AtTheDrillsRestoreRate()
    {
        // Drill: 1 GiB restored in 32 s (32 MiB/s), RTO 42 s, so 10 s outside the restore.
        // Now: 2 GiB set + 16 segments (256 MiB) = 2304 MiB at 32 MiB/s = 72 s, + 10 s.
        var s = Status(DrOption.RestoreRepo1, DrTestFacts.RestoreDrill(Root, "d1", DrTestFacts.Now.AddDays(-2), DrOptionCatalog.Repo1StateRef));

        s.Forecast.RestoreBytesPerSecond.ShouldBe(32 * 1024 * 1024);
        s.Forecast.OverheadSeconds.ShouldBe(10);
        s.Forecast.BytesNow.ShouldBe((2L << 30) + (256L << 20));
        s.Forecast.RtoSeconds.ShouldBe(82);
        s.Forecast.RpoSeconds.ShouldBe(20);
        s.Forecast.RpoBasis.ShouldContain("archive lag (rpo_exposure_s");
        s.LastDrill!.RtoSeconds.ShouldBe(42);
        s.Eligible.ShouldBeTrue(string.Join(",", s.Reasons));
    }

    [Fact]
    public void RestoreRate_IsAveragedOverTheLastDrills_ByBytesOverSeconds()
    {
        var s = Status(DrOption.RestoreRepo1,
            DrTestFacts.RestoreDrill(Root, "d1", DrTestFacts.Now.AddDays(-3), DrOptionCatalog.Repo1StateRef, restoreSeconds: 32),
            DrTestFacts.RestoreDrill(Root, "d2", DrTestFacts.Now.AddDays(-1), DrOptionCatalog.Repo1StateRef, restoreSeconds: 96));

        // 2 GiB over 128 s = 16 MiB/s.
        s.Forecast.RestoreBytesPerSecond.ShouldBe(16 * 1024 * 1024);
        s.Forecast.DrillsUsed.ShouldBe(2);
    }

    [Fact]
    public void PromoteForecast_IsTheMeanDrillRto_AndItsRpoIsTheReplicationLag()
    {
        var s = Status(DrOption.PremiumPromote,
            DrTestFacts.PromoteDrill(Root, "p1", DrTestFacts.Now.AddDays(-3), rto: 10),
            DrTestFacts.PromoteDrill(Root, "p2", DrTestFacts.Now.AddDays(-1), rto: 14));

        s.Forecast.RtoSeconds.ShouldBe(12);
        s.Forecast.RpoSeconds.ShouldBe(1.5);
        s.Forecast.RpoBasis.ShouldContain("replication lag (lag_seconds");
    }

    [Fact]
    public void AnOptionNeverDrilled_IsNotProven_AndNotEligible_WithNoForecastRto()
    {
        var s = Status(DrOption.RestoreRepo2, DrTestFacts.RestoreDrill(Root, "d1", DrTestFacts.Now.AddDays(-1), DrOptionCatalog.Repo1StateRef));

        s.Eligible.ShouldBeFalse();
        s.NotProven.ShouldBeTrue();
        s.Reasons.ShouldBe([DrEvaluator.NeverDrilled]);
        s.Forecast.RtoSeconds.ShouldBeNull();
        s.LastDrill.ShouldBeNull();
    }

    [Fact]
    public void ALastDrillThatFailed_IsNotProven_EvenAfterAnEarlierSuccess()
    {
        var s = Status(DrOption.RestoreRepo1,
            DrTestFacts.RestoreDrill(Root, "d1", DrTestFacts.Now.AddDays(-3), DrOptionCatalog.Repo1StateRef),
            DrTestFacts.RestoreDrill(Root, "d2", DrTestFacts.Now.AddDays(-1), DrOptionCatalog.Repo1StateRef, ok: false));

        s.NotProven.ShouldBeTrue();
        s.Reasons.ShouldBe([DrEvaluator.LastDrillFailed]);
        s.LastDrill!.Status.ShouldBe("failed");
    }

    [Fact]
    public void ADrillOlderThanThePolicyAge_MakesTheOptionIneligible_ButStillProven()
    {
        var s = Status(DrOption.PremiumPromote, DrTestFacts.PromoteDrill(Root, "p1", DrTestFacts.Now.AddDays(-31)));

        s.Eligible.ShouldBeFalse();
        s.NotProven.ShouldBeFalse();
        s.Reasons.ShouldBe([DrEvaluator.DrillStale]);
        s.LastDrill!.AgeSeconds.ShouldBeGreaterThan(30 * 86400);
    }

    [Fact]
    public void TheOptionsRepositories_AreTheBackupStatesOwn_Repo1ThenRepo2()
    {
        DrTestFacts.WriteState(States);
        var backup = States.Read(DrOptionCatalog.BackupStateRef, null)!;
        backup.Outputs["repositories"] = new System.Text.Json.Nodes.JsonArray(
            new System.Text.Json.Nodes.JsonObject { ["repo_key"] = 2, ["repo_state_ref"] = "org/azure/object-repo" },
            new System.Text.Json.Nodes.JsonObject { ["repo_key"] = 1, ["repo_state_ref"] = "org/aws/object-repo" });
        States.Write(backup);

        var options = DrOptionCatalog.Standard(States);

        var repo1 = options.Single(o => o.Id == DrOption.RestoreRepo1);
        repo1.RepoStateRef.ShouldBe("org/aws/object-repo");
        repo1.Inputs["restore_dr"]!["repo_state_ref"]!.ToString().ShouldBe("org/aws/object-repo");
        options.Single(o => o.Id == DrOption.RestoreRepo2).RepoStateRef.ShouldBe("org/azure/object-repo");
        DrOptionCatalog.Standard(States, repo1: DrOptionCatalog.Repo1StateRef).Single(o => o.Id == DrOption.RestoreRepo1).RepoStateRef.ShouldBe(DrOptionCatalog.Repo1StateRef);
    }

    [Fact]
    public void ARepositoryWithAGapAfterTheLatestSet_FailsThePrecondition()
    {
        DrTestFacts.WriteState(States);
        var backup = States.Read(DrOptionCatalog.BackupStateRef, null)!;
        backup.Outputs["repositories"]![0]!["wal_continuous"] = false;
        States.Write(backup);
        var option = DrOptionCatalog.Standard(States).Single(o => o.Id == DrOption.RestoreRepo1);

        var s = DrEvaluator.Evaluate(option, DrStateFacts.Read(States, option), [DrTestFacts.RestoreDrill(Root, "d1", DrTestFacts.Now.AddDays(-1), DrOptionCatalog.Repo1StateRef)], new DrPolicy(), DrTestFacts.Now);

        s.Reasons.ShouldBe(["wal_continuous"]);
    }

    [Fact]
    public void TheRestoreRpoForecast_IsNeverBelowTheArchiveTimeout_TheTailASiteLossDrops()
    {
        DrTestFacts.WriteState(States);
        var backup = States.Read(DrOptionCatalog.BackupStateRef, null)!;
        backup.Outputs["archive_timeout_s"] = 60; // the cluster's archive_command setting, for every repository
        States.Write(backup);
        var option = DrOptionCatalog.Standard(States).Single(o => o.Id == DrOption.RestoreRepo1);

        var facts = DrStateFacts.Read(States, option);

        facts.RpoSeconds.ShouldBe(60); // lag 20 s when state was written, but the open segment is archived every 60 s
        facts.RpoSource.ShouldContain("at least its archive_timeout_s");
    }

    [Fact]
    public void ADrillWithoutARecordedSource_ProvesRepo1Only_AndForecastsItsLastRto()
    {
        var old = DrTestFacts.RestoreDrill(Root, "d1", DrTestFacts.Now.AddDays(-1), DrOptionCatalog.Repo1StateRef) with { Source = null };

        var repo1 = Status(DrOption.RestoreRepo1, old);
        var repo2 = Status(DrOption.RestoreRepo2, old);

        repo1.Eligible.ShouldBeTrue();
        repo1.Forecast.RtoSeconds.ShouldBe(42);
        repo1.Forecast.RtoBasis.ShouldContain("did not record the restored size");
        repo2.Reasons.ShouldBe([DrEvaluator.NeverDrilled]);
    }
}
