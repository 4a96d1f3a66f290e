namespace HybridOps.Core.Contracts;

/// <summary>
/// What the contract loader accepts before it builds anything. Contracts are small hand-written files;
/// these bounds keep a malformed or hostile file from exhausting the stack or memory (docs/contracts.md).
/// </summary>
public static class ContractLimits
{
    /// <summary>Largest contract or inputs file, in bytes.</summary>
    public const int MaxBytes = 1024 * 1024;

    /// <summary>Deepest nesting of mappings and sequences, counting what aliases expand to.</summary>
    public const int MaxDepth = 32;

    /// <summary>Most nodes a document may expand to once every alias is repeated (alias-bomb budget).</summary>
    public const long MaxExpandedNodes = 100_000;
}
