using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace HybridOps.Core.Evidence;

/// <summary>The result of verifying a runtime root or a bundle: every finding that is not plain ok, and the index head.</summary>
public sealed record EvidenceReport
{
    public required string Source { get; init; }
    public required bool Chained { get; init; }
    public long IndexEntries { get; init; }
    public long HeadSeq { get; init; }
    public string? HeadHash { get; init; }
    public int RunsChecked { get; init; }
    public int DrillsChecked { get; init; }
    public ImmutableArray<EvidenceFinding> Findings { get; init; } = [];

    public bool Passed => !Findings.Any(f => f.Failed);

    /// <summary>verified | unchained (an old root: each record's own chain holds, but nothing chains runs) | failed.</summary>
    public string Status => !Passed ? "failed" : Chained ? "verified" : "unchained";

    public IEnumerable<EvidenceFinding> Failures => Findings.Where(f => f.Failed);

    public JsonObject ToJson() => new()
    {
        ["status"] = Status,
        ["verdict"] = Status, // kept when a failure document replaces status with "error"
        ["source"] = Source,
        ["chained"] = Chained,
        ["index"] = new JsonObject { ["entries"] = IndexEntries, ["head_seq"] = HeadSeq, ["head_hash"] = HeadHash },
        ["runs_checked"] = RunsChecked,
        ["drills_checked"] = DrillsChecked,
        ["failures"] = Failures.Count(),
        ["findings"] = new JsonArray(Findings.Select(f => (JsonNode?)f.ToJson()).ToArray()),
    };
}
