using System.Collections.Immutable;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Engine;

/// <summary>Outcome of a blueprint run, step by step.</summary>
public sealed record BlueprintRunResult
{
    public required string BlueprintRef { get; init; }
    public required string RunId { get; init; }
    public required string Status { get; init; }
    public required ExitCode ExitCode { get; init; }
    public ImmutableArray<StepResult> Steps { get; init; } = [];
    public ImmutableArray<Diagnostic> Diagnostics { get; init; } = [];
    public string? RecordDir { get; init; }
}

/// <summary>One step: ok | partial | destroyed | error | skipped | not_run (fail-fast stopped before it).</summary>
public sealed record StepResult(string Id, string ModuleRef, string? Instance, string Action, string Status, string? RunId, string? Reason, double DurationMs);
