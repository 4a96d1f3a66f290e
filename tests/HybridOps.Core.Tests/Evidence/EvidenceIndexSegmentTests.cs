using HybridOps.Core.Evidence;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Evidence;

/// <summary>The index in segments: an append rewrites at most the last one, and the segments verify as one chain.</summary>
public sealed class EvidenceIndexSegmentTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string Root => dir.Combine("root");

    /// <summary>Ten drill reports pinned by an index of four-line segments.</summary>
    private void PinTenDrills()
    {
        var index = new EvidenceIndex(Root, TimeProvider.System, segmentLines: 4);
        for (var i = 1; i <= 10; i++)
        {
            var report = dir.Write($"root/drills/x__y@v1/d{i:D2}/report.json", $"{{\"run_id\":\"d{i:D2}\"}}");
            index.Drill("x__y@v1", $"d{i:D2}", null, Path.GetDirectoryName(report)!);
        }
    }

    [Fact]
    public void ManyEvents_RollOverIntoNewSegments_ThatVerifyAsOneChain()
    {
        PinTenDrills();

        var segments = EvidenceIndex.Segments(Root);
        segments.Select(Path.GetFileName).ShouldBe(["000001.jsonl", "000002.jsonl", "000003.jsonl"]);
        segments.Select(s => File.ReadAllLines(s).Length).ShouldBe([4, 4, 2]);
        RunRecordVerifier.Verify(EvidenceIndex.Lines(Root).Select(l => l.Line)).Intact.ShouldBeTrue();
        var report = EvidenceVerifier.Verify(Root);
        report.Status.ShouldBe("verified", string.Join("\n", report.Findings));
        report.DrillsChecked.ShouldBe(10);
        report.HeadSeq.ShouldBe(10);
    }

    [Fact]
    public void AFullSegment_IsNeverRewritten()
    {
        PinTenDrills();
        var first = File.ReadAllBytes(EvidenceIndex.Segments(Root)[0]);

        new EvidenceIndex(Root, TimeProvider.System, segmentLines: 4).Drill("x__y@v1", "d01", null, dir.Combine("root", "drills", "x__y@v1", "d01"));

        File.ReadAllBytes(EvidenceIndex.Segments(Root)[0]).ShouldBe(first);
        File.ReadAllLines(EvidenceIndex.Segments(Root)[^1]).Length.ShouldBe(3);
    }

    [Fact]
    public void RemovingAMiddleSegment_IsReportedAsAnEditedIndex_NamingWhereTheChainBreaks()
    {
        PinTenDrills();
        File.Delete(EvidenceIndex.Segments(Root)[1]);

        var index = EvidenceVerifier.Verify(Root).Failures.Where(f => f.Subject == "index").ShouldHaveSingleItem();

        index.Status.ShouldBe("edited");
        index.Detail.ShouldStartWith("line 5 (000003.jsonl line 1): chain broken");
    }
}
