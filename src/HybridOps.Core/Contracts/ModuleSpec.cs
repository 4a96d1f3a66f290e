using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace HybridOps.Core.Contracts;

/// <summary>A validated hybridops/v1 ModuleSpec (modules/&lt;module_ref&gt;/spec.yml).</summary>
public sealed record ModuleSpec
{
    public required string ModuleRef { get; init; }
    public required string SourceFile { get; init; }
    public string Title { get; init; } = "";
    public string Description { get; init; } = "";
    public ImmutableArray<string> Lifecycle { get; init; } = ["deploy", "status", "destroy"];
    public ImmutableArray<string> ApplyModes { get; init; } = [];
    public ImmutableArray<string> RequiredInputs { get; init; } = [];
    public ImmutableArray<string> OutputsPublish { get; init; } = [];
    public string Driver { get; init; } = "hyops/csharp";
    public string? ContractVersion { get; init; }

    /// <summary>Declared operator confirmations, checked before anything runs (see <see cref="GuardSpec"/>).</summary>
    public ImmutableArray<GuardSpec> Guards { get; init; } = [];

    /// <summary>Warnings found while loading (unknown or ignored fields); empty when loaded with --strict.</summary>
    public ImmutableArray<Diagnostics.Diagnostic> Warnings { get; init; } = [];

    /// <summary>Every input the module declares: its defaults and its required inputs.</summary>
    public IEnumerable<string> InputNames => DefaultsNode.Select(p => p.Key).Concat(RequiredInputs).Distinct(StringComparer.Ordinal);

    /// <summary>Input defaults; a fresh copy on every read so nobody mutates the spec.</summary>
    public JsonObject Defaults => (JsonObject)DefaultsNode.DeepClone();

    internal JsonObject DefaultsNode { get; init; } = new();

    /// <summary>`platform/onprem/postgresql-ha` becomes `platform__onprem__postgresql-ha` in state paths.</summary>
    public string ModuleId => ToModuleId(ModuleRef);

    public static string ToModuleId(string moduleRef) => moduleRef.Replace("/", "__", StringComparison.Ordinal);
}
