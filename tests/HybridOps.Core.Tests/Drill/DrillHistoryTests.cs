using HybridOps.Cli.Drill;
using HybridOps.Core.Drill;
using HybridOps.Core.Evidence;
using HybridOps.Core.Secrets;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Drill;

/// <summary>`hyops drill history`: every report the drill report writer kept, oldest first, with trends per blueprint.</summary>
public sealed class DrillHistoryTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string Root => dir.Combine("root");

    private void Write(DrillReport report) => DrillReports.Write(Root, new Redactor(), TimeProvider.System, report);

    [Fact]
    public void History_ListsEveryDrillOldestFirst_WithTheRtoDeltaAgainstThePreviousDrillOfTheSameBlueprint()
    {
        Write(TestDrillReport.Make(Root, "dr/a@v1", "d3", T0.AddDays(2), 9.0, protectedSeconds: 40));
        Write(TestDrillReport.Make(Root, "dr/a@v1", "d1", T0, 12.5, protectedSeconds: 50));
        Write(TestDrillReport.Make(Root, "dr/b@v1", "d2", T0.AddDays(1), 30.0));

        var history = DrillHistory.Read(Root);

        history.Drills.Select(d => d.RunId).ShouldBe(["d1", "d2", "d3"]);
        history.Drills[0].Trend.ShouldBeNull();
        history.Drills[1].Trend.ShouldBeNull(); // the first drill of blueprint b
        var latest = history.Drills[2];
        latest.BlueprintRef.ShouldBe("dr/a@v1");
        latest.Status.ShouldBe("ok");
        latest.RtoSeconds.ShouldBe(9.0);
        latest.RpoMissing.ShouldBe(0);
        latest.TimeToProtectedSeconds.ShouldBe(40);
        latest.Trend!.PreviousRunId.ShouldBe("d1");
        latest.Trend.RtoDeltaSeconds.ShouldBe(-3.5);
        latest.Trend.Rto.ShouldBe("faster");
        latest.Trend.TimeToProtectedDeltaSeconds.ShouldBe(-10);
    }

    [Fact]
    public void History_OfOneBlueprint_FiltersByRefOrId()
    {
        Write(TestDrillReport.Make(Root, "dr/a@v1", "d1", T0, 12.5));
        Write(TestDrillReport.Make(Root, "dr/b@v1", "d2", T0.AddDays(1), 30.0));

        DrillHistory.Read(Root, "dr/b@v1").Drills.Select(d => d.RunId).ShouldBe(["d2"]);
        DrillHistory.Read(Root, "dr__a@v1").Drills.Select(d => d.RunId).ShouldBe(["d1"]);
    }

    [Fact]
    public void ADrillWithoutMeasuredRto_HasNoDelta_NotAGuess_AndLostWritesAreCounted()
    {
        Write(TestDrillReport.Make(Root, "dr/a@v1", "d1", T0, 12.5));
        Write(TestDrillReport.Make(Root, "dr/a@v1", "d2", T0.AddDays(1), null, lost: 3));

        var latest = DrillHistory.Read(Root).Drills[^1];

        latest.Status.ShouldBe("failed");
        latest.RtoSeconds.ShouldBeNull();
        latest.RpoMissing.ShouldBe(3);
        latest.Trend!.RtoDeltaSeconds.ShouldBeNull();
        latest.Trend.Rto.ShouldBe("unmeasured");
        latest.Trend.RpoMissingDelta.ShouldBe(3);
    }

    [Fact]
    public void AReportWrittenOutsideTheRoot_IsFoundThroughTheEvidenceIndex_AndVerifies()
    {
        var elsewhere = dir.Combine("reports", "drill-x");
        Write(TestDrillReport.Make(Root, "dr/a@v1", "d1", T0, 12.5, reportDir: elsewhere));

        DrillHistory.Read(Root).Drills.ShouldHaveSingleItem().ReportDir.ShouldBe(elsewhere);
        EvidenceVerifier.Verify(Root).Status.ShouldBe("verified");

        File.AppendAllText(Path.Combine(elsewhere, "report.md"), "\nRTO 1 s\n");
        EvidenceVerifier.Verify(Root).Failures.ShouldHaveSingleItem().Detail.ShouldBe("report.md changed");
    }

    [Fact]
    public void AnUnreadableReport_IsListedApart()
    {
        Write(TestDrillReport.Make(Root, "dr/a@v1", "d1", T0, 12.5));
        dir.Write("root/drills/dr__a@v1/d0/report.json", "{ not json");

        var history = DrillHistory.Read(Root);

        history.Drills.Count().ShouldBe(1);
        history.Unreadable.ShouldHaveSingleItem().ShouldEndWith("d0");
    }
}
