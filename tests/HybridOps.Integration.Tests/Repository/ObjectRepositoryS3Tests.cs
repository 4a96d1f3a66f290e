using Xunit.Abstractions;

namespace HybridOps.Integration.Tests.Repository;

/// <summary>The baseline cycle and the repository faults on s3rver (S3 protocol, TLS), on lab hosts (block 14) over SSH.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Trait("lab", "hosts")]
public sealed class ObjectRepositoryS3Tests(ITestOutputHelper log)
{
    [Fact]
    public Task BackupArchiveRestore_ThroughS3_FetchesWalByArchiveGet_AndEachFaultHasItsCode() =>
        new ObjectRepositoryCycle(14, "s3").RunAsync(log);
}
