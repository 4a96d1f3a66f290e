using System.Security.Cryptography;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>
/// One lab (on-prem 127.0.251, DNS 127.0.255) and the fake Google APIs (127.0.252.1-4) whose DMS job
/// replicates real data into real servers behind its Cloud SQL instances (127.0.253.x).
/// </summary>
public sealed class GcpPremiumFixture : IAsyncLifetime
{
    public const string DrKey = "HYOPS_DR_REPLICATION_PASSWORD";

    public GcpPremiumFixture()
    {
        Site.Environment[DrKey] = DrPassword;
        Gcp = new GcpFakeSite(Site, apiPrefix: "127.0.252", instancePrefix: "127.0.253", replicate: true);
    }

    public Site Site { get; } = new("127.0.251");

    internal GcpFakeSite Gcp { get; }

    public string DrPassword { get; } = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public Task InitializeAsync() => Site.StartAsync();

    public async Task DisposeAsync()
    {
        await Gcp.DisposeAsync();
        await Site.DisposeAsync();
    }
}
