using HybridOps.Core.Drill;
using HybridOps.Core.Tests.Support;
using HybridOps.Postgres.Exec;

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
        var png = dir.Combine("report.png");
        var home = dir.Combine("chromium-home");
        Directory.CreateDirectory(home);

        // As root Chromium's sandbox cannot start: --no-sandbox, as Chromium documents for containers.
        var run = await new LocalProcessRunner().RunAsync(new ProcessSpec("chromium",
            ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=900,900",
             $"--user-data-dir={home}", $"--screenshot={png}", "file://" + html],
            Environment: new Dictionary<string, string> { ["HOME"] = home }, Timeout: TimeSpan.FromSeconds(90)), CancellationToken.None);

        run.ExitCode.ShouldBe(0, run.StdErr);
        var image = PngImage.Read(png);
        var disaster = MarkerColumn(image, DrillPlot.DisasterColour);
        var publication = MarkerColumn(image, DrillPlot.PublicationColour);
        var firstAck = MarkerColumn(image, DrillPlot.FirstAckColour);
        disaster.X.ShouldBeLessThan(publication.X);
        publication.X.ShouldBeLessThan(firstAck.X);

        var ack = Pixels(image, DrillPlot.AckColour, disaster.Top, disaster.Bottom);
        var fail = Pixels(image, DrillPlot.FailColour, disaster.Top, disaster.Bottom);
        ack.Count(x => x < disaster.X).ShouldBeGreaterThan(500);
        ack.Count(x => x > firstAck.X).ShouldBeGreaterThan(500);
        ack.Count(x => x > disaster.X && x < publication.X).ShouldBe(0);
        fail.Count.ShouldBeGreaterThan(500);
        fail.ShouldAllBe(x => x > disaster.X && x < firstAck.X);
    }

    /// <summary>The one column drawn in the marker's colour for most of the plot's height, and that height.</summary>
    private static (int X, int Top, int Bottom) MarkerColumn(PngImage image, string colour)
    {
        var rgb = Rgb(colour);
        var columns = new List<(int X, int Top, int Bottom)>();
        for (var x = 0; x < image.Width; x++)
        {
            var ys = Enumerable.Range(0, image.Height).Where(y => image[x, y] == rgb).ToList();
            if (ys.Count >= 100)
            {
                columns.Add((x, ys.Min(), ys.Max()));
            }
        }

        columns.ShouldNotBeEmpty($"no {colour} marker line in the screenshot");
        (columns[^1].X - columns[0].X).ShouldBeLessThanOrEqualTo(2, $"{colour} should be one line");
        return columns[0];
    }

    /// <summary>The x of every pixel of exactly <paramref name="colour"/> between two rows.</summary>
    private static List<int> Pixels(PngImage image, string colour, int top, int bottom)
    {
        var rgb = Rgb(colour);
        var xs = new List<int>();
        for (var y = top; y <= bottom; y++)
        {
            for (var x = 0; x < image.Width; x++)
            {
                if (image[x, y] == rgb)
                {
                    xs.Add(x);
                }
            }
        }

        return xs;
    }

    private static (byte, byte, byte) Rgb(string hex) =>
        (Convert.ToByte(hex[1..3], 16), Convert.ToByte(hex[3..5], 16), Convert.ToByte(hex[5..7], 16));
}
