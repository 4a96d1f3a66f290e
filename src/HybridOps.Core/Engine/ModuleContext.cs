using HybridOps.Core.Contracts;
using HybridOps.Core.Evidence;
using HybridOps.Core.Inputs;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;

namespace HybridOps.Core.Engine;

/// <summary>Everything a handler may use for one run. Record is null only during Validate.</summary>
public sealed class ModuleContext
{
    public required ModuleSpec Spec { get; init; }
    public required string Action { get; init; }
    public string? Instance { get; init; }
    public required ResolvedInputs Inputs { get; init; }
    public ModuleState? Previous { get; init; }
    public required SecretResolver Secrets { get; init; }
    public required TimeProvider Time { get; init; }
    public required StateStore States { get; init; }
    public required IProgress<string> Progress { get; init; }
    public RunRecord? Record { get; set; }
    public string RunId => Record?.RunId ?? "";
    public RunRecord Evidence => Record ?? throw new InvalidOperationException("no run record during validation");
}
