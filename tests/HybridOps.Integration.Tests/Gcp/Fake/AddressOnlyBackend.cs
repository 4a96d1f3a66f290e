namespace HybridOps.Integration.Tests.Gcp.Fake;

/// <summary>No server: instance N gets &lt;prefix&gt;.(10+N) and nothing answers there (API-only contract tests).</summary>
public sealed class AddressOnlyBackend(string prefix) : IFakeInstanceBackend
{
    private int next = 10;

    public Task<string> CreateAsync(string name, string adminUser, string adminPassword, IReadOnlyList<string> authorizedNetworks, bool replica) =>
        Task.FromResult($"{prefix}.{Interlocked.Increment(ref next)}");

    public Task SetUserAsync(string name, string user, string password) => Task.CompletedTask;

    public Task SetAuthorizedNetworksAsync(string name, IReadOnlyList<string> cidrs) => Task.CompletedTask;

    public Task SetFlagsAsync(string name, IReadOnlyDictionary<string, string> flags) => Task.CompletedTask;

    public Task PromoteAsync(string name) => Task.CompletedTask;

    public Task DeleteAsync(string name) => Task.CompletedTask;
}
