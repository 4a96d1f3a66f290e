namespace HybridOps.Core.Contracts;

/// <summary>Which module refs this build ships: an existence test and the known refs (for "did you mean").</summary>
public sealed record ModuleLookup(Func<string, bool> Exists, IReadOnlyCollection<string> Known)
{
    public static ModuleLookup From(Func<string, bool> exists) => new(exists, []);
}
