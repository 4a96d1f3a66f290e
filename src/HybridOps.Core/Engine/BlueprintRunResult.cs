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

    /// <summary>When the run started and ended (UTC), for drill timelines.</summary>
    public DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset EndedAt { get; init; }
}

/// <summary>
/// One step: ok | partial | destroyed | error | skipped | not_run (fail-fast stopped before it).
/// StartedAt/EndedAt (UTC) are set for steps that ran; drills build their phase timeline from them.
/// </summary>
public sealed record StepResult(string Id, string ModuleRef, string? Instance, string Action, string Status, string? RunId, string? Reason, double DurationMs,
    DateTimeOffset? StartedAt = null, DateTimeOffset? EndedAt = null, string? Phase = null);
