using System.Globalization;

namespace HybridOps.Core.Drill;

/// <summary>The figures of a no-cutover drill, one line each, for report.md, report.html and the CLI.</summary>
public static class NoCutoverDrillText
{
    public static IReadOnlyList<string> Lines(NoCutoverDrillFigures n)
    {
        ArgumentNullException.ThrowIfNull(n);
        static string B(bool? b, string yes, string no) => b switch { true => yes, false => no, null => "not reached" };
        var clone = n.CloneSkipped is { } why
            ? $"clone: skipped ({why})"
            : $"clone {n.CloneName ?? "-"}: copied and up in {S(n.CloneCopySeconds)} s, promoted, writable in {S(n.CloneTimeToWritableSeconds)} s; barrier row {B(n.CloneBarrierFound, "found", "MISSING")}; "
              + $"table counts {B(n.CloneCountsMatched, "within the standby's", "OUTSIDE the standby's")}; {B(n.CloneRemoved, "clone removed", "CLONE LEFT")}";
        return
        [
            $"NO-CUTOVER drill of {n.InstanceName ?? "?"}: no fence, no promotion of the standby, no DNS change; one barrier row written on production",
            $"promotable: {B(n.Promotable, "yes", "NO")} ({string.Join(", ", n.Checks.Select(c => $"{c.Name} {c.Result}"))}); lag {S(n.LagBytes)} of {S(n.MaxLagBytes)} bytes; barrier at {n.BarrierLsn ?? "-"} seen on the standby in {S(n.BarrierSeenSeconds)} s",
            clone,
            $"standby afterwards: {B(n.StandbyUnchanged, "streaming, read-only, same slot", "DISTURBED")}; other state files: {(n.ProductionStateUnchanged ? "byte-identical" : $"CHANGED: {string.Join(", ", n.ChangedStateFiles)}")}",
        ];
    }

    private static string S(double? v) => v is { } x ? x.ToString("0.###", CultureInfo.InvariantCulture) : "-";
}
