using HybridOps.Postgres.Exec;

namespace HybridOps.Core.Tests.Support;

/// <summary>
/// A drill report rendered by a real headless Chromium (Debian `chromium`, installed by scripts/setup.sh), and
/// the pixel queries the plot tests make on it. As root Chromium's sandbox cannot start: --no-sandbox, as
/// Chromium documents for containers. Also compiled into the integration tests (linked file).
/// </summary>
internal sealed class ReportScreenshot(PngImage image)
{
    public PngImage Image => image;

    public static async Task<ReportScreenshot> TakeAsync(string htmlFile, string workDir)
    {
        var png = System.IO.Path.Combine(workDir, System.IO.Path.GetFileNameWithoutExtension(htmlFile) + ".png");
        var home = System.IO.Path.Combine(workDir, "chromium-home");
        Directory.CreateDirectory(home);
        var run = await new LocalProcessRunner().RunAsync(new ProcessSpec("chromium",
            ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=900,900",
             $"--user-data-dir={home}", $"--screenshot={png}", "file://" + System.IO.Path.GetFullPath(htmlFile)],
            Environment: new Dictionary<string, string> { ["HOME"] = home }, Timeout: TimeSpan.FromSeconds(90)), CancellationToken.None);
        run.ExitCode.ShouldBe(0, run.StdErr);
        return new ReportScreenshot(PngImage.Read(png));
    }

    /// <summary>The one column drawn in the marker's colour for most of the plot's height, and that height.</summary>
    public (int X, int Top, int Bottom) MarkerColumn(string colour)
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
    public List<int> Pixels(string colour, int top, int bottom)
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
