using HybridOps.Core.Contracts;
using HybridOps.Core.Inputs;
using HybridOps.Core.Secrets;
using HybridOps.Core.State;

namespace HybridOps.Core.Engine;

/// <summary>The composed services of one hyops invocation against one runtime root.</summary>
public sealed class HyopsRuntime
{
    public required string Root { get; init; }
    public required ContentRoot Content { get; init; }
    public required Redactor Redactor { get; init; }
    public required SecretResolver Secrets { get; init; }
    public required TimeProvider Time { get; init; }
    public required HandlerRegistry Handlers { get; init; }
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    public IProgress<string> Progress { get; init; } = new Progress<string>();

    public StateStore States => states ??= new StateStore(Root, Redactor);

    public InputResolver Inputs => new(States);

    private StateStore? states;
}
