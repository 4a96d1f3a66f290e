namespace HybridOps.Core.Contracts;

/// <summary>How strictly a contract is read: with <see cref="Strict"/>, unknown and ignored fields are errors, not warnings.</summary>
public sealed record ContractOptions(bool Strict = false)
{
    public static ContractOptions Default { get; } = new();
}
