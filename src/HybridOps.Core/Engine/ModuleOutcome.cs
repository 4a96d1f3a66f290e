using System.Collections.Immutable;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;
using HybridOps.Core.State;

namespace HybridOps.Core.Engine;

/// <summary>What a handler returns when it did not throw: ok, partial (with the diagnostic why) or destroyed.</summary>
public sealed record ModuleOutcome(string Status, JsonObject Outputs)
{
    public ImmutableArray<Diagnostic> Diagnostics { get; init; } = [];

    public static ModuleOutcome Ok(JsonObject outputs) => new(StateStatus.Ok, outputs);

    public static ModuleOutcome Destroyed() => new(StateStatus.Destroyed, new JsonObject());

    public static ModuleOutcome Partial(JsonObject outputs, Diagnostic why) => new(StateStatus.Partial, outputs) { Diagnostics = [why] };
}
