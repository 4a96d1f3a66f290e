using System.Security.Cryptography;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Gcp;

/// <summary>
/// One lab of hosts (block 10: on-prem pg1-pg3, etcd, the DNS host) and the fake Google APIs
/// (127.0.252.1-4) whose DMS job replicates real data into real servers behind its Cloud SQL instances.
/// Those servers listen on the lab bridge's address of this machine, so the on-prem hosts reach them (the
/// failback's pg_dump runs on pg1) and they reach the on-prem source from that one address.
/// </summary>
public sealed class GcpPremiumFixture : IAsyncLifetime
{
    public const string DrKey = "HYOPS_DR_REPLICATION_PASSWORD";

    public GcpPremiumFixture()
    {
        Site.Environment[DrKey] = DrPassword;
        Gcp = new GcpFakeSite(Site, apiPrefix: "127.0.252", instancePrefix: "127.0.253", replicate: true, instanceHost: Site.BridgeAddress);
    }

    public Site Site { get; } = Site.OnHosts(10);

    internal GcpFakeSite Gcp { get; }

    public string DrPassword { get; } = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public Task InitializeAsync() => Site.StartAsync();

    public async Task DisposeAsync()
    {
        await Gcp.DisposeAsync();
        await Site.DisposeAsync();
    }
}
