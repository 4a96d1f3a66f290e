using System.Collections.Frozen;

namespace HybridOps.Core.Contracts;

/// <summary>
/// The fields one place of a contract may hold: those hyops reads, and those upstream HybridOps defines
/// that this build accepts but ignores (each ignored field gets a warning, an error with --strict).
/// </summary>
internal sealed record FieldSet(string Where, FrozenSet<string> Known, FrozenSet<string> UpstreamIgnored)
{
    public static FieldSet Of(string where, string[] known, string[]? upstreamIgnored = null) =>
        new(where, known.ToFrozenSet(StringComparer.Ordinal), (upstreamIgnored ?? []).ToFrozenSet(StringComparer.Ordinal));

    public IEnumerable<string> All => Known.Concat(UpstreamIgnored);
}
