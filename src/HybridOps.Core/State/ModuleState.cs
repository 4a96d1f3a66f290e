using System.Text.Json.Nodes;

namespace HybridOps.Core.State;

/// <summary>What a module instance published, as stored in state/modules/&lt;id&gt;/(latest|instances/&lt;i&gt;).json.</summary>
public sealed record ModuleState
{
    public required string ModuleRef { get; init; }
    public string? Instance { get; init; }
    public required string Status { get; init; }
    public required string Action { get; init; }
    public required string RunId { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public string? InputsHash { get; init; }
    public string? ContractVersion { get; init; }
    public JsonObject Outputs { get; init; } = new();
    public StateError? Error { get; init; }
}

/// <summary>Why a run ended in error or partial: the diagnostic, never a stack trace.</summary>
public sealed record StateError(string Code, string Message, string Hint);
