using System.Text.Json.Nodes;

namespace HybridOps.Core.Engine;

/// <summary>One requested module run. StepInputs come from a blueprint step; InputsFile from --inputs.</summary>
public sealed record ModuleRequest
{
    public required string ModuleRef { get; init; }
    public required string Action { get; init; }
    public string? Instance { get; init; }
    public string? InputsFile { get; init; }
    public JsonObject? StepInputs { get; init; }

    /// <summary>HYOPS_INPUT_* overrides apply to direct module runs, not to blueprint steps.</summary>
    public bool ApplyEnvironmentOverrides { get; init; } = true;

    /// <summary>Set by the blueprint engine, which already holds the root lock.</summary>
    public bool LockHeld { get; init; }
}
