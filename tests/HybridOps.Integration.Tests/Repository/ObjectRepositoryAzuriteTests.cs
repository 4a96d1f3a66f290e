using Xunit.Abstractions;

namespace HybridOps.Integration.Tests.Repository;

/// <summary>The baseline cycle and the repository faults on Azurite (Azure Blob, shared key, TLS), on lab hosts (block 13) over SSH.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("lab", "hosts")]
public sealed class ObjectRepositoryAzuriteTests(ITestOutputHelper log)
{
    [Fact]
    public Task BackupArchiveRestore_ThroughAzurite_FetchesWalByArchiveGet_AndEachFaultHasItsCode() =>
        new ObjectRepositoryCycle(13, "azure").RunAsync(log);
}
