using Xunit.Abstractions;

namespace HybridOps.Integration.Tests.Repository;

/// <summary>The baseline cycle and the repository faults on s3rver (S3 protocol, TLS), lab prefix 127.0.151.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ObjectRepositoryS3Tests(ITestOutputHelper log)
{
    [Fact]
    public Task BackupArchiveRestore_ThroughS3_FetchesWalByArchiveGet_AndEachFaultHasItsCode() =>
        new ObjectRepositoryCycle("127.0.151", "s3").RunAsync(log);
}
