using HybridOps.Core.Diagnostics;

namespace HybridOps.Lab.Hosts;

/// <summary>
/// Turns two groups of host names into the blackhole routes each host needs: every host of one group
/// blackholes every address of the other. <see cref="LabHostSet.HyopsSide"/> in a group stands for the
/// bridge address, so naming it cuts hyops from the other group too; otherwise hyops reaches both sides.
/// </summary>
internal static class LabPartition
{
    public static IReadOnlyList<(LabHostRecord Host, IReadOnlyList<string> Addresses)> Resolve(
        LabHostsRecord record, IReadOnlyCollection<string> groupA, IReadOnlyCollection<string> groupB)
    {
        ArgumentNullException.ThrowIfNull(groupA);
        ArgumentNullException.ThrowIfNull(groupB);
        if (groupA.Count == 0 || groupB.Count == 0 || groupA.Intersect(groupB, StringComparer.Ordinal).Any())
        {
            throw Invalid("a partition needs two non-empty groups with no host in both");
        }

        if (groupA.Contains(LabHostSet.HyopsSide) && groupB.Contains(LabHostSet.HyopsSide))
        {
            throw Invalid($"'{LabHostSet.HyopsSide}' can be on one side only");
        }

        var plan = new LabAddressPlan(record.Block);
        string AddressOf(string name) => name == LabHostSet.HyopsSide
            ? plan.BridgeAddress
            : (record.Find(name) ?? throw Invalid($"no lab host '{name}' (known: {string.Join(", ", record.Hosts.Select(h => h.Name))})")).Address;

        var a = groupA.Select(AddressOf).ToList();
        var b = groupB.Select(AddressOf).ToList();
        return groupA.Where(n => n != LabHostSet.HyopsSide).Select(n => (record.Find(n)!, (IReadOnlyList<string>)b))
            .Concat(groupB.Where(n => n != LabHostSet.HyopsSide).Select(n => (record.Find(n)!, (IReadOnlyList<string>)a)))
            .ToList();
    }

    private static HyopsException Invalid(string message) => HyopsException.From(DiagnosticCatalog.LabHostsInputInvalid, message);
}
