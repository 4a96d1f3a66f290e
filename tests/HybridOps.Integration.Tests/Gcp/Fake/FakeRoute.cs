namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>A matched method: its documented contract and what it does (the flag: its operation must end with an error).</summary>
public readonly record struct FakeRoute(FakeContract? Contract, Func<bool, Task<FakeResponse>>? Handler)
{
    public static readonly FakeRoute None = new(null, null);
}
