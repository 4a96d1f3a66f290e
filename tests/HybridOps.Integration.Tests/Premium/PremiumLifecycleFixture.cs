using System.Security.Cryptography;
using System.Text.Json.Nodes;
using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Premium;

/// <summary>
/// One lab on hosts (block 7, reached over SSH) for the whole premium lifecycle: standby, promote,
/// failback. With the object-store host: the promoted instance backs up into its S3 store.
/// </summary>
public sealed class PremiumLifecycleFixture : IAsyncLifetime
{
    public const string DrKey = "HYOPS_DR_REPLICATION_PASSWORD";
    public const string AppKey = "HYOPS_APP_PASSWORD";
    public const int Block = 7;

    public PremiumLifecycleFixture()
    {
        Site.Environment[DrKey] = DrPassword;
        Site.Environment[AppKey] = AppPassword;
        // The lab's S3 keys, known here so the secret scan looks for them too.
        Site.Environment["HYOPS_LAB_S3_ACCESS_KEY"] = S3AccessKey;
        Site.Environment["HYOPS_LAB_S3_SECRET_KEY"] = S3SecretKey;
    }

    public Site Site { get; } = Site.OnHosts(Block);

    public string DrPassword { get; } = "dr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public string AppPassword { get; } = "app-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public string S3AccessKey { get; } = "HYOPSIT" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));

    public string S3SecretKey { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(30));

    /// <summary>`lab up --output json`: managed_site, dr_site, object_stores.</summary>
    public JsonNode Lab { get; private set; } = null!;

    /// <summary>Runs through every step of the class and stops after it (bounded by itself).</summary>
    public WritablePrimaryPoller? Poller { get; set; }

    public async Task InitializeAsync() => Lab = JsonNode.Parse((await Site.StartAsync(["--object-stores"])).StdOut)!;

    public async Task DisposeAsync()
    {
        if (Poller is not null)
        {
            await Poller.DisposeAsync();
        }

        await Site.DisposeAsync();
    }
}
