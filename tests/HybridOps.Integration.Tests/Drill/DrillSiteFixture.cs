using HybridOps.Integration.Tests.Support;

namespace HybridOps.Integration.Tests.Drill;

/// <summary>One lab on 127.0.61 shared by the non-destructive load and drill tests, with the test content root.</summary>
public sealed class DrillSiteFixture : IAsyncLifetime
{
    public Site Site { get; } = new("127.0.61");

    public async Task InitializeAsync()
    {
        await Site.StartAsync();
        Site.Environment["HYOPS_CONTENT_ROOT"] = DrillContent.Create(Site.Dir);
    }

    public async Task DisposeAsync() => await Site.DisposeAsync();
}
