namespace HybridOps.Integration.Tests.Hosts;

/// <summary>Host executor and service manager tests share one test sshd on 127.0.77.1:2222.</summary>
[CollectionDefinition("sshd")]
public sealed class SshdCollection : ICollectionFixture<SshdFixture>
{
}
