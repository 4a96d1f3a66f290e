using System.Text.Json.Nodes;

namespace HybridOps.Core.Evidence;

/// <summary>
/// What verification found about one run, drill report, the index or a bundle. Status is one of
/// ok, unsealed, unchained (notes) or removed, moved, edited, unindexed (failures).
/// </summary>
public sealed record EvidenceFinding(string Subject, string Name, string Path, string Status, string Detail)
{
    public static readonly IReadOnlySet<string> Notes = new HashSet<string>(StringComparer.Ordinal) { "ok", "unsealed", "unchained" };

    public bool Failed => !Notes.Contains(Status);

    public override string ToString() => $"{Status,-9} {Subject} {Name}: {Detail} ({Path})";

    public JsonObject ToJson() => new()
    {
        ["subject"] = Subject,
        ["name"] = Name,
        ["path"] = Path,
        ["status"] = Status,
        ["failed"] = Failed,
        ["detail"] = Detail,
    };
}
