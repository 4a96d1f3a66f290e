using System.Collections.Immutable;

namespace HybridOps.Core.Dr;

/// <summary>One option as the decision weighed it: the status, the situation's preconditions, and its rank (1 = chosen) or why it was refused.</summary>
public sealed record DrCandidate(
    DrOptionStatus Status,
    ImmutableArray<DrPrecondition> Situation,
    bool Eligible,
    bool NotProven,
    ImmutableArray<string> Reasons,
    DrScore? Score,
    int? Rank);
