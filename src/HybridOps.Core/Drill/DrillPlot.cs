using System.Globalization;
using System.Net;
using System.Text;

namespace HybridOps.Core.Drill;

/// <summary>
/// The report's inline SVG: acknowledged (green) and failed (red) writes per second over time, with the
/// disaster (or failover start), publication and first-ack moments as vertical lines. Crisp edges and fixed
/// colours, so a screenshot can be checked by pixel colour (the tests do).
/// </summary>
public static class DrillPlot
{
    public const string AckColour = "#2e7d32";
    public const string FailColour = "#d32f2f";
    public const string DisasterColour = "#ff8f00";
    public const string PublicationColour = "#1565c0";
    public const string FirstAckColour = "#6a1b9a";
    public const int Width = 720;
    public const int Height = 260;
    private const int Left = 50, Right = 10, Top = 28, Bottom = 32;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Svg(DrillReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var s = r.Series;
        if (s is null || s.Acked.IsEmpty)
        {
            return "<p><i>no write series recorded in this report</i></p>";
        }

        var pw = Width - Left - Right;
        var ph = Height - Top - Bottom;
        var span = s.BucketSeconds * s.Acked.Length;
        var max = Math.Max(1, Math.Max(s.Acked.Max(), s.Failed.Max()));
        double X(DateTimeOffset t) => Left + (Math.Clamp((t - s.Start).TotalSeconds, 0, span) / span * pw);
        var bw = (double)pw / s.Acked.Length;
        var sb = new StringBuilder();
        sb.Append(Inv, $"<svg id=\"write-plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" shape-rendering=\"crispEdges\" font-family=\"sans-serif\" font-size=\"11\">");
        sb.Append(Inv, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{pw}\" height=\"{ph}\" fill=\"#ffffff\" stroke=\"#888\"/>");
        for (var i = 0; i < s.Acked.Length; i++)
        {
            Bar(sb, Left + (i * bw), bw / 2, s.Acked[i], max, ph, AckColour, $"{s.Acked[i]} acked");
            Bar(sb, Left + (i * bw) + (bw / 2), bw / 2, s.Failed[i], max, ph, FailColour, $"{s.Failed[i]} failed");
        }

        if (!r.PlotMarkers.IsDefaultOrEmpty)
        {
            for (var i = 0; i < r.PlotMarkers.Length; i++)
            {
                Marker(sb, X(r.PlotMarkers[i].At), r.PlotMarkers[i].Colour, r.PlotMarkers[i].Label, i);
            }
        }
        else
        {
            var disaster = r.Disaster == "none" ? "failover start" : $"disaster: {r.Disaster}";
            Marker(sb, X(r.FailoverStart), DisasterColour, disaster, 0);
            Marker(sb, X(r.Rto.PublishedAt), PublicationColour, "publication", 1);
            if (r.Rto.FirstAckAfter is { } first)
            {
                Marker(sb, X(first), FirstAckColour, "first ack", 2);
            }
        }

        sb.Append(Inv, $"<text x=\"{Left - 4}\" y=\"{Top + 10}\" text-anchor=\"end\">{max}</text><text x=\"{Left - 4}\" y=\"{Top + ph}\" text-anchor=\"end\">0</text>");
        sb.Append(Inv, $"<text x=\"{Left}\" y=\"{Height - 8}\">{E($"{s.Start:HH:mm:ss}")}</text><text x=\"{Left + pw}\" y=\"{Height - 8}\" text-anchor=\"end\">+{F(span)} s</text>");
        sb.Append(Inv, $"<text x=\"{Left + (pw / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">{E(s.AckedLabel is null ? "writes" : "counts")} per {F(s.BucketSeconds)} s: <tspan fill=\"{AckColour}\">{E(s.AckedLabel ?? "acknowledged")}</tspan> / <tspan fill=\"{FailColour}\">{E(s.FailedLabel ?? "failed")}</tspan></text>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static void Bar(StringBuilder sb, double x, double w, int count, int max, int ph, string colour, string title)
    {
        if (count == 0)
        {
            return;
        }

        var h = Math.Max(1, (double)count / max * ph);
        sb.Append(Inv, $"<rect x=\"{F(x)}\" y=\"{F(Top + ph - h)}\" width=\"{F(Math.Max(1, w))}\" height=\"{F(h)}\" fill=\"{colour}\"><title>{title}</title></rect>");
    }

    private static void Marker(StringBuilder sb, double x, string colour, string label, int row)
    {
        sb.Append(Inv, $"<line x1=\"{F(x)}\" y1=\"{Top}\" x2=\"{F(x)}\" y2=\"{Height - Bottom}\" stroke=\"{colour}\" stroke-width=\"2\"/>");
        sb.Append(Inv, $"<text x=\"{F(x + 3)}\" y=\"{9 + (row * 9)}\" fill=\"{colour}\" font-size=\"9\">{E(label)}</text>");
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);

    private static string F(double v) => v.ToString("0.##", Inv);
}
