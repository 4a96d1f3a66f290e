using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace HybridOps.Core.Dr;

/// <summary>
/// What the decision service decided: every option weighed, the chosen one (null when none is eligible), and
/// the exact blueprint command and inputs the operator runs. The service never runs it.
/// </summary>
public sealed record DrDecision(
    DateTimeOffset DecidedAt,
    DrSituation Situation,
    DrObjective Objective,
    ImmutableArray<DrCandidate> Candidates,
    string? Chosen,
    string? BlueprintRef,
    JsonObject? Inputs,
    ImmutableArray<DrConfirmation> Confirmations,
    string Explanation);
