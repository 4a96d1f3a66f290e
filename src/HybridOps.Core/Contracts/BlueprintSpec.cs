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

    /// <summary>Steps in execution order (a topological order of `requires`, ties kept in file order).</summary>
    public ImmutableArray<BlueprintStep> Steps { get; init; } = [];

    public string BlueprintId => BlueprintRef.Replace("/", "__", StringComparison.Ordinal);
}

/// <summary>One module invocation in a blueprint.</summary>
public sealed record BlueprintStep
{
    public required string Id { get; init; }
    public required string ModuleRef { get; init; }
    public string? StateInstance { get; init; }
    public string Action { get; init; } = "deploy";
    public string Phase { get; init; } = "";
    public ImmutableArray<string> Requires { get; init; } = [];
    public bool SkipIfStateOk { get; init; }

    /// <summary>
    /// A failure of this step after earlier steps completed is a PARTIAL completion of the blueprint
    /// (state partial, exit 10) rather than an error: what the earlier steps did stands and is recorded
    /// (e.g. a promotion succeeded, the endpoint publication failed). Later steps are not run.
    /// </summary>
    public bool PartialOnFailure { get; init; }

    public required SourceLocation Location { get; init; }

    public JsonObject Inputs => (JsonObject)InputsNode.DeepClone();

    internal JsonObject InputsNode { get; init; } = new();
}
