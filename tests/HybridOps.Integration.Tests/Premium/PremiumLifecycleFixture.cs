using System.Security.Cryptography;
using HybridOps.Integration.Tests.Managed;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Premium;

/// <summary>One lab (on-prem 127.0.191, managed site 127.0.193, DNS 127.0.195) for the whole premium lifecycle: standby, promote, failback.</summary>
public sealed class PremiumLifecycleFixture : IAsyncLifetime
{
    public const string DrKey = "HYOPS_DR_REPLICATION_PASSWORD";
    public const string AppKey = "HYOPS_APP_PASSWORD";

    public PremiumLifecycleFixture()
    {
        Site.Environment[DrKey] = DrPassword;
        Site.Environment[AppKey] = AppPassword;
    }

    public Site Site { get; } = new("127.0.191");

    public string DrPassword { get; } = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public string AppPassword { get; } = "app-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>Runs through every step of the class and stops after it (bounded by itself).</summary>
    public WritablePrimaryPoller? Poller { get; set; }

    public Task InitializeAsync() => Site.StartAsync();

    public async Task DisposeAsync()
    {
        if (Poller is not null)
        {
            await Poller.DisposeAsync();
        }

        await Site.StopManagedProcessesAsync();
        await Site.DisposeAsync();
    }
}
