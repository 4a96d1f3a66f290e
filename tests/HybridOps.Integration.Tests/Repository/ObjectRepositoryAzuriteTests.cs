using Xunit.Abstractions;

namespace HybridOps.Integration.Tests.Repository;

/// <summary>The baseline cycle and the repository faults on Azurite (Azure Blob, shared key, TLS), lab prefix 127.0.141.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ObjectRepositoryAzuriteTests(ITestOutputHelper log)
{
    [Fact]
    public Task BackupArchiveRestore_ThroughAzurite_FetchesWalByArchiveGet_AndEachFaultHasItsCode() =>
        new ObjectRepositoryCycle("127.0.141", "azure").RunAsync(log);
}
