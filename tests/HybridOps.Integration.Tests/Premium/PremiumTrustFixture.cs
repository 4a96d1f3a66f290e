using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Premium;

/// <summary>
/// One lab on hosts (block 14, reached over SSH; the classes of the lab-host group run one after another)
/// for the standby-you-can-trust tests: the on-prem site, the DNS host and the managed provider's host.
/// </summary>
public sealed class PremiumTrustFixture : IAsyncLifetime
{
    public const string DrKey = "HYOPS_DR_REPLICATION_PASSWORD";
    public const int Block = 14;

    public PremiumTrustFixture()
    {
        Site.Environment[DrKey] = DrPassword;
    }

    public Site Site { get; } = Site.OnHosts(Block);

    public string DrPassword { get; } = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>`lab up --output json`: managed_site, dr_site.</summary>
    public JsonNode Lab { get; private set; } = null!;

    public async Task InitializeAsync() => Lab = JsonNode.Parse((await Site.StartAsync([])).StdOut)!;

    public async Task DisposeAsync() => await Site.DisposeAsync();
}
