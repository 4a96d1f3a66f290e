using HybridOps.Core.Drill;
using HybridOps.Core.Tests.Support;

namespace HybridOps.Core.Tests.Drill;

/// <summary>
/// The drill report's write-rate plot: counted per second from the ack and failure logs, drawn as inline SVG,
/// and checked in a real headless Chromium by the colours of its pixels.
/// </summary>
public sealed class DrillPlotTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>
    /// 20 acks/s for 10 s, the site fails at +10 s, 10 failures/s until +14 s, publication at +13 s,
    /// first ack through the endpoint at +14.2 s, then 20 acks/s until +20 s.
    /// </summary>
    private static DrillReport Outage()
    {
        var acks = new List<AckRecord>();
        for (var i = 0; i < 200; i++)
        {
            acks.Add(new AckRecord(i, "L1", T0.AddSeconds(i * 0.05), "127.0.226.11"));
        }

        for (var i = 0; i < 116; i++)
        {
            acks.Add(new AckRecord(1000 + i, "L1", T0.AddSeconds(14.2 + (i * 0.05)), "127.0.227.11"));
        }

        var failures = Enumerable.Range(0, 40).Select(i => new LoadFailureRecord(T0.AddSeconds(10.05 + (i * 0.1)), "127.0.226.11", "socket:ConnectionRefused", null)).ToList();
        var failover = T0.AddSeconds(10);
        var report = TestDrillReport.Make("/unused", "dr/postgresql-ha-failover-gcp@v1", "d1", T0, 4.2);
        return report with
        {
            StartedAt = T0,
            EndedAt = T0.AddSeconds(20),
            FailoverStart = failover,
            Rto = DrillMeasure.Rto(acks, failover, T0.AddSeconds(13), "127.0.227.11"),
            Series = DrillWriteSeries.From(acks, failures, T0, T0.AddSeconds(20)),
        };
    }

    [Fact]
    public void AnIsolatedDrillsPlot_DrawsItsOwnMoments_AndNamesWhatItCounts()
    {
        var counts = Enumerable.Range(1, 19).Select(i => (T0.AddSeconds(i - 0.5), 40, i == 12 ? 3 : 0));
        var report = Outage() with
        {
            DrillKind = "isolated",
            Series = DrillWriteSeries.FromCounts(counts, T0, T0.AddSeconds(20)) with { AckedLabel = "production commits", FailedLabel = "rollbacks" },
            PlotMarkers = [new("restore point", T0.AddSeconds(4), DrillPlot.DisasterColour), new("drill writable", T0.AddSeconds(15), DrillPlot.PublicationColour)],
        };

        report.Series!.Acked[0].ShouldBe(40);
        report.Series.Failed[11].ShouldBe(3);
        var svg = DrillPlot.Svg(report);
        svg.ShouldContain(">restore point<");
        svg.ShouldContain(">drill writable<");
        svg.ShouldNotContain(">publication<");
        svg.ShouldNotContain(">first ack<");
        svg.ShouldContain(">production commits</tspan> / <tspan fill=\"#d32f2f\">rollbacks<");
    }

    [Fact]
    public void Series_CountsAcksAndFailuresPerSecond()
    {
        var s = Outage().Series!;

        s.BucketSeconds.ShouldBe(1);
        s.Acked.Length.ShouldBe(20);
        s.Acked[0].ShouldBe(20);
        s.Acked[10..14].ShouldAllBe(n => n == 0);
        s.Acked[15].ShouldBe(20);
        s.Failed[9].ShouldBe(0);
        s.Failed[10..14].ShouldAllBe(n => n == 10);
        s.Acked.Sum().ShouldBe(316);
    }

    [Fact]
    public void Html_EmbedsThePlot_WithTheThreeMoments()
    {
        var html = DrillReportText.Html(Outage());

        html.ShouldContain("<svg id=\"write-plot\"");
        html.ShouldContain("disaster: onprem-site");
        html.ShouldContain(">publication<");
        html.ShouldContain(">first ack<");
        html.ShouldContain("<title>10 failed</title>");
    }

    [Fact]
    public async Task Screenshot_InHeadlessChromium_ShowsAcksBeforeTheDisasterAndAfterTheFirstAck_AndFailuresOnlyBetween()
    {
        var html = dir.Write("report.html", DrillReportText.Html(Outage()));

        var shot = await ReportScreenshot.TakeAsync(html, dir.Path);

        var disaster = shot.MarkerColumn(DrillPlot.DisasterColour);
        var publication = shot.MarkerColumn(DrillPlot.PublicationColour);
        var firstAck = shot.MarkerColumn(DrillPlot.FirstAckColour);
        disaster.X.ShouldBeLessThan(publication.X);
        publication.X.ShouldBeLessThan(firstAck.X);
        var ack = shot.Pixels(DrillPlot.AckColour, disaster.Top, disaster.Bottom);
        var fail = shot.Pixels(DrillPlot.FailColour, disaster.Top, disaster.Bottom);
        ack.Count(x => x < disaster.X).ShouldBeGreaterThan(500);
        ack.Count(x => x > firstAck.X).ShouldBeGreaterThan(500);
        ack.Count(x => x > disaster.X && x < publication.X).ShouldBe(0);
        fail.Count.ShouldBeGreaterThan(500);
        fail.ShouldAllBe(x => x > disaster.X && x < firstAck.X);
    }
}
