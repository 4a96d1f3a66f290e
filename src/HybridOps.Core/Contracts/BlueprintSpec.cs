using System.Collections.Immutable;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Contracts;

/// <summary>A validated hybridops/v1 BlueprintSpec (blueprints/&lt;scope&gt;/&lt;name&gt;@vN/blueprint.yml).</summary>
public sealed record BlueprintSpec
{
    public required string BlueprintRef { get; init; }
    public required string SourceFile { get; init; }
    public string Mode { get; init; } = "";
    public string Title { get; init; } = "";
    public string Description { get; init; } = "";
    public bool FailFast { get; init; } = true;
    public bool EvidenceRequired { get; init; } = true;

    /// <summary>Warnings found while loading (unknown or ignored fields, modules provided outside hyops); errors with --strict.</summary>
    public ImmutableArray<Diagnostic> Warnings { get; init; } = [];

    /// <summary>Steps in execution order (a topological order of `requires`, ties kept in file order).</summary>
    public ImmutableArray<BlueprintStep> Steps { get; init; } = [];

    public string BlueprintId => BlueprintRef.Replace("/", "__", StringComparison.Ordinal);
}

/// <summary>One module invocation in a blueprint.</summary>
public sealed record BlueprintStep
{
    public required string Id { get; init; }
    /// <summary>The hyops module ref (an upstream alias such as platform/postgresql-ha is already resolved).</summary>
    public required string ModuleRef { get; init; }

    /// <summary>The module ref as the blueprint wrote it.</summary>
    public string DeclaredModuleRef { get; init; } = "";

    /// <summary>
    /// The module is an upstream module this build does not ship: deploy does not run the step but requires
    /// the state it would publish to exist and be ok.
    /// </summary>
    public bool ProvidedOutside { get; init; }

    public string? StateInstance { get; init; }
    public string Action { get; init; } = "deploy";
    public string Phase { get; init; } = "";
    public ImmutableArray<string> Requires { get; init; } = [];
    public bool SkipIfStateOk { get; init; }

    /// <summary>With skip_if_state_ok: before skipping, run the module's `status` (a live check); skip only when it is ok.</summary>
    public bool VerifyStateOnSkip { get; init; }

    /// <summary>A failure of this step is recorded (failed-optional) and does not stop or fail the blueprint.</summary>
    public bool Optional { get; init; }

    /// <summary>
    /// A failure of this step after earlier steps completed is a PARTIAL completion of the blueprint
    /// (state partial, exit 10) rather than an error: what the earlier steps did stands and is recorded
    /// (e.g. a promotion succeeded, the endpoint publication failed). Later steps are not run.
    /// </summary>
    public bool PartialOnFailure { get; init; }

    public required SourceLocation Location { get; init; }

    /// <summary>Where each input name is written in the blueprint (for diagnostics about one input).</summary>
    public ImmutableDictionary<string, SourceLocation> InputLocations { get; init; } = ImmutableDictionary<string, SourceLocation>.Empty;

    public JsonObject Inputs => (JsonObject)InputsNode.DeepClone();

    internal JsonObject InputsNode { get; init; } = new();

    /// <summary>The step's inputs with the --inputs overrides for this step id laid over them.</summary>
    public JsonObject InputsWith(JsonObject? overrides)
    {
        var inputs = Inputs;
        if (overrides?[Id] is JsonObject o)
        {
            foreach (var (k, v) in o)
            {
                inputs[k] = v?.DeepClone();
            }
        }

        return inputs;
    }
}
