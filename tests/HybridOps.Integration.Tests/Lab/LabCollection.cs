namespace HybridOps.Integration.Tests.Lab;

/// <summary>
/// Lab tests start real servers on fixed loopback ports, so they never run in parallel with each
/// other; they share one healthy lab (<see cref="LabFixture"/>) and destructive tests build their own.
/// </summary>
[CollectionDefinition("lab")]
public sealed class LabCollection : ICollectionFixture<LabFixture>
{
}
