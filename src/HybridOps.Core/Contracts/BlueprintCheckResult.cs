using System.Collections.Immutable;
using HybridOps.Core.Diagnostics;

namespace HybridOps.Core.Contracts;

/// <summary>What <see cref="BlueprintCheck"/> found: errors (validate/plan fail), warnings, and per step the guards deploy will demand.</summary>
public sealed record BlueprintCheckResult(
    ImmutableArray<Diagnostic> Errors,
    ImmutableArray<Diagnostic> Warnings,
    ImmutableDictionary<string, ImmutableArray<GuardDemand>> Guards)
{
    public void ThrowIfErrors()
    {
        if (!Errors.IsEmpty)
        {
            throw new HyopsException(Errors);
        }
    }
}
