namespace HybridOps.Integration.Tests.Support;

/// <summary>One healthy lab on hosts (block 3, reached over SSH) shared by the non-destructive tests of a collection.</summary>
public sealed class SharedSiteFixture : IAsyncLifetime
{
    public Site Site { get; } = Site.OnHosts(3);

    public Task InitializeAsync() => Site.StartAsync();

    public async Task DisposeAsync() => await Site.DisposeAsync();
}

[CollectionDefinition("site")]
public sealed class SiteCollection : ICollectionFixture<SharedSiteFixture>
{
}
