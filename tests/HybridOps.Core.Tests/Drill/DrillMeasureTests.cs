using HybridOps.Core.Drill;

namespace HybridOps.Core.Tests.Drill;

/// <summary>RTO/RPO arithmetic on synthetic ack logs and database id sets.</summary>
public sealed class DrillMeasureTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    private static AckRecord Ack(long id, double atSeconds, string address = "10.0.0.1", string load = "L1") =>
        new(id, load, T0.AddSeconds(atSeconds), address);

    [Fact]
    public void Rto_IsFromFailoverStart_ToTheFirstAckThroughThePublishedAddress_AfterPublication()
    {
        var acks = new[] { Ack(1, 0), Ack(2, 1), Ack(3, 9.5, "10.0.0.2"), Ack(4, 12, "10.0.0.1"), Ack(5, 12.5, "10.0.0.2"), Ack(6, 13, "10.0.0.2") };

        var rto = DrillMeasure.Rto(acks, failoverStart: T0.AddSeconds(2), publishedAt: T0.AddSeconds(10), publishedAddress: "10.0.0.2");

        rto.Measured.ShouldBeTrue();
        rto.FirstAckId.ShouldBe(5);
        rto.Seconds.ShouldBe(10.5);
    }

    [Fact]
    public void Rto_WithoutAnAckAfterPublication_IsNotMeasured_NotGuessed()
    {
        var rto = DrillMeasure.Rto([Ack(1, 0), Ack(2, 1)], T0.AddSeconds(2), T0.AddSeconds(5), "10.0.0.1");

        rto.Measured.ShouldBeFalse();
        rto.Seconds.ShouldBeNull();
    }

    [Fact]
    public void Rto_CountsFromFailoverStart_EvenWhenThePublicationEndedBeforeIt()
    {
        var rto = DrillMeasure.Rto([Ack(1, 1), Ack(2, 3.25)], failoverStart: T0.AddSeconds(2), publishedAt: T0.AddSeconds(1.5), publishedAddress: null);

        rto.FirstAckId.ShouldBe(2);
        rto.Seconds.ShouldBe(1.25);
    }

    [Fact]
    public void Rpo_CountsAckedIdsMissingFromTheDatabase_WithIdRangeAndTimeWindow()
    {
        var acks = Enumerable.Range(1, 10).Select(i => Ack(i, i * 0.5)).ToList();
        var inDb = new HashSet<long> { 1, 2, 3, 4, 5, 6, 9, 10, 11 }; // 7, 8 lost; 11 committed but its ack never came

        var rpo = DrillMeasure.Rpo(acks, "L1", inDb);

        rpo.Acknowledged.ShouldBe(10);
        rpo.Found.ShouldBe(8);
        rpo.MissingCount.ShouldBe(2);
        rpo.MissingFirstId.ShouldBe(7);
        rpo.MissingLastId.ShouldBe(8);
        rpo.WindowSeconds.ShouldBe(0.5);
        rpo.Unacknowledged.ShouldBe(1);
        rpo.MissingSample.ShouldBe([7L, 8L]);
        rpo.Zero.ShouldBeFalse();
    }

    [Fact]
    public void Rpo_IsZero_WhenEveryAckedRowIsThere_AndIgnoresOtherLoads()
    {
        var acks = new[] { Ack(1, 0), Ack(2, 1), Ack(99, 2, load: "other") };

        var rpo = DrillMeasure.Rpo(acks, "L1", new HashSet<long> { 1, 2 });

        rpo.Zero.ShouldBeTrue();
        rpo.Acknowledged.ShouldBe(2);
        rpo.WindowSeconds.ShouldBeNull();
        rpo.MissingFirstId.ShouldBeNull();
    }

    [Fact]
    public void Report_RendersTheFiguresAndEveryPhase_InMarkdownAndHtml()
    {
        var acks = new[] { Ack(1, 0), Ack(2, 5, "10.0.0.2") };
        var report = new DrillReport
        {
            RunId = "r1", BlueprintRef = "x/y@v1", BlueprintId = "x__y@v1", Status = "ok", BlueprintStatus = "ok", ExitCode = 0, ExitName = "Success",
            Disaster = "onprem-site", StartedAt = T0, EndedAt = T0.AddSeconds(6), FailoverStart = T0.AddSeconds(1), FailoverStartSource = "disaster_injection",
            ServiceRecord = "db.hyops.lab.",
            Phases = [new DrillPhase("step <promote>", "step", "ok", T0.AddSeconds(1), T0.AddSeconds(4))],
            Rto = DrillMeasure.Rto(acks, T0.AddSeconds(1), T0.AddSeconds(4), "10.0.0.2"),
            Rpo = DrillMeasure.Rpo(acks, "L1", new HashSet<long> { 2 }),
            Writes = new DrillWrites("L1", 20, 2, 0, T0, T0.AddSeconds(5), new Dictionary<string, long>(), new Dictionary<string, long>(), "a", "f"),
            ProtectedAt = T0.AddSeconds(9),
        };

        DrillReportText.Markdown(report).ShouldContain("RTO 4 s, writable via the endpoint");
        DrillReportText.Markdown(report).ShouldContain("time to protected 8 s");
        DrillReportText.Markdown(report).ShouldContain("4 s after the RTO");
        (report with { ProtectedAt = null }).TimeToProtectedSeconds.ShouldBeNull();
        DrillReportText.ProtectedLine(report with { ProtectedAt = T0.AddSeconds(4) }).ShouldContain("before the first write through the endpoint");
        DrillReportText.Markdown(report).ShouldContain("RPO 1 acknowledged commits lost (ids 1..1");
        var html = DrillReportText.Html(report);
        html.ShouldContain("step &lt;promote&gt;");
        html.ShouldContain("width:");
        html.ShouldNotContain("<script");
    }
}
