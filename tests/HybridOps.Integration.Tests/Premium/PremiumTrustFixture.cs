using System.Security.Cryptography;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Premium;

/// <summary>One lab (on-prem 127.0.161, managed site 127.0.163, DNS 127.0.165) for the standby-you-can-trust tests.</summary>
public sealed class PremiumTrustFixture : IAsyncLifetime
{
    public const string DrKey = "HYOPS_DR_REPLICATION_PASSWORD";

    public PremiumTrustFixture()
    {
        Site.Environment[DrKey] = DrPassword;
    }

    public Site Site { get; } = new("127.0.161");

    public string DrPassword { get; } = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public Task InitializeAsync() => Site.StartAsync();

    public async Task DisposeAsync() => await Site.DisposeAsync();
}
