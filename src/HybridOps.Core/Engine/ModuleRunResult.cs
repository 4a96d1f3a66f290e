using System.Collections.Immutable;
using System.Text.Json.Nodes;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Engine;

/// <summary>The result of one module run as the CLI reports it (also serialized for --output json).</summary>
public sealed record ModuleRunResult
{
    public required string ModuleRef { get; init; }
    public string? Instance { get; init; }
    public required string Action { get; init; }
    public required string RunId { get; init; }
    public required string Status { get; init; }
    public required ExitCode ExitCode { get; init; }
    public JsonObject Outputs { get; init; } = new();
    public ImmutableArray<Diagnostic> Diagnostics { get; init; } = [];
    public string? RecordDir { get; init; }
    public string? StatePath { get; init; }
    public string? InputsHash { get; init; }
}
