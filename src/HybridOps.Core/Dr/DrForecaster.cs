using System.Globalization;
using HybridOps.Core.Drill;

namespace HybridOps.Core.Dr;

/// <summary>
/// Forecast RTO/RPO from the drills that proved an option and the facts now. Restore: the drills' restore
/// rate (bytes restored / restore step seconds, over the latest successful drills that know both) applied to
/// the current backup set + WAL since it, plus the drills' non-restore time. Promotion: its time does not grow
/// with the data, so the drills' mean RTO. RPO: the archive lag (restore) or replication lag (promotion) now.
/// </summary>
public static class DrForecaster
{
    public static DrForecast Forecast(DrOption option, DrOptionFacts facts, IReadOnlyList<DrillReport> okDrills, DrPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(option);
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(okDrills);
        ArgumentNullException.ThrowIfNull(policy);
        var rpoBasis = facts.RpoSeconds is null ? $"{facts.RpoSource}: not published" : $"{facts.RpoSource} now";
        var bytesNow = facts.BackupBytes is { } b && facts.WalBytesSinceBackup is { } w ? b + w : (long?)null;
        var measured = okDrills.Where(d => d.Rto.Seconds is not null).TakeLast(policy.RateDrills).ToList();
        if (measured.Count == 0)
        {
            return new DrForecast(null, facts.RpoSeconds, "no successful drill measured an RTO", rpoBasis, null, null, bytesNow, 0);
        }

        if (option.Kind == "promote")
        {
            var mean = Math.Round(measured.Average(d => d.Rto.Seconds!.Value), 3);
            return new DrForecast(mean, facts.RpoSeconds, $"mean RTO of the last {measured.Count} drill(s): a promotion does not grow with the data", rpoBasis, null, null, bytesNow, measured.Count);
        }

        var sized = measured.Where(d => RestoreSeconds(d) is > 0 && d.Source?.RestoredBytes is not null).ToList();
        var last = measured[^1].Rto.Seconds!.Value;
        if (sized.Count == 0 || bytesNow is null)
        {
            var why = sized.Count == 0 ? "the drills did not record the restored size" : "state does not publish the current backup size";
            return new DrForecast(last, facts.RpoSeconds, $"last measured RTO ({why})", rpoBasis, null, null, bytesNow, 1);
        }

        var rate = sized.Sum(d => (double)d.Source!.RestoredBytes!.Value) / sized.Sum(d => RestoreSeconds(d)!.Value);
        var overhead = sized.Average(d => d.Rto.Seconds!.Value - RestoreSeconds(d)!.Value);
        var rto = Math.Round(Math.Max(0, overhead) + (rate > 0 ? bytesNow.Value / rate : 0), 3);
        var basis = string.Create(CultureInfo.InvariantCulture,
            $"{Math.Max(0, overhead):0.###} s outside the restore + {bytesNow} bytes at {rate:0} B/s (rate of the last {sized.Count} drill(s))");
        return new DrForecast(rto, facts.RpoSeconds, basis, rpoBasis, Math.Round(rate, 1), Math.Round(Math.Max(0, overhead), 3), bytesNow, sized.Count);
    }

    /// <summary>How long the drill's restore step took; null when the report has no such step.</summary>
    public static double? RestoreSeconds(DrillReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return report.Source?.RestoreStep is { } step
            ? report.Phases.FirstOrDefault(p => p.Kind == "step" && p.Name == "step " + step)?.DurationS
            : null;
    }
}
