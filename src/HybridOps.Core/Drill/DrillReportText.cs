using System.Globalization;
using System.Net;
using System.Text;

namespace HybridOps.Core.Drill;

/// <summary>Renders a <see cref="DrillReport"/> as Markdown and as a self-contained HTML page with a phase timeline.</summary>
public static class DrillReportText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string RtoLine(DrillReport r) => r.Rto.Seconds is { } s
        ? $"RTO {F(s)} s, writable via the endpoint (failover start {r.FailoverStart:HH:mm:ss.fff} [{r.FailoverStartSource}] -> first ack via {r.Rto.FirstAckAddress} at {r.Rto.FirstAckAfter:HH:mm:ss.fff})"
        : "RTO NOT MET: no acknowledged write through the published endpoint after publication";

    /// <summary>The time to a protected cluster: every step after the publication (replicas, the new lineage's backup) done.</summary>
    public static string ProtectedLine(DrillReport r) => r.TimeToProtectedSeconds is { } s
        ? $"time to protected {F(s)} s (every step done at {r.ProtectedAt:HH:mm:ss.fff}{(r.Rto.Seconds is { } rto ? s > rto ? $", {F(s - rto)} s after the RTO" : ", before the first write through the endpoint: the blueprint publishes last" : "")})"
        : "time to protected: not reached (the blueprint did not finish ok)";

    public static string RpoLine(DrillReport r) => r.Rpo switch
    {
        null => "RPO NOT VERIFIED: the rows could not be read back through the published endpoint",
        { Zero: true } rpo => $"RPO 0 acknowledged commits lost ({rpo.Found}/{rpo.Acknowledged} acked rows verified row by row)",
        var rpo => $"RPO {rpo.MissingCount} acknowledged commits lost (ids {rpo.MissingFirstId}..{rpo.MissingLastId}, window {F(rpo.WindowSeconds ?? 0)} s "
            + $"{rpo.MissingFirstAckAt:HH:mm:ss.fff}..{rpo.MissingLastAckAt:HH:mm:ss.fff}; {rpo.Found}/{rpo.Acknowledged} acked rows found)",
    };

    /// <summary>The figures of an isolated or a no-cutover drill, one line each (empty for a failover drill).</summary>
    public static IReadOnlyList<string> IsolatedLines(DrillReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.NoCutover is { } n)
        {
            return NoCutoverDrillText.Lines(n);
        }

        if (r.Isolated is not { } i)
        {
            return [];
        }

        static string B(bool? b, string yes, string no) => b switch { true => yes, false => no, null => "not reached" };
        return
        [
            $"ISOLATED drill: production kept running (no fence, no DNS change, no write load); drill cluster {i.DrillCluster ?? "?"} at {i.DrillLeaderHost ?? "?"}",
            $"restore point {i.RestorePoint ?? "-"} at {i.RestorePointLsn ?? "-"}; production writers blocked {S(i.WritesBlockedMs)} ms (lock wait {S(i.LockWaitMs)} ms, EXCLUSIVE on {i.ManifestTables} table(s))",
            $"restore {S(i.RestoreSeconds)} s, replay {S(i.ReplaySeconds)} s, time to writable {S(i.TimeToWritableSeconds)} s (restore step {S(i.RestoreStepSeconds)} s)",
            $"manifest: {B(i.ManifestMatched, $"matched ({i.ManifestTables} tables)", $"MISMATCH: {string.Join("; ", i.MismatchedTables)}")}; marker row: {B(i.MarkerRowFound, "found", "MISSING")}; pg_amcheck: {B(i.AmcheckClean, "clean", "NOT CLEAN")}",
            $"teardown: {(i.TornDown ? "drill cluster removed" : "DRILL CLUSTER LEFT")}; production state: {(i.ProductionStateUnchanged ? "byte-identical" : $"CHANGED: {string.Join(", ", i.ChangedStateFiles)}")}",
            i.ProductionCommits is null
                ? $"production activity: not sampled ({i.ProductionSampledFrom ?? "no cluster state"})"
                : $"production while the drill ran: {i.ProductionCommits} commits, {i.ProductionRollbacks} rollbacks (pg_stat_database of {i.ProductionSampledFrom}, {i.ProductionSamples} samples, {i.ProductionSampleFailures} failed)",
        ];
    }

    public static string Markdown(DrillReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        var sb = new StringBuilder();
        sb.AppendLine(Inv, $"# Drill {r.RunId}: {r.BlueprintRef}");
        sb.AppendLine();
        sb.AppendLine(Inv, $"- status: **{r.Status}** (blueprint {r.BlueprintStatus}, exit {r.ExitCode} {r.ExitName}, blueprint run {r.BlueprintRunId ?? "-"})");
        if (r.Isolated is not null || r.NoCutover is not null)
        {
            foreach (var line in IsolatedLines(r))
            {
                sb.AppendLine(Inv, $"- {line}");
            }

            Timeline(sb, r);
            return sb.ToString();
        }

        sb.AppendLine(Inv, $"- disaster: {r.Disaster}; failover start {r.FailoverStart:O} ({r.FailoverStartSource})");
        sb.AppendLine(Inv, $"- service record: {r.ServiceRecord} -> {r.Rto.PublishedAddress ?? "?"}");
        sb.AppendLine(Inv, $"- **{RtoLine(r)}**");
        sb.AppendLine(Inv, $"- {ProtectedLine(r)}");
        sb.AppendLine(Inv, $"- **{RpoLine(r)}**");
        sb.AppendLine(Inv, $"- writes: {r.Writes.Acked} acked, {r.Writes.Failed} failed at {F(r.Writes.Rate)}/s (load {r.Writes.LoadId}); "
            + $"by address: {string.Join(", ", r.Writes.AckedByAddress.Select(kv => $"{kv.Key} {kv.Value}"))}");
        if (r.Writes.FailedByError.Count > 0)
        {
            sb.AppendLine(Inv, $"- failures by error: {string.Join(", ", r.Writes.FailedByError.Select(kv => $"{kv.Key} {kv.Value}"))}");
        }

        Timeline(sb, r);
        return sb.ToString();
    }

    private static void Timeline(StringBuilder sb, DrillReport r)
    {
        sb.AppendLine();
        sb.AppendLine("| phase | kind | status | start (UTC) | end (UTC) | duration s |");
        sb.AppendLine("|---|---|---|---|---|---:|");
        foreach (var p in r.Phases)
        {
            sb.AppendLine(Inv, $"| {p.Name} | {p.Kind} | {p.Status} | {p.StartedAt:HH:mm:ss.fff} | {p.EndedAt:HH:mm:ss.fff} | {F(p.DurationS)} |");
        }

        foreach (var n in r.Notes)
        {
            sb.AppendLine().AppendLine(Inv, $"> {n}");
        }
    }

    public static string Html(DrillReport r)
    {
        ArgumentNullException.ThrowIfNull(r);
        static string E(object? o) => WebUtility.HtmlEncode(Convert.ToString(o, Inv) ?? "");
        var t0 = r.Phases.IsEmpty ? r.StartedAt : r.Phases.Min(p => p.StartedAt);
        var t1 = r.Phases.IsEmpty ? r.EndedAt : r.Phases.Max(p => p.EndedAt);
        var span = Math.Max((t1 - t0).TotalSeconds, 0.001);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(E($"Drill {r.RunId}")).Append("</title><style>")
            .Append("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}")
            .Append(".track{position:relative;width:600px;height:18px;background:#f3f3f3}.bar{position:absolute;top:2px;height:14px;background:#4a7bd0}")
            .Append(".bar.drill{background:#999}.bar.error,.bar.failed{background:#c0392b}.ok{color:#1e7e34}.failed{color:#c0392b}")
            .Append("</style></head><body>");
        sb.Append("<h1>").Append(E($"Drill {r.RunId}: {r.BlueprintRef}")).Append("</h1>");
        sb.Append("<p>status <b class=\"").Append(E(r.Status)).Append("\">").Append(E(r.Status)).Append("</b> (blueprint ").Append(E(r.BlueprintStatus))
            .Append(", exit ").Append(E(r.ExitCode)).Append(' ').Append(E(r.ExitName)).Append("); disaster ").Append(E(r.Disaster)).Append("</p>");
        if (r.Isolated is not null || r.NoCutover is not null)
        {
            sb.Append("<p>").AppendJoin("<br>", IsolatedLines(r).Select(E)).Append("</p>");
            if (r.Series is not null)
            {
                sb.Append("<h2>Production while the drill ran</h2>").Append(DrillPlot.Svg(r));
            }
        }
        else
        {
            sb.Append("<p><b>").Append(E(RtoLine(r))).Append("</b><br>").Append(E(ProtectedLine(r))).Append("<br><b>").Append(E(RpoLine(r))).Append("</b><br>")
                .Append(E($"writes: {r.Writes.Acked} acked, {r.Writes.Failed} failed at {F(r.Writes.Rate)}/s")).Append("</p>");
            sb.Append("<h2>Writes per second</h2>").Append(DrillPlot.Svg(r));
        }

        sb.Append("<h2>Phase timeline</h2><table><tr><th>phase</th><th>status</th><th>duration s</th><th>timeline (")
            .Append(E(F(span))).Append(" s)</th></tr>");
        foreach (var p in r.Phases)
        {
            var left = (p.StartedAt - t0).TotalSeconds / span * 100;
            var width = Math.Max(p.DurationS / span * 100, 0.3);
            sb.Append("<tr><td>").Append(E(p.Name)).Append("</td><td>").Append(E(p.Status)).Append("</td><td>").Append(E(F(p.DurationS)))
                .Append("</td><td><div class=\"track\"><div class=\"bar ").Append(E(p.Kind)).Append(' ').Append(E(p.Status))
                .Append("\" style=\"left:").Append(F(left)).Append("%;width:").Append(F(width)).Append("%\" title=\"")
                .Append(E($"{p.StartedAt:HH:mm:ss.fff} - {p.EndedAt:HH:mm:ss.fff}")).Append("\"></div></div></td></tr>");
        }

        sb.Append("</table><h2>Writes by address</h2><table><tr><th>address</th><th>acked</th></tr>");
        foreach (var (address, count) in r.Writes.AckedByAddress)
        {
            sb.Append("<tr><td>").Append(E(address)).Append("</td><td>").Append(E(count)).Append("</td></tr>");
        }

        sb.Append("</table>");
        foreach (var n in r.Notes)
        {
            sb.Append("<p><i>").Append(E(n)).Append("</i></p>");
        }

        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    private static string F(double v) => v.ToString("0.###", Inv);

    private static string S(double? v) => v is { } x ? F(x) : "-";
}
