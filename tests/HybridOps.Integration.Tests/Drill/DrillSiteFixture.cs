using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Drill;

/// <summary>
/// One lab on hosts (block 8, reached over SSH) shared by the non-destructive load and drill tests, with
/// the test content root. The drill classes each build their own lab on block 8, one after the other.
/// </summary>
public sealed class DrillSiteFixture : IAsyncLifetime
{
    public const int Block = 8;

    public Site Site { get; } = Site.OnHosts(Block);

    public async Task InitializeAsync()
    {
        await Site.StartAsync();
        Site.Environment["HYOPS_CONTENT_ROOT"] = DrillContent.Create(Site.Dir);
    }

    public async Task DisposeAsync() => await Site.DisposeAsync();
}
